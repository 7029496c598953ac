/**
 * Durations in microseconds counted in logarithmic buckets, sixteen to a power of two, so that
 * a run's summary can carry its decision latencies in a few dozen numbers, summaries of many
 * runs add up exactly, and a percentile of the sum is within about 2% of the true value.
 *
 * @module
 */

/** Buckets per power of two: a bucket's bounds are about 4.4% apart. */
const PER_OCTAVE = 16;

/** Durations under this (µs) share the lowest bucket. */
const FLOOR_US = 0.001;

/**
 * Counts by bucket index, as stored in a summary: plain JSON.
 *
 * @example
 * ```ts
 * import type { HistogramState } from "./latency_histogram.ts";
 * const h: HistogramState = { "27": 3, "28": 1 };
 * ```
 */
export type HistogramState = Record<string, number>;

function bucketOf(us: number): number {
  return Math.floor(Math.log2(Math.max(us, FLOOR_US)) * PER_OCTAVE);
}

/** The middle of a bucket (geometric), its stand-in value. */
function middleOf(bucket: number): number {
  return 2 ** ((bucket + 0.5) / PER_OCTAVE);
}

/**
 * A latency histogram that can be stored, resumed and added to another.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./latency_histogram.ts";
 * const h = new LatencyHistogram();
 * for (const us of [3, 3.1, 2.9, 40]) h.add(us);
 * console.log(h.count, Math.round(h.percentile(50) ?? 0)); // 4 3
 * ```
 */
export class LatencyHistogram {
  readonly #counts = new Map<number, number>();
  #count = 0;

  /** An empty histogram, or one resumed from a stored state. */
  constructor(state?: HistogramState) {
    if (state) this.merge(state);
  }

  /** Values counted. */
  get count(): number {
    return this.#count;
  }

  /** Counts one duration (µs); a value that is not a finite number is ignored. */
  add(us: number): void {
    if (!Number.isFinite(us)) return;
    const bucket = bucketOf(us);
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + 1);
    this.#count++;
  }

  /** Adds the counts of another histogram. */
  merge(state: HistogramState): void {
    for (const [key, n] of Object.entries(state)) {
      const bucket = Number(key);
      if (!Number.isInteger(bucket) || !(n > 0)) continue;
      this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + n);
      this.#count += n;
    }
  }

  /** The `p`th percentile (0–100) in µs; `undefined` when nothing was counted. */
  percentile(p: number): number | undefined {
    if (this.#count === 0) return undefined;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    const buckets = [...this.#counts.keys()].sort((a, b) => a - b);
    for (const bucket of buckets) {
      seen += this.#counts.get(bucket) as number;
      if (seen >= rank) return middleOf(bucket);
    }
    return middleOf(buckets.at(-1) as number);
  }

  /** The state to store. */
  get state(): HistogramState {
    return Object.fromEntries([...this.#counts].map(([bucket, n]) => [String(bucket), n]));
  }
}
