/**
 * Where a decided request leaves its marks: the run's trace (redacted), the metrics, the
 * decision log and the audit log. A trace write that fails is reported on stderr and does not fail the request:
 * the client's answer is already decided by then.
 *
 * @module
 */

import type { AuditLog } from "../audit/audit_log.ts";
import { errorMessage } from "../errors.ts";
import type { TraceEvent } from "../trace/event.ts";
import type { EventTiming, TraceStore } from "../trace/trace_store.ts";
import type { DecisionSink } from "../log/decision_log.ts";
import type { GatewayMetrics, GatewaySample } from "./gateway_metrics.ts";

const NONE: readonly string[] = Object.freeze([]);

/** The policies of the decisions that failed (most requests have none: no array for them). */
function failedPolicies(decisions: TraceEvent["decisions"]): readonly string[] {
  let out: string[] | undefined;
  for (const d of decisions) if (!d.passed) (out ??= []).push(d.policy);
  return out ?? NONE;
}

/** Where the request went, for the decision log. */
export interface Destination {
  /** HTTP method, or `TOOL` for a tool call. */
  readonly method: string;
  /** Upstream host (empty for a tool call). */
  readonly host: string;
  /** Normalised path, or the tool's name. */
  readonly path: string;
}

/** Timings of one request, in µs. */
export interface RequestTimes {
  /** Wall-clock arrival. */
  readonly at: string;
  /** Evaluating the action against the policies. */
  readonly evaluateUs: number;
  /** From arrival to allow/block. */
  readonly decideUs: number;
  /** From arrival to the answer's head. */
  readonly totalUs: number;
  /** Waiting for the upstream's response head, when forwarded. */
  readonly upstreamUs?: number;
}

/**
 * Records decided requests.
 *
 * @example
 * ```ts
 * import { Recorder } from "./recorder.ts";
 * import { GatewayMetrics } from "./gateway_metrics.ts";
 * const recorder = new Recorder(undefined, new GatewayMetrics(), undefined);
 * ```
 */
export class Recorder {
  readonly #traces: TraceStore | undefined;
  readonly #metrics: GatewayMetrics;
  readonly #log: DecisionSink | undefined;
  readonly #audit: AuditLog | undefined;

  /** Records into a trace store (if any), metrics, a decision log and an audit log (if any). */
  constructor(
    traces: TraceStore | undefined,
    metrics: GatewayMetrics,
    log: DecisionSink | undefined,
    audit?: AuditLog,
  ) {
    this.#traces = traces;
    this.#metrics = metrics;
    this.#log = log;
    this.#audit = audit;
  }

  /**
   * Records one event and returns its sequence number in the run (0 if it could not be written).
   * `policiesDigest` is that of the policies that decided it, for the audit log.
   */
  async record(
    runId: string,
    event: Omit<TraceEvent, "seq">,
    to: Destination,
    times: RequestTimes,
    policiesDigest?: string,
  ): Promise<number> {
    const audited = this.#audit?.decision({ runId, event, time: times.at, policiesDigest });
    const seq = await this.#trace(runId, event, times);
    await audited;
    const sample: { -readonly [K in keyof GatewaySample]: GatewaySample[K] } = {
      outcome: event.outcome,
      failedPolicies: failedPolicies(event.decisions),
      decideSeconds: times.evaluateUs / 1e6,
      timeToDecideSeconds: times.decideUs / 1e6,
    };
    if (times.upstreamUs !== undefined) sample.upstreamSeconds = times.upstreamUs / 1e6;
    this.#metrics.observeRequest(sample);
    this.#log?.({
      ts: times.at,
      run_id: runId,
      ...to,
      outcome: event.outcome,
      policy: event.policy ?? null,
      status: event.response.status,
      decide_us: times.decideUs,
      upstream_us: times.upstreamUs ?? null,
    });
    return seq;
  }

  #trace(
    runId: string,
    event: Omit<TraceEvent, "seq">,
    times: RequestTimes,
  ): Promise<number> {
    if (!this.#traces) return Promise.resolve(0);
    const timing: EventTiming = {
      at: times.at,
      decide_us: times.decideUs,
      total_us: times.totalUs,
    };
    if (times.upstreamUs !== undefined) timing.upstream_us = times.upstreamUs;
    return this.#traces.record(runId, event, timing).catch((e) => {
      console.error(
        `[mirage] cannot record trace event for run '${runId}': ${errorMessage(e)}`,
      );
      return 0;
    });
  }
}
