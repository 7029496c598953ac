/**
 * The regression guard: this run's ratios against the committed baseline. Only ratios are
 * compared (never absolute times), so that most of the baseline survives a change of machine
 * (not all of it: bench/README.md).
 */

import type { Ratio } from "./report.ts";

/** Default tolerance: a ratio may get 25% worse before the check fails. */
export const TOLERANCE = 0.25;

/**
 * The `Ratio.tolerance` of a figure that runs of the same code on one machine move by more than
 * any useful tolerance (a p99 of a few thousand requests, a time taken on cold caches): reported,
 * not checked.
 */
export const UNCHECKED = null;

/** One compared ratio. */
export interface Comparison {
  readonly key: string;
  readonly baseline: number;
  readonly current: number;
  /** How much worse, as a fraction of the baseline (negative = better). */
  readonly worse: number;
  /** How much worse it could get and pass. */
  readonly tolerance: number;
  readonly regressed: boolean;
}

/** The outcome of a check. */
export interface CheckResult {
  readonly comparisons: readonly Comparison[];
  readonly regressions: readonly Comparison[];
  /** Baseline keys this run did not measure (a suite not run, a peer that did not load). */
  readonly notMeasured: readonly string[];
  /** Keys measured and reported but not checked (their `tolerance` is `null`). */
  readonly unchecked: readonly string[];
}

/** How much worse `current` is than `baseline`, as a fraction of the baseline. */
export function worsening(baseline: Ratio, current: number): number {
  if (baseline.value === 0) return baseline.better === "lower" && current > 0 ? Infinity : 0;
  const change = (current - baseline.value) / baseline.value;
  return baseline.better === "lower" ? change : -change;
}

/**
 * Compares every baseline ratio this run also has; regressed when it got worse by more than its
 * tolerance (strictly): this run's `Ratio.tolerance`, or `tolerance` when it names none.
 */
export function compareRatios(
  baseline: Readonly<Record<string, Ratio>>,
  current: Readonly<Record<string, Ratio>>,
  tolerance = TOLERANCE,
): CheckResult {
  const comparisons: Comparison[] = [];
  const notMeasured: string[] = [];
  const unchecked: string[] = [];
  for (const [key, base] of Object.entries(baseline)) {
    const now = current[key];
    if (now === undefined || !Number.isFinite(now.value)) {
      notMeasured.push(key);
      continue;
    }
    const allowed = now.tolerance === undefined ? tolerance : now.tolerance;
    if (allowed === null) {
      unchecked.push(key);
      continue;
    }
    const worse = worsening(base, now.value);
    comparisons.push({
      key,
      baseline: base.value,
      current: now.value,
      worse,
      tolerance: allowed,
      regressed: worse > allowed,
    });
  }
  const regressions = comparisons.filter((c) => c.regressed);
  return { comparisons, regressions, notMeasured, unchecked };
}
