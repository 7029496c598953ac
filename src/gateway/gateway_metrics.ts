/**
 * The gateway's metrics: the shared ones (requests by outcome, failing rules by policy,
 * decision latency) plus time to decide and upstream latency.
 *
 * @module
 */

import { Histogram } from "../http/histogram.ts";
import { Metrics, type MetricsSample } from "../http/metrics.ts";

/** Seconds, 100 µs … 30 s: a decision includes reading the body, upstream latency is network. */
const SLOW_BUCKETS: readonly number[] = [
  1e-4,
  5e-4,
  1e-3,
  5e-3,
  1e-2,
  5e-2,
  0.1,
  0.5,
  1,
  5,
  10,
  30,
];

/** One decided request, as the gateway's metrics need it. */
export interface GatewaySample extends MetricsSample {
  /** From arrival to allow/block, in seconds. */
  readonly timeToDecideSeconds: number;
  /** Time to the upstream's response head, in seconds, when the request was forwarded. */
  readonly upstreamSeconds?: number;
}

/**
 * {@link Metrics} plus two histograms; it is a `Metrics`, so the shared admin routes serve it.
 *
 * @example
 * ```ts
 * import { GatewayMetrics } from "./gateway_metrics.ts";
 * const m = new GatewayMetrics();
 * m.observeRequest({ outcome: "allowed", failedPolicies: [], decideSeconds: 4e-6, timeToDecideSeconds: 2e-4, upstreamSeconds: 0.01 });
 * ```
 */
export class GatewayMetrics extends Metrics {
  readonly #toDecide = new Histogram(
    "mirage_time_to_decide_seconds",
    "Time from a request's arrival to allow/block, before forwarding.",
    SLOW_BUCKETS,
  );
  readonly #upstream = new Histogram(
    "mirage_upstream_seconds",
    "Time from forwarding to the upstream's response head.",
    SLOW_BUCKETS,
  );

  /** Counts one request. */
  observeRequest(sample: GatewaySample): void {
    this.observe(sample);
    this.#toDecide.observe(sample.timeToDecideSeconds);
    if (sample.upstreamSeconds !== undefined) this.#upstream.observe(sample.upstreamSeconds);
  }

  /** The shared exposition text followed by the gateway's histograms. */
  override render(): string {
    return `${super.render()}${
      [...this.#toDecide.render(), ...this.#upstream.render(), ""].join("\n")
    }`;
  }
}
