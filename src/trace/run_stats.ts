/**
 * What the review console reads of a run besides its summary — how often each rule applied,
 * failed and blocked, the busiest routes and tools, containment, latency histograms from the
 * timings, and events by outcome over time — counted one event at a time, so that a run's
 * stored summary keeps them up to date from the journal's new lines, and added up across runs
 * without reading an event again.
 *
 * @module
 */

import type { Outcome } from "../engine/outcome.ts";
import type { PendingEvent } from "./event.ts";
import { type HistogramState, LatencyHistogram } from "./latency_histogram.ts";
import { OutcomeTimeline, type TimelineState } from "./outcome_timeline.ts";
import { type CountsState, TopCounts } from "./top_counts.ts";
import type { EventTiming } from "./timing.ts";

/**
 * How one rule fared: decisions it took part in, those it failed, and failures that stopped
 * the action (a failing `block` rule, enforced).
 *
 * @example
 * ```ts
 * import type { RuleCounts } from "@mirage/core";
 * const c: RuleCounts = { applied: 10, failed: 2, blocked: 1 };
 * ```
 */
export interface RuleCounts {
  /** Events the rule applied to (it made a decision). */
  applied: number;
  /** Of those, events where it failed. */
  failed: number;
  /** Of those, events it stopped: `action: block`, enforced. */
  blocked: number;
}

/**
 * A run's statistics as stored in its summary: plain JSON.
 *
 * @example
 * ```ts
 * import { RunStats } from "@mirage/core";
 * const state = new RunStats().state;
 * console.log(state.violations, state.contained); // 0 0
 * ```
 */
export interface StatsState {
  /** Counts by rule name. */
  rules: Record<string, RuleCounts>;
  /** HTTP events by route name, or `METHOD path` when no route matched (the busiest 100). */
  routes: CountsState;
  /** Tool calls by tool (the busiest 100). */
  tools: CountsState;
  /** Events that violated a blocking rule (`policy_violation`). */
  violations: number;
  /** Of those, the ones Mirage stopped (enforced): containment's numerator. */
  contained: number;
  /** Decision latency (`evaluate_us`) of every timed event. */
  evaluate_us: HistogramState;
  /** Time to decide (`decide_us`) of every timed event. */
  decide_us: HistogramState;
  /** Upstream latency (`upstream_us`) of forwarded events. */
  upstream_us: HistogramState;
  /** Events by outcome over time. */
  timeline: TimelineState;
}

/** The longest path kept as a route key. */
const MAX_KEY = 200;

function routeKey(event: PendingEvent): string | undefined {
  if (event.request.tool !== undefined) return undefined;
  if (event.route !== undefined) return event.route;
  const { method = "", path = "" } = event.request;
  return `${method} ${path}`.slice(0, MAX_KEY);
}

function stopped(outcome: Outcome, enforced: boolean): boolean {
  return enforced && outcome === "policy_violation";
}

/**
 * A run's statistics, one event at a time.
 *
 * @example
 * ```ts
 * import { RunStats } from "@mirage/core";
 * const stats = new RunStats();
 * stats.add(
 *   {
 *     request: { method: "POST", path: "/v1/submit_bid" }, route: "submit_bid", outcome: "policy_violation",
 *     enforced: true, policy: "limit", response: { status: 403 },
 *     decisions: [{ policy: "limit", passed: false, action: "block", field: "amount", operator: "max", message: "m" }],
 *   },
 *   { at: "2026-01-01T00:00:00.000Z", evaluate_us: 2, decide_us: 30, total_us: 40 },
 * );
 * console.log(stats.state.rules.limit, stats.state.contained); // { applied: 1, failed: 1, blocked: 1 } 1
 * ```
 */
export class RunStats {
  readonly #rules: Map<string, RuleCounts>;
  readonly #routes: TopCounts;
  readonly #tools: TopCounts;
  #violations: number;
  #contained: number;
  readonly #evaluate: LatencyHistogram;
  readonly #decide: LatencyHistogram;
  readonly #upstream: LatencyHistogram;
  readonly #timeline: OutcomeTimeline;

  /** Statistics from zero, or resumed from a stored state. */
  constructor(state?: StatsState) {
    this.#rules = new Map(Object.entries(state?.rules ?? {}).map(([k, v]) => [k, { ...v }]));
    this.#routes = new TopCounts(state?.routes);
    this.#tools = new TopCounts(state?.tools);
    this.#violations = state?.violations ?? 0;
    this.#contained = state?.contained ?? 0;
    this.#evaluate = new LatencyHistogram(state?.evaluate_us);
    this.#decide = new LatencyHistogram(state?.decide_us);
    this.#upstream = new LatencyHistogram(state?.upstream_us);
    this.#timeline = new OutcomeTimeline(state?.timeline);
  }

  /** Counts one event and its timings (when the journal has them). */
  add(event: PendingEvent, timing?: EventTiming): void {
    const blocks = stopped(event.outcome, event.enforced);
    for (const d of event.decisions) {
      let rule = this.#rules.get(d.policy);
      if (!rule) this.#rules.set(d.policy, rule = { applied: 0, failed: 0, blocked: 0 });
      rule.applied++;
      if (d.passed) continue;
      rule.failed++;
      if (blocks && d.action === "block") rule.blocked++;
    }
    const route = routeKey(event);
    if (route !== undefined) this.#routes.add(route);
    if (event.request.tool !== undefined) this.#tools.add(event.request.tool);
    if (event.outcome === "policy_violation") {
      this.#violations++;
      if (blocks) this.#contained++;
    }
    if (!timing) return;
    this.#evaluate.add(timing.evaluate_us);
    this.#decide.add(timing.decide_us);
    if (timing.upstream_us !== undefined) this.#upstream.add(timing.upstream_us);
    this.#timeline.add(timing.at, event.outcome);
  }

  /** The state to store (a copy). */
  get state(): StatsState {
    return {
      rules: Object.fromEntries([...this.#rules].map(([k, v]) => [k, { ...v }])),
      routes: this.#routes.state,
      tools: this.#tools.state,
      violations: this.#violations,
      contained: this.#contained,
      evaluate_us: this.#evaluate.state,
      decide_us: this.#decide.state,
      upstream_us: this.#upstream.state,
      timeline: this.#timeline.state,
    };
  }
}
