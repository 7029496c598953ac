/**
 * The gate: reads the traces of one or more runs and decides whether they may pass a build.
 * A run fails on `policy_violation`, `unmatched_route` or `error` (and `flagged` when asked);
 * no traces at all, or a requested run without a trace, fails too — never a silent pass.
 *
 * Runs are read as streams (`trace_reader.ts`), so that a large journal costs time, not memory:
 * a run of at most {@link MAX_LISTED_EVENTS} events lists every event; a larger one lists its
 * first {@link MAX_LISTED_EVENTS} events that are not `allowed` and counts the rest.
 *
 * @module
 */

import { isFailing, type Outcome, type OutcomeCounts } from "../engine/outcome.ts";
import type { TraceEvent } from "../trace/event.ts";
import { type RunInfo, TraceReader } from "../trace/trace_reader.ts";
import { describeEvent, describeRequest } from "../trace/describe_event.ts";
import { type HintFiles, nextHint } from "./next_hint.ts";

/**
 * One event of a gated run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { session } from "@mirage/core";
 * import { type GateEvent, gateTraces } from "./gate_runs.ts";
 * const traces = await Deno.makeTempDir();
 * {
 *   await using mirage = await session({
 *     runId: "procurement-run", policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", traces,
 *   });
 *   await mirage.fetch("http://api.acme.internal/v1/submit_bid", { method: "POST", body: '{"amount": 50000}' });
 * }
 * const files = { policies: "policies/procurement.yaml" };
 * const report = await gateTraces({ traces, runIds: [], failOnFlagged: false, files });
 * const event: GateEvent | undefined = report.runs[0]?.events[0];
 * assert.equal(event?.name, "#1 POST /v1/submit_bid");
 * assert.equal(event?.fails, true);
 * assert.match(event?.next ?? "", /^Next: fix the agent, or change policy enforce_bid_limit in policies/);
 * ```
 */
export interface GateEvent {
  /** Position in the run. */
  seq: number;
  /** Short name, `#3 POST /v1/submit_bid`. */
  name: string;
  /** The event's outcome. */
  outcome: Outcome;
  /** The deciding policy, if any. */
  policy?: string;
  /** The readable line of `describeEvent`. */
  description: string;
  /** Whether this event fails the gate. */
  fails: boolean;
  /** What to do about it, for failing and flagged events. */
  next?: string;
}

/**
 * One gated run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { session } from "@mirage/core";
 * import { type GatedRun, gateTraces } from "./gate_runs.ts";
 * const traces = await Deno.makeTempDir();
 * {
 *   await using mirage = await session({
 *     runId: "procurement-run", policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", traces,
 *   });
 *   await mirage.fetch("http://api.acme.internal/v1/submit_bid", { method: "POST", body: '{"amount": 50000}' });
 * }
 * const report = await gateTraces({ traces, runIds: ["procurement-run"], failOnFlagged: false, files: {} });
 * const run: GatedRun | undefined = report.runs[0];
 * assert.equal(run?.passed, false);
 * assert.equal(run?.counts.policy_violation, 1);
 * assert.deepEqual(run?.omitted, { events: 0, failing: 0 });
 * ```
 */
export interface GatedRun {
  /** The run id. */
  run_id: string;
  /** The run's worst outcome. */
  outcome: Outcome;
  /** The policy of the worst event, if any. */
  policy?: string;
  /** Events by outcome. */
  counts: OutcomeCounts;
  /** Violating actions with side effects that still landed. */
  side_effect_count: number;
  /** Path of the trace file. */
  trace: string;
  /** Whether the run passes. */
  passed: boolean;
  /** Number of events in the run. */
  event_count: number;
  /** The run's events, or in a large run the first ones that are not `allowed`. */
  events: GateEvent[];
  /** Events of the run left out of `events`, and how many of them fail. */
  omitted: { events: number; failing: number };
}

/**
 * A run lists every event up to this many; past it, the first this many not `allowed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { session } from "@mirage/core";
 * import { gateTraces, MAX_LISTED_EVENTS } from "./gate_runs.ts";
 * const traces = await Deno.makeTempDir();
 * {
 *   await using mirage = await session({
 *     runId: "procurement-run", policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", traces,
 *   });
 *   await mirage.fetch("http://api.acme.internal/v1/submit_bid", { method: "POST", body: '{"amount": 50000}' });
 * }
 * const [run] = (await gateTraces({ traces, runIds: [], failOnFlagged: false, files: {} })).runs;
 * assert.ok(run && run.event_count <= MAX_LISTED_EVENTS);
 * assert.equal(run.events.length, run.event_count); // a small run lists every event
 * ```
 */
export const MAX_LISTED_EVENTS = 1_000;

/** The command `gate-run` ran under the proxy, if any. */
interface GatedCommand {
  /** The command and its arguments. */
  argv: string[];
  /** Its exit code. */
  exit_code: number;
}

/**
 * Everything the gate found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GateReport, gateTraces } from "./gate_runs.ts";
 * const traces = await Deno.makeTempDir();
 * const report: GateReport = await gateTraces({ traces, runIds: [], failOnFlagged: false, files: {} });
 * assert.equal(report.passed, false); // no traces at all is never a silent pass
 * assert.deepEqual(report.problems, [
 *   `no traces in ${traces}: did the agent send its requests through mirage proxy?`,
 * ]);
 * ```
 */
export interface GateReport {
  /** True only when every run passed, nothing was missing and the command (if any) exited 0. */
  passed: boolean;
  /** The trace directory. */
  traces: string;
  /** The gated runs, in run id order (or as requested). */
  runs: GatedRun[];
  /** Problems that fail the gate without being a run: missing traces, a failing command. */
  problems: string[];
  /** The command run under the proxy, if any. */
  command?: GatedCommand;
}

/**
 * What to gate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GateOptions, gateTraces } from "./gate_runs.ts";
 * const traces = await Deno.makeTempDir();
 * const options: GateOptions = { traces, runIds: ["nightly-run"], failOnFlagged: true, files: {} };
 * const report = await gateTraces(options);
 * assert.deepEqual(report.problems, [`no trace for run 'nightly-run' in ${traces}`]);
 * ```
 */
export interface GateOptions {
  /** The trace directory. */
  readonly traces: string;
  /** Run ids to gate; all runs in the directory when empty. */
  readonly runIds: readonly string[];
  /** Also fail on `flagged`. */
  readonly failOnFlagged: boolean;
  /** Files the hints point at. */
  readonly files: HintFiles;
}

function gateEvent(e: TraceEvent, options: GateOptions): GateEvent {
  const fails = isFailing(e.outcome, options.failOnFlagged);
  const event: GateEvent = {
    seq: e.seq,
    name: `#${e.seq} ${describeRequest(e.request)}`,
    outcome: e.outcome,
    description: describeEvent(e),
    fails,
  };
  if (e.policy !== undefined) event.policy = e.policy;
  if (e.outcome !== "allowed") event.next = nextHint(e, options.files);
  return event;
}

async function gateRun(
  reader: TraceReader,
  runId: string,
  info: RunInfo,
  options: GateOptions,
): Promise<GatedRun> {
  const listAll = info.events <= MAX_LISTED_EVENTS;
  const events: GateEvent[] = [];
  const omitted = { events: 0, failing: 0 };
  let failing = 0;
  for await (const batch of reader.eventBatches(runId)) {
    for (const e of batch) {
      const fails = isFailing(e.outcome, options.failOnFlagged);
      if (fails) failing++;
      if ((listAll || e.outcome !== "allowed") && events.length < MAX_LISTED_EVENTS) {
        events.push(gateEvent(e, options));
      } else {
        omitted.events++;
        if (fails) omitted.failing++;
      }
    }
  }
  const run: GatedRun = {
    run_id: info.run_id,
    outcome: info.outcome,
    counts: info.counts,
    side_effect_count: info.side_effect_count,
    trace: info.trace,
    passed: failing === 0,
    event_count: info.events,
    events,
    omitted,
  };
  if (info.policy !== undefined) run.policy = info.policy;
  return run;
}

/**
 * Gates the runs of a trace directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { session } from "@mirage/core";
 * import { gateTraces } from "./gate_runs.ts";
 * const traces = await Deno.makeTempDir();
 * {
 *   await using mirage = await session({
 *     runId: "procurement-run", policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", traces,
 *   });
 *   await mirage.fetch("http://api.acme.internal/v1/submit_bid", { method: "POST", body: '{"amount": 50000}' });
 * }
 * const report = await gateTraces({ traces, runIds: [], failOnFlagged: false, files: {} });
 * assert.equal(report.passed, false);
 * assert.deepEqual(report.runs.map((r) => [r.run_id, r.outcome, r.policy]), [
 *   ["procurement-run", "policy_violation", "enforce_bid_limit"],
 * ]);
 * ```
 */
export async function gateTraces(options: GateOptions): Promise<GateReport> {
  const reader = new TraceReader(options.traces);
  const ids = options.runIds.length ? [...options.runIds] : await reader.runIds();
  const problems: string[] = [];
  if (ids.length === 0) {
    problems.push(
      `no traces in ${options.traces}: did the agent send its requests through mirage proxy?`,
    );
  }
  const runs: GatedRun[] = [];
  for (const id of ids) {
    // Materialised on the way, so that the trace file a CI job uploads is up to date.
    const info = await reader.materialise(id) ?? await reader.run(id);
    if (info) runs.push(await gateRun(reader, id, info, options));
    else problems.push(`no trace for run '${id}' in ${options.traces}`);
  }
  const passed = problems.length === 0 && runs.every((r) => r.passed);
  return { passed, traces: options.traces, runs, problems };
}

/**
 * Adds the command's result to a report: a failing command fails the gate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withCommand } from "./gate_runs.ts";
 * const report = { passed: true, traces: "artifacts/traces", runs: [], problems: [] };
 * const gated = withCommand(report, { argv: ["deno", "task", "agent"], exit_code: 1 });
 * assert.equal(gated.passed, false);
 * assert.deepEqual(gated.problems, ["command exited with code 1: deno task agent"]);
 * ```
 */
export function withCommand(report: GateReport, command: GatedCommand): GateReport {
  if (command.exit_code === 0) return { ...report, command };
  const problem = `command exited with code ${command.exit_code}: ${command.argv.join(" ")}`;
  return { ...report, command, passed: false, problems: [...report.problems, problem] };
}
