/**
 * The most frequent keys of a stream (routes, tools) in bounded space: the Space-Saving
 * algorithm, with at most `capacity` counters. Every key a run has fewer of than `capacity` is
 * counted exactly; past that, a new key takes over the smallest counter (and its count, plus
 * one), so a key's count can be over by at most that smallest count — the heavy hitters stay.
 *
 * @module
 */

/**
 * Counts by key, as stored in a summary: plain JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CountsState, TopCounts } from "./top_counts.ts";
 * const c: CountsState = { "POST /v1/submit_bid": 12, "GET /v1/suppliers": 3 };
 * const top = new TopCounts(c); // carries on from a stored state
 * top.add("GET /v1/suppliers", 10);
 * assert.deepEqual(top.state, { "POST /v1/submit_bid": 12, "GET /v1/suppliers": 13 });
 * ```
 */
export type CountsState = Record<string, number>;

/** Counters a run keeps by default. */
const TOP_CAPACITY = 100;

/**
 * Bounded counts of the most frequent keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TopCounts } from "./top_counts.ts";
 * const top = new TopCounts(undefined, 2);
 * for (const k of ["a", "b", "a", "c", "a"]) top.add(k);
 * assert.deepEqual(top.top(1), [["a", 3]]);
 * // Full, a new key takes the place of the smallest and its count (an upper bound).
 * assert.deepEqual(top.top(5), [["a", 3], ["c", 2]]);
 * ```
 */
export class TopCounts {
  readonly #counts: Map<string, number>;
  readonly #capacity: number;

  /** Counts resumed from a stored state (or none), keeping at most `capacity` keys. */
  constructor(state?: CountsState, capacity: number = TOP_CAPACITY) {
    this.#counts = new Map(Object.entries(state ?? {}));
    this.#capacity = capacity;
  }

  /** Counts one occurrence of `key`. */
  add(key: string, n = 1): void {
    const known = this.#counts.get(key);
    if (known !== undefined) {
      this.#counts.set(key, known + n);
      return;
    }
    if (this.#counts.size < this.#capacity) {
      this.#counts.set(key, n);
      return;
    }
    let smallest: [string, number] | undefined;
    for (const entry of this.#counts) {
      if (!smallest || entry[1] < smallest[1]) smallest = entry;
    }
    const [evicted, count] = smallest as [string, number];
    this.#counts.delete(evicted);
    this.#counts.set(key, count + n);
  }

  /** The `n` largest counts, largest first (ties by key). */
  top(n: number): [string, number][] {
    return [...this.#counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
  }

  /** The state to store. */
  get state(): CountsState {
    return Object.fromEntries(this.#counts);
  }
}
