/**
 * How long an action took: the timings that go to a run's `<run>.timing.json` sidecar, never
 * into the deterministic trace, and the microsecond clock they are read with.
 *
 * @module
 */

/**
 * Timings of one event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EventTiming } from "@mirage/core";
 * import { decisionLogObserver, type DecisionLine } from "../log/decision_log.ts";
 * const t: EventTiming = {
 *   at: "2026-01-01T00:00:00.000Z",
 *   evaluate_us: 1.2,
 *   decide_us: 3.2,
 *   upstream_us: 120,
 *   total_us: 180,
 * };
 * const lines: DecisionLine[] = [];
 * decisionLogObserver((l) => lines.push(l))({
 *   runId: "r1",
 *   event: {
 *     seq: 1,
 *     request: { tool: "t" },
 *     outcome: "allowed",
 *     enforced: true,
 *     decisions: [],
 *     response: {},
 *   },
 *   timing: t,
 * });
 * assert.deepEqual([lines[0]?.ts, lines[0]?.decide_us, lines[0]?.upstream_us], [t.at, 3.2, 120]);
 * ```
 */
export interface EventTiming {
  /** Wall-clock time of arrival. */
  at: string;
  /** Decision latency: evaluating the action against the compiled policies, in µs. */
  evaluate_us: number;
  /** Time to decide: from arrival (body read included) to allow/block, in µs. */
  decide_us: number;
  /** From arrival to the answer, in µs. */
  total_us: number;
  /** Waiting for the upstream's response head, in µs (gateway, when forwarded). */
  upstream_us?: number;
}

/**
 * Microseconds since `from` (a `performance.now()` reading), to the nanosecond.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { elapsedUs } from "./timing.ts";
 * const start = performance.now();
 * assert.ok(elapsedUs(start) >= 0);
 * assert.ok(elapsedUs(start - 2) >= 2000); // 2 ms ago, in µs
 * ```
 */
export function elapsedUs(from: number): number {
  return usBetween(from, performance.now());
}

/**
 * Microseconds from `from` to `to` (two `performance.now()` readings), to the nanosecond.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { usBetween } from "./timing.ts";
 * assert.equal(usBetween(1, 1.5), 500);
 * assert.equal(usBetween(0, 0.0012345), 1.235); // to the nanosecond

 * ```
 */
export function usBetween(from: number, to: number): number {
  return Math.round((to - from) * 1e6) / 1e3;
}

/**
 * Formats wall-clock times (`Date.now()` readings) as ISO 8601 text, keeping the last one: under
 * load many events arrive within one millisecond, and formatting a `Date` costs about a
 * microsecond of the request path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IsoTimes } from "./timing.ts";
 * const times = new IsoTimes();
 * assert.equal(times.format(0), "1970-01-01T00:00:00.000Z");
 * assert.equal(times.format(1), "1970-01-01T00:00:00.001Z");
 * assert.equal(times.format(1), new Date(1).toISOString());
 * ```
 */
export class IsoTimes {
  #ms = Number.NaN;
  #text = "";

  /** The same text as `new Date(ms).toISOString()`. */
  format(ms: number): string {
    if (ms !== this.#ms) {
      this.#text = new Date(ms).toISOString();
      this.#ms = ms;
    }
    return this.#text;
  }
}
