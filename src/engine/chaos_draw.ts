/**
 * The one source of chance in a chaos run: a small seeded hash of the seed, the run id and the
 * event's sequence number — no `Math.random`, no clock — so that the same run draws the same
 * numbers every time and its trace stays byte-identical.
 *
 * @module
 */

const encoder = new TextEncoder();

/** FNV-1a over the bytes, then murmur3's finaliser, so that near inputs land far apart. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A number in [0, 1) for one event of one run under one seed; `salt` draws an independent
 * number for the same event (the length of a uniform delay, beside whether a fault fires).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chaosDraw } from "./chaos_draw.ts";
 * const u = chaosDraw(7, "checkout", 3);
 * assert.equal(chaosDraw(7, "checkout", 3), u);
 * assert.ok(u >= 0 && u < 1);
 * assert.notEqual(chaosDraw(8, "checkout", 3), u);
 * assert.notEqual(chaosDraw(7, "checkout", 3, "delay"), u);

 * ```
 */
export function chaosDraw(seed: number, runId: string, seq: number, salt = ""): number {
  return hash32(`${seed}\u0000${runId}\u0000${seq}\u0000${salt}`) / 0x1_0000_0000;
}
