/**
 * A Prometheus histogram of durations in seconds: the shared decision latency, and the
 * gateway's time-to-decide and upstream latency.
 *
 * @module
 */

/**
 * Cumulative buckets plus sum and count, rendered in the text exposition format.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Histogram } from "./histogram.ts";
 * const h = new Histogram("mirage_upstream_seconds", "Upstream latency.", [0.01, 0.1, 1]);
 * h.observe(0.05);
 * const lines = h.render();
 * assert.ok(lines.includes('mirage_upstream_seconds_bucket{le="0.01"} 0'));
 * assert.ok(lines.includes('mirage_upstream_seconds_bucket{le="0.1"} 1'));
 * assert.ok(lines.includes("mirage_upstream_seconds_count 1"));
 * ```
 */
export class Histogram {
  readonly #name: string;
  readonly #help: string;
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  /** A histogram with ascending bucket upper bounds. */
  constructor(name: string, help: string, bounds: readonly number[]) {
    this.#name = name;
    this.#help = help;
    this.#bounds = bounds;
    this.#counts = bounds.map(() => 0);
  }

  /** Records one value. */
  observe(seconds: number): void {
    for (let i = 0; i < this.#bounds.length; i++) {
      if (seconds <= (this.#bounds[i] as number)) this.#counts[i] = (this.#counts[i] as number) + 1;
    }
    this.#sum += seconds;
    this.#count++;
  }

  /** The exposition lines. */
  render(): string[] {
    const n = this.#name;
    return [
      `# HELP ${n} ${this.#help}`,
      `# TYPE ${n} histogram`,
      ...this.#bounds.map((le, i) => `${n}_bucket{le="${le}"} ${this.#counts[i]}`),
      `${n}_bucket{le="+Inf"} ${this.#count}`,
      `${n}_sum ${this.#sum}`,
      `${n}_count ${this.#count}`,
    ];
  }
}
