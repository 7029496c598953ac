/**
 * Elapsed time in microseconds, as traces, metrics and the decision log report it.
 *
 * @module
 */

/** Microseconds since `from` (a `performance.now()` reading), to the nanosecond. */
export function elapsedUs(from: number): number {
  return Math.round((performance.now() - from) * 1e6) / 1e3;
}
