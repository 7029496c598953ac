/**
 * Elapsed time in microseconds, as traces, metrics and the decision log report it.
 *
 * @module
 */

/** Microseconds since `from` (a `performance.now()` reading), to the nanosecond. */
export function elapsedUs(from: number): number {
  return usBetween(from, performance.now());
}

/** Microseconds from `from` to `to` (two `performance.now()` readings), to the nanosecond. */
export function usBetween(from: number, to: number): number {
  return Math.round((to - from) * 1e6) / 1e3;
}
