/**
 * The `--port` flag's value.
 *
 * @module
 */

/** A port number 0–65535 from its decimal text; `undefined` for anything else. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
