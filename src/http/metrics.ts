/**
 * Prometheus text exposition of what a Mirage server decided: requests by outcome, failing
 * rules by policy, and histograms of decision latency, time to decide and upstream latency, in
 * seconds; and what its listener did with connections. Surface-independent: every server feeds
 * it the recorded events and hands {@link Metrics.connections} to its listener.
 *
 * @module
 */

import type { EventObserver } from "../trace/recorder.ts";
import { ConnectionCounters } from "./connection_counters.ts";
import { Histogram } from "./histogram.ts";
import type { StoreStatus } from "../state/state_store.ts";

/** Upper bounds of the decision-latency buckets, in seconds (1 µs … 100 ms). */
const BUCKETS: readonly number[] = [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 1e-1];

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

const NONE: readonly string[] = Object.freeze([]);

/**
 * One decided action, as the metrics need it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Metrics, type MetricsSample } from "./metrics.ts";
 * const sample: MetricsSample = {
 *   outcome: "policy_violation",
 *   failedPolicies: ["bid_cap"],
 *   decideSeconds: 0.000012,
 *   timeToDecideSeconds: 0.0004,
 * };
 * const m = new Metrics();
 * m.observe(sample);
 * assert.ok(m.render().includes('mirage_policy_failures_total{policy="bid_cap"} 1'));
 * ```
 */
export interface MetricsSample {
  /** The action's outcome (`allowed`, `policy_violation`, …). */
  readonly outcome: string;
  /** Names of the rules that failed on it. */
  readonly failedPolicies: readonly string[];
  /** Decision latency (evaluating the compiled policies), in seconds. */
  readonly decideSeconds: number;
  /** From arrival to allow/block, in seconds. */
  readonly timeToDecideSeconds?: number;
  /** Time to the upstream's response head, in seconds, when the request was forwarded. */
  readonly upstreamSeconds?: number;
}

/** Escapes a label value as the exposition format requires. */
function label(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function counterLines(name: string, help: string, labelName: string, counts: Map<string, number>) {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} counter`];
  for (const [key, n] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`${name}{${labelName}="${label(key)}"} ${n}`);
  }
  return lines;
}

/** The state store's gauge and error counter. */
function stateLines(s: StoreStatus): string[] {
  const store = `store="${label(s.store)}"`;
  return [
    "# HELP mirage_state_store_up Whether the state store answers calls now (1) or not (0).",
    "# TYPE mirage_state_store_up gauge",
    `mirage_state_store_up{${store}} ${s.status === "ready" ? 1 : 0}`,
    "# HELP mirage_state_store_errors_total State-store calls that failed or timed out.",
    "# TYPE mirage_state_store_errors_total counter",
    `mirage_state_store_errors_total{${store}} ${s.errors}`,
  ];
}

/**
 * In-memory counters and a latency histogram, rendered as Prometheus text; with `state`, the
 * state store's health too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Metrics } from "./metrics.ts";
 * const m = new Metrics(() => ({ store: "memory", status: "ready", errors: 0 }));
 * m.observe({ outcome: "allowed", failedPolicies: [], decideSeconds: 0.000004 });
 * m.observe({ outcome: "allowed", failedPolicies: [], decideSeconds: 0.000002 });
 * const text = m.render();
 * assert.ok(text.includes('mirage_requests_total{outcome="allowed"} 2'));
 * assert.ok(text.includes('mirage_state_store_up{store="memory"} 1'));
 * ```
 */
export class Metrics {
  readonly #state: (() => StoreStatus) | undefined;
  /** The listener's connection counts, rendered with the rest. */
  readonly connections: ConnectionCounters = new ConnectionCounters();
  readonly #outcomes = new Map<string, number>();
  readonly #policies = new Map<string, number>();
  readonly #latency = new Histogram(
    "mirage_decision_seconds",
    "Time to evaluate one action against the compiled policies.",
    BUCKETS,
  );
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

  /** Metrics that also report the state store's status, read when rendering. */
  constructor(state?: () => StoreStatus) {
    this.#state = state;
  }

  /** Counts one decided action. */
  observe(sample: MetricsSample): void {
    this.#outcomes.set(sample.outcome, (this.#outcomes.get(sample.outcome) ?? 0) + 1);
    for (const p of sample.failedPolicies) this.#policies.set(p, (this.#policies.get(p) ?? 0) + 1);
    this.#latency.observe(sample.decideSeconds);
    if (sample.timeToDecideSeconds !== undefined) {
      this.#toDecide.observe(sample.timeToDecideSeconds);
    }
    if (sample.upstreamSeconds !== undefined) this.#upstream.observe(sample.upstreamSeconds);
  }

  /** An observer of a recorder that counts every recorded event. */
  observer(): EventObserver {
    return ({ event, timing }) => {
      let failed: string[] | undefined;
      for (const d of event.decisions) if (!d.passed) (failed ??= []).push(d.policy);
      this.observe({
        outcome: event.outcome,
        failedPolicies: failed ?? NONE,
        decideSeconds: timing.evaluate_us / 1e6,
        timeToDecideSeconds: timing.decide_us / 1e6,
        ...(timing.upstream_us === undefined ? {} : { upstreamSeconds: timing.upstream_us / 1e6 }),
      });
    };
  }

  /** The exposition text (`text/plain; version=0.0.4`). */
  render(): string {
    return [
      ...counterLines(
        "mirage_requests_total",
        "Actions decided, by outcome.",
        "outcome",
        this.#outcomes,
      ),
      ...counterLines(
        "mirage_policy_failures_total",
        "Failing rule decisions, by policy.",
        "policy",
        this.#policies,
      ),
      ...this.#latency.render(),
      ...this.#toDecide.render(),
      ...this.#upstream.render(),
      ...(this.#state ? stateLines(this.#state()) : []),
      ...this.connections.render(),
      "",
    ].join("\n");
  }
}

/**
 * The content type of {@link Metrics.render}'s text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Metrics, METRICS_CONTENT_TYPE } from "./metrics.ts";
 * const res = new Response(new Metrics().render(), {
 *   headers: { "content-type": METRICS_CONTENT_TYPE },
 * });
 * assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
 * assert.ok((await res.text()).includes("# TYPE mirage_decision_seconds histogram"));
 * ```
 */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
