/**
 * Durations as people write them on a command line: `500ms`, `90s`, `30m`, `24h`, `7d`; a bare
 * number is seconds.
 *
 * @module
 */

import { MirageError } from "../errors.ts";

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  "": 1000,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i;

/**
 * Parses a positive duration into milliseconds. Throws a {@link MirageError} `invalid_duration`
 * otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 * assert.equal(parseDuration("24h"), 86_400_000);
 * assert.equal(parseDuration("90"), 90_000); // a bare number is seconds
 * assert.throws(() => parseDuration("soon"), { code: "invalid_duration" });
 * ```
 */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  const factor = m ? UNITS[(m[2] as string).toLowerCase()] : undefined;
  const ms = m && factor !== undefined ? Math.round(Number(m[1]) * factor) : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new MirageError(
      "invalid_duration",
      `not a duration: '${text}' (use e.g. 500ms, 90s, 30m, 24h, 7d)`,
    );
  }
  return ms;
}

/**
 * A duration in the largest unit that divides it: `86400000` → `24h`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./duration.ts";
 * assert.equal(formatDuration(90_000), "90s");
 * assert.equal(formatDuration(86_400_000), "1d");
 * ```
 */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]]) {
    if (ms % (size as number) === 0) return `${ms / (size as number)}${unit}`;
  }
  return `${ms}ms`;
}
