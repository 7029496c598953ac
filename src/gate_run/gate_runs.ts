/**
 * The gate: reads the traces of one or more runs and decides whether they may pass a build.
 * A run fails on `policy_violation`, `unmatched_route` or `error` (and `flagged` when asked);
 * no traces at all, or a requested run without a trace, fails too — never a silent pass.
 *
 * @module
 */

import { isFailing, type Outcome, type OutcomeCounts } from "../engine/outcome.ts";
import type { TraceEvent } from "../trace/event.ts";
import { listRuns, readTrace } from "../trace/trace_reader.ts";
import { tracePaths } from "../trace/trace_paths.ts";
import type { Trace } from "../trace/trace.ts";
import { describeEvent, describeRequest } from "../trace/describe_event.ts";
import { type HintFiles, nextHint } from "./next_hint.ts";

/** One event of a gated run. */
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

/** One gated run. */
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
  /** Every event of the run. */
  events: GateEvent[];
}

/** The command `gate-run` ran under the proxy, if any. */
export interface GatedCommand {
  /** The command and its arguments. */
  argv: string[];
  /** Its exit code. */
  exit_code: number;
}

/** Everything the gate found. */
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

/** What to gate. */
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

function gateRun(trace: Trace, options: GateOptions): GatedRun {
  const events = trace.events.map((e) => gateEvent(e, options));
  const run: GatedRun = {
    run_id: trace.run_id,
    outcome: trace.outcome,
    counts: trace.counts,
    side_effect_count: trace.side_effect_count,
    trace: tracePaths(options.traces, trace.run_id).trace,
    passed: !events.some((e) => e.fails),
    events,
  };
  if (trace.policy !== undefined) run.policy = trace.policy;
  return run;
}

/**
 * Gates the runs of a trace directory.
 *
 * @example
 * ```ts
 * import { gateTraces } from "./gate_runs.ts";
 * const report = await gateTraces({ traces: "artifacts/traces", runIds: [], failOnFlagged: false, files: {} });
 * console.log(report.passed);
 * ```
 */
export async function gateTraces(options: GateOptions): Promise<GateReport> {
  const ids = options.runIds.length ? [...options.runIds] : await listRuns(options.traces);
  const problems: string[] = [];
  if (ids.length === 0) {
    problems.push(
      `no traces in ${options.traces}: did the agent send its requests through mirage proxy?`,
    );
  }
  const runs: GatedRun[] = [];
  for (const id of ids) {
    const trace = await readTrace(options.traces, id);
    if (trace) runs.push(gateRun(trace, options));
    else problems.push(`no trace for run '${id}' in ${options.traces}`);
  }
  const passed = problems.length === 0 && runs.every((r) => r.passed);
  return { passed, traces: options.traces, runs, problems };
}

/** Adds the command's result to a report: a failing command fails the gate. */
export function withCommand(report: GateReport, command: GatedCommand): GateReport {
  if (command.exit_code === 0) return { ...report, command };
  const problem = `command exited with code ${command.exit_code}: ${command.argv.join(" ")}`;
  return { ...report, command, passed: false, problems: [...report.problems, problem] };
}
