/**
 * The `--port` flag's value.
 *
 * @module
 */

/**
 * A port number 0–65535 from its decimal text; `undefined` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePort } from "./port.ts";
 * assert.equal(parsePort("8080"), 8080);
 * assert.equal(parsePort("0"), 0); // any free port
 * assert.equal(parsePort("65536"), undefined);
 * assert.equal(parsePort("80a"), undefined);
 * ```
 */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
