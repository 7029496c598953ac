/**
 * The overview's figures, added up from the runs' stored summaries (`TraceReader.scan`) —
 * never from their events: runs and events by outcome, containment, decision latency and time
 * to decide, policy friction, the busiest routes and tools, events and runs over time, and the
 * same headline figures for each mode side by side.
 *
 * @module
 */

import { type OutcomeCounts, OUTCOMES, zeroCounts } from "../engine/outcome.ts";
import { LatencyHistogram } from "../trace/latency_histogram.ts";
import { OutcomeTimeline } from "../trace/outcome_timeline.ts";
import type { RuleCounts } from "../trace/run_stats.ts";
import { TopCounts } from "../trace/top_counts.ts";
import type { RunEntry, RunInfo } from "../trace/trace_reader.ts";

/**
 * Percentiles of a latency, in µs, over `count` timed events.
 *
 * @example
 * ```ts
 * import type { Percentiles } from "./overview_figures.ts";
 * const p: Percentiles = { count: 3, p50: 2.1, p95: 8, p99: 8 };
 * ```
 */
export interface Percentiles {
  /** Timed events. */
  readonly count: number;
  /** Median. */
  readonly p50?: number | undefined;
  /** 95th percentile. */
  readonly p95?: number | undefined;
  /** 99th percentile. */
  readonly p99?: number | undefined;
}

/**
 * The headline figures of a set of runs.
 *
 * @example
 * ```ts
 * import { overviewFigures } from "./overview_figures.ts";
 * console.log(overviewFigures([]).total.runs); // 0
 * ```
 */
export interface Headline {
  /** The mode, or `all`. */
  readonly mode: string;
  /** Runs. */
  readonly runs: number;
  /** Runs by their outcome. */
  readonly runOutcomes: OutcomeCounts;
  /** Events. */
  readonly events: number;
  /** Events by outcome. */
  readonly outcomes: OutcomeCounts;
  /** Events that violated a blocking rule. */
  readonly violations: number;
  /** Of those, the ones stopped before a side effect. */
  readonly contained: number;
  /** Violating actions with side effects that still took effect. */
  readonly sideEffects: number;
  /** Decision latency. */
  readonly evaluate: Percentiles;
  /** Time to decide. */
  readonly decide: Percentiles;
}

/**
 * A rule's counts over every run, with its name.
 *
 * @example
 * ```ts
 * import type { RuleFigures } from "./overview_figures.ts";
 * const r: RuleFigures = { rule: "enforce_bid_limit", applied: 9, failed: 3, blocked: 2 };
 * ```
 */
export interface RuleFigures extends RuleCounts {
  /** The rule's name. */
  readonly rule: string;
}

/**
 * Buckets of time for an outcome chart: their width and counts in `OUTCOMES` order.
 *
 * @example
 * ```ts
 * import type { TimeSeries } from "./overview_figures.ts";
 * const t: TimeSeries = { stepMs: 60_000, buckets: [{ start: 0, counts: [3, 0, 0, 0, 1] }] };
 * ```
 */
export interface TimeSeries {
  /** Bucket width, in ms. */
  readonly stepMs: number;
  /** Buckets in time order. */
  readonly buckets: readonly { readonly start: number; readonly counts: readonly number[] }[];
}

/**
 * Everything the overview shows.
 *
 * @example
 * ```ts
 * import { type OverviewFigures, overviewFigures } from "./overview_figures.ts";
 * const f: OverviewFigures = overviewFigures([]);
 * console.log(f.rules.length, f.modes.length); // 0 0
 * ```
 */
export interface OverviewFigures {
  /** Every run shown (of the chosen mode, or all). */
  readonly total: Headline;
  /** Each mode's headline, over every run (whatever mode was chosen). */
  readonly modes: readonly Headline[];
  /** Upstream latency of forwarded events. */
  readonly upstream: Percentiles;
  /** Every rule seen, failures first. */
  readonly rules: readonly RuleFigures[];
  /** The busiest routes. */
  readonly routes: readonly [string, number][];
  /** The busiest tools. */
  readonly tools: readonly [string, number][];
  /** Events by outcome over time. */
  readonly events: TimeSeries;
  /** Runs by outcome over time (by their last event). */
  readonly runs: TimeSeries;
  /** The newest runs that failed the gate. */
  readonly failing: readonly RunInfo[];
}

/** Bars in a chart over time, at most. */
const CHART_BUCKETS = 48;
/** Routes, tools and failing runs listed. */
const TOP = 10;

function percentiles(h: LatencyHistogram): Percentiles {
  return { count: h.count, p50: h.percentile(50), p95: h.percentile(95), p99: h.percentile(99) };
}

function headline(mode: string, entries: readonly RunEntry[]): Headline {
  const runOutcomes = zeroCounts();
  const outcomes = zeroCounts();
  const evaluate = new LatencyHistogram();
  const decide = new LatencyHistogram();
  let events = 0, violations = 0, contained = 0, sideEffects = 0;
  for (const { info, stats } of entries) {
    runOutcomes[info.outcome]++;
    for (const o of OUTCOMES) outcomes[o] += info.counts[o] ?? 0;
    events += info.events;
    violations += stats.violations;
    contained += stats.contained;
    sideEffects += info.side_effect_count;
    evaluate.merge(stats.evaluate_us);
    decide.merge(stats.decide_us);
  }
  return {
    mode,
    runs: entries.length,
    runOutcomes,
    events,
    outcomes,
    violations,
    contained,
    sideEffects,
    evaluate: percentiles(evaluate),
    decide: percentiles(decide),
  };
}

/** Modes in the order a reader expects them: CI first, then the gateway's two. */
function modeOrder(a: string, b: string): number {
  const rank = (m: string) => {
    const i = ["ci", "enforce", "passthrough"].indexOf(m);
    return i < 0 ? 3 : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function byMode(entries: readonly RunEntry[]): Headline[] {
  const groups = new Map<string, RunEntry[]>();
  for (const e of entries) {
    const group = groups.get(e.info.mode);
    if (group) group.push(e);
    else groups.set(e.info.mode, [e]);
  }
  return [...groups.keys()].sort(modeOrder).map((m) => headline(m, groups.get(m) as RunEntry[]));
}

/**
 * Every rule the runs name, with its counts added up: failures first, then blocks, then name.
 *
 * @example
 * ```ts
 * import { ruleFigures } from "./overview_figures.ts";
 * console.log(ruleFigures([])); // []
 * ```
 */
export function ruleFigures(entries: readonly RunEntry[]): RuleFigures[] {
  const rules = new Map<string, { rule: string } & RuleCounts>();
  for (const { stats } of entries) {
    for (const [rule, c] of Object.entries(stats.rules)) {
      let r = rules.get(rule);
      if (!r) rules.set(rule, r = { rule, applied: 0, failed: 0, blocked: 0 });
      r.applied += c.applied;
      r.failed += c.failed;
      r.blocked += c.blocked;
    }
  }
  return [...rules.values()].sort((a, b) =>
    b.failed - a.failed || b.blocked - a.blocked || (a.rule < b.rule ? -1 : 1)
  );
}

function busiest(entries: readonly RunEntry[], pick: "routes" | "tools"): [string, number][] {
  const all = new TopCounts(undefined, Infinity);
  for (const { stats } of entries) {
    for (const [key, n] of Object.entries(stats[pick])) all.add(key, n);
  }
  return all.top(TOP);
}

function series(t: OutcomeTimeline): TimeSeries {
  return { stepMs: t.stepMs, buckets: t.buckets() };
}

function overTime(entries: readonly RunEntry[]): { events: TimeSeries; runs: TimeSeries } {
  const events = new OutcomeTimeline(undefined, { maxBuckets: CHART_BUCKETS });
  for (const { stats } of entries) events.merge(stats.timeline);
  const runs = new OutcomeTimeline(undefined, {
    maxBuckets: CHART_BUCKETS,
    minStepMs: events.stepMs,
  });
  for (const { info } of entries) if (info.last_at) runs.add(info.last_at, info.outcome);
  return { events: series(events), runs: series(runs) };
}

/**
 * Adds up the overview of `entries` (newest first, as `scan` gives them); `all` are every run,
 * for the side-by-side headline of each mode. Without `all`, `entries` are every run.
 *
 * @example
 * ```ts
 * import { TraceReader } from "@mirage/core";
 * import { overviewFigures } from "./overview_figures.ts";
 * const figures = overviewFigures(await new TraceReader("artifacts/traces").scan());
 * console.log(figures.total.contained, "of", figures.total.violations, "contained");
 * ```
 */
export function overviewFigures(
  entries: readonly RunEntry[],
  all: readonly RunEntry[] = entries,
  mode = "all",
): OverviewFigures {
  const upstream = new LatencyHistogram();
  for (const { stats } of entries) upstream.merge(stats.upstream_us);
  return {
    total: headline(mode, entries),
    modes: byMode(all),
    upstream: percentiles(upstream),
    rules: ruleFigures(entries),
    routes: busiest(entries, "routes"),
    tools: busiest(entries, "tools"),
    ...overTime(entries),
    failing: entries.filter((e) => e.info.outcome !== "allowed" && e.info.outcome !== "flagged")
      .slice(0, TOP).map((e) => e.info),
  };
}
