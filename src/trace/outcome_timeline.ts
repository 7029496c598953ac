/**
 * Events by outcome over time, in buckets of wall-clock time: a minute at first, doubling (and
 * merging neighbours) whenever a run spans more than 256 buckets, so that a CI run of seconds
 * and a gateway run of months both keep a small, fixed-size record. Buckets start at multiples
 * of their width since the epoch, so the buckets of any two runs line up.
 *
 * @module
 */

import { type Outcome, OUTCOMES } from "../engine/outcome.ts";

/** The narrowest bucket, in ms: a minute. */
const TIMELINE_STEP_MS = 60_000;

/** Buckets a run keeps at most. */
const MAX_BUCKETS = 256;

/**
 * Options of {@link OutcomeTimeline}.
 *
 * @example
 * ```ts
 * import type { TimelineOptions } from "./outcome_timeline.ts";
 * const chart: TimelineOptions = { maxBuckets: 48 };
 * ```
 */
export interface TimelineOptions {
  /** The narrowest bucket, in ms; default a minute. */
  readonly minStepMs?: number;
  /** Buckets kept at most (the span decides the width); default 256. */
  readonly maxBuckets?: number;
}

const INDEX: ReadonlyMap<Outcome, number> = new Map(OUTCOMES.map((o, i) => [o, i]));

/**
 * A run's timeline as stored in its summary: the bucket width, and per bucket (keyed by its
 * start, ms since the epoch) the events of each outcome, in {@link OUTCOMES} order.
 *
 * @example
 * ```ts
 * import type { TimelineState } from "./outcome_timeline.ts";
 * const t: TimelineState = { step_ms: 60_000, buckets: { "1767225600000": [2, 0, 0, 0, 1] } };
 * ```
 */
export interface TimelineState {
  /** Bucket width, in ms: 60,000 × a power of two. */
  step_ms: number;
  /** Counts by outcome (in `OUTCOMES` order) per bucket start. */
  buckets: Record<string, number[]>;
}

function startOf(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

/**
 * Events by outcome per time bucket.
 *
 * @example
 * ```ts
 * import { OutcomeTimeline } from "./outcome_timeline.ts";
 * const t = new OutcomeTimeline();
 * t.add("2026-01-01T00:00:10.000Z", "allowed");
 * t.add("2026-01-01T00:00:50.000Z", "policy_violation");
 * console.log(Object.values(t.state.buckets)); // [[1, 0, 0, 0, 1]]
 * ```
 */
export class OutcomeTimeline {
  #step: number;
  readonly #max: number;
  #buckets: Map<number, number[]>;
  #first = Infinity;
  #last = -Infinity;

  /** An empty timeline, or one resumed from a stored state. */
  constructor(state?: TimelineState, options: TimelineOptions = {}) {
    const min = options.minStepMs ?? TIMELINE_STEP_MS;
    this.#step = Math.max(state?.step_ms ?? min, min);
    this.#max = options.maxBuckets ?? MAX_BUCKETS;
    this.#buckets = new Map();
    if (state) this.merge(state);
  }

  /** The bucket width, in ms. */
  get stepMs(): number {
    return this.#step;
  }

  /** Counts one event at `at` (an ISO time); an unreadable time is not counted. */
  add(at: string, outcome: Outcome): void {
    const ms = Date.parse(at);
    if (Number.isNaN(ms)) return;
    this.#count(startOf(ms, this.#step), INDEX.get(outcome) as number, 1);
    this.#fit();
  }

  /** Adds another timeline's counts (its buckets go into the ones here that hold them). */
  merge(state: TimelineState): void {
    if (state.step_ms > this.#step) this.#rebucket(state.step_ms);
    for (const [key, counts] of Object.entries(state.buckets)) {
      const at = startOf(Number(key), this.#step);
      if (!Number.isFinite(at)) continue;
      counts.forEach((n, i) => n > 0 && i < OUTCOMES.length && this.#count(at, i, n));
    }
    this.#fit();
  }

  /** The buckets in time order: their start (ms) and counts by outcome. */
  buckets(): { start: number; counts: number[] }[] {
    return [...this.#buckets].sort((a, b) => a[0] - b[0]).map(([start, counts]) => ({
      start,
      counts: [...counts],
    }));
  }

  /** The state to store. */
  get state(): TimelineState {
    const buckets: Record<string, number[]> = {};
    for (const { start, counts } of this.buckets()) buckets[String(start)] = counts;
    return { step_ms: this.#step, buckets };
  }

  #count(at: number, outcome: number, n: number): void {
    let counts = this.#buckets.get(at);
    if (!counts) {
      this.#buckets.set(at, counts = OUTCOMES.map(() => 0));
      this.#first = Math.min(this.#first, at);
      this.#last = Math.max(this.#last, at);
    }
    counts[outcome] = (counts[outcome] as number) + n;
  }

  /** Widens the buckets until the span fits in the most buckets allowed. */
  #fit(): void {
    const span = this.#last - this.#first;
    if (!(span >= this.#max * this.#step)) return;
    let step = this.#step;
    while (span >= this.#max * step) step *= 2;
    this.#rebucket(step);
  }

  /** Puts the counts into buckets `step` wide. */
  #rebucket(step: number): void {
    const old = this.#buckets;
    this.#step = step;
    this.#buckets = new Map();
    this.#first = Infinity;
    this.#last = -Infinity;
    for (const [at, counts] of old) {
      counts.forEach((n, i) => n > 0 && this.#count(startOf(at, this.#step), i, n));
    }
  }
}
