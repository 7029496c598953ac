/**
 * Percentiles and small summaries over samples.
 */

/** The p-th percentile (0–100) by nearest rank on a sorted copy; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The median of some numbers (NaN when there are none). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** p50, p95, p99 and the sample count. */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

/** The three percentiles the reports use. */
export function percentiles(samples: readonly number[]): Percentiles {
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    n: samples.length,
  };
}

/** Arithmetic mean; NaN for no samples. */
export function mean(samples: readonly number[]): number {
  return samples.length === 0 ? NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
}

/** Samples rounded for the JSON record: 0.001 µs is below anything these timings resolve. */
export function rounded(samples: readonly number[], decimals = 3): number[] {
  const f = 10 ** decimals;
  return samples.map((x) => Math.round(x * f) / f);
}
