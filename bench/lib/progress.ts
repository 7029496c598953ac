/**
 * Progress lines on stderr, so that stdout carries only the tables.
 */

const ENCODER = new TextEncoder();

/** Writes one progress line for a suite. */
export function progress(suite: string, message: string): void {
  Deno.stderr.writeSync(ENCODER.encode(`[bench ${suite}] ${message}\n`));
}
