/**
 * Where a decided action leaves its marks: its run's trace first, then whatever watches the
 * surface (metrics, the decision log, the request log, a session's event list). Every surface
 * records through one {@link Recorder}, so that each mark is made the same way everywhere.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import type { PendingEvent, TraceEvent } from "./event.ts";
import type { EventTiming } from "./timing.ts";
import type { TraceStore } from "./trace_store.ts";

/**
 * One recorded event, as observers see it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type RecordedEvent, Recorder } from "./recorder.ts";
 * const seen: RecordedEvent[] = [];
 * const recorder = new Recorder({ observers: [(r) => seen.push(r)] });
 * const event = {
 *   request: { method: "GET", path: "/" },
 *   outcome: "allowed" as const,
 *   enforced: true,
 *   decisions: [],
 *   response: { status: 200 },
 * };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 3 };
 * await recorder.record("r1", event, timing);
 * assert.deepEqual(seen, [{ runId: "r1", event: { seq: 1, ...event }, timing }]);
 * ```
 */
export interface RecordedEvent {
  /** The run it belongs to. */
  readonly runId: string;
  /** The event, with its sequence number (0 when the trace could not be written). */
  readonly event: TraceEvent;
  /** Its timings. */
  readonly timing: EventTiming;
}

/**
 * Builds an event once its sequence number in the run is known: what a chaos run's fault draw
 * needs (docs/chaos.md). Called once, synchronously, before the event is written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type EventBuilder, Recorder } from "./recorder.ts";
 * const build: EventBuilder = (seq) => ({
 *   request: { tool: "t" },
 *   outcome: "allowed",
 *   enforced: true,
 *   decisions: [],
 *   response: seq % 2 ? { mock: "t" } : { mock: "t", fault: "error" },
 * });
 * const faults: (string | undefined)[] = [];
 * const recorder = new Recorder({ observers: [(r) => faults.push(r.event.response.fault)] });
 * const timing = { at: "", evaluate_us: 0, decide_us: 0, total_us: 0 };
 * await recorder.record("r1", build, timing);
 * await recorder.record("r1", build, timing);
 * assert.deepEqual(faults, [undefined, "error"]);
 * ```
 */
export type EventBuilder = (seq: number) => PendingEvent;

/**
 * Watches recorded events; it must not throw (it runs on the request path).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type EventObserver, Recorder } from "./recorder.ts";
 * const outcomes: string[] = [];
 * const observer: EventObserver = (r) => outcomes.push(`${r.runId}:${r.event.outcome}`);
 * const recorder = new Recorder();
 * const stop = recorder.observe(observer);
 * const event = { request: { tool: "t" }, outcome: "flagged" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "", evaluate_us: 0, decide_us: 0, total_us: 0 };
 * await recorder.record("r1", event, timing);
 * stop();
 * await recorder.record("r1", event, timing);
 * assert.deepEqual(outcomes, ["r1:flagged"]);
 * ```
 */
export type EventObserver = (recorded: RecordedEvent) => void;

/**
 * What the audit log takes of each decision (`src/audit/`): a surface answers only once its
 * entry is written, so it is awaited, beside the trace write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "../audit/audit_log.ts";
 * import { exportAudit } from "../audit/export.ts";
 * import { type DecisionAuditor, Recorder } from "./recorder.ts";
 * const dir = await Deno.makeTempDir();
 * const log = await AuditLog.open(
 *   { dir },
 *   { surface: "gateway", mode: "enforce", policiesDigest: undefined },
 * );
 * const audit: DecisionAuditor = log;
 * const recorder = new Recorder({ audit });
 * const event = { request: { tool: "t" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * await recorder.record("r1", event, { at: new Date().toISOString(), evaluate_us: 0, decide_us: 0, total_us: 0 });
 * await log.close();
 * let lines = "";
 * await exportAudit(dir, { write: (text) => { lines += text; } });
 * const kinds = lines.trim().split("\n").map((l) => JSON.parse(l).kind);
 * assert.deepEqual(kinds, ["start", "decision", "stop"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface DecisionAuditor {
  /** Appends the decision's entry. */
  decision(d: {
    readonly runId: string;
    readonly event: PendingEvent;
    readonly time: string;
    readonly policiesDigest: string | undefined;
  }): Promise<void>;
}

/**
 * Options of {@link Recorder}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Recorder, type RecorderOptions } from "./recorder.ts";
 * import { TraceStore } from "./trace_store.ts";
 * const dir = await Deno.makeTempDir();
 * const traces = new TraceStore({ dir, mode: "ci" });
 * const options: RecorderOptions = { traces, strict: true };
 * const recorder = new Recorder(options);
 * const event = { request: { tool: "t" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: new Date().toISOString(), evaluate_us: 0, decide_us: 0, total_us: 0 };
 * assert.equal(await recorder.record("r1", event, timing), 1);
 * assert.equal(await recorder.record("r1", event, timing), 2);
 * assert.equal(recorder.traces, traces);
 * await traces.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface RecorderOptions {
  /** Where events are written; without one, sequence numbers are counted per run here. */
  readonly traces?: TraceStore | undefined;
  /** Called with every recorded event, in order. */
  readonly observers?: readonly EventObserver[];
  /**
   * Rethrow a failed trace write (CI: a run that cannot be recorded must not pass quietly).
   * Default false: the failure is reported and the answer, already decided, goes out.
   */
  readonly strict?: boolean;
  /** Where a failed write is reported; default `console.error`. */
  readonly log?: (line: string) => void;
  /** The audit log, when the surface keeps one. */
  readonly audit?: DecisionAuditor | undefined;
}

/**
 * Records decided events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Recorder } from "./recorder.ts";
 * const seen: number[] = [];
 * const recorder = new Recorder({ observers: [(r) => seen.push(r.event.seq)] });
 * const event = { request: { tool: "t" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "", evaluate_us: 0, decide_us: 0, total_us: 0 };
 * await recorder.record("r1", event, timing);
 * await recorder.record("r1", event, timing);
 * assert.deepEqual(seen, [1, 2]);
 * ```
 */
export class Recorder {
  readonly #traces: TraceStore | undefined;
  readonly #observers: EventObserver[];
  readonly #strict: boolean;
  readonly #log: (line: string) => void;
  readonly #audit: DecisionAuditor | undefined;
  /** Events per run, when no trace store numbers them. */
  readonly #counts = new Map<string, number>();

  /** A recorder writing to `options.traces` (if any) and telling `options.observers`. */
  constructor(options: RecorderOptions = {}) {
    this.#traces = options.traces;
    this.#observers = [...(options.observers ?? [])];
    this.#strict = options.strict ?? false;
    this.#log = options.log ?? ((line) => console.error(line));
    this.#audit = options.audit;
  }

  /** The trace store, if events are written. */
  get traces(): TraceStore | undefined {
    return this.#traces;
  }

  /** Adds an observer; the returned function removes it. */
  observe(observer: EventObserver): () => void {
    this.#observers.push(observer);
    return () => {
      const at = this.#observers.indexOf(observer);
      if (at >= 0) this.#observers.splice(at, 1);
    };
  }

  /**
   * Records one event — given, or built by `event` from its sequence number — and returns its
   * sequence number in the run. `policiesDigest` is that of the policies that decided it, for the
   * audit log, whose entry is written beside the trace line (after it, for a built event).
   */
  async record(
    runId: string,
    event: PendingEvent | EventBuilder,
    timing: EventTiming,
    policiesDigest?: string,
  ): Promise<number> {
    let built: PendingEvent | undefined = typeof event === "function" ? undefined : event;
    const build = (seq: number) => (built ??= (event as EventBuilder)(seq));
    const audit = (e: PendingEvent) =>
      this.#audit?.decision({ runId, event: e, time: timing.at, policiesDigest });
    const audited = built && audit(built);
    const seq = await this.#write(runId, build, timing);
    // Without an audit log there is nothing to wait for: no extra turn per event.
    if (this.#audit) await (audited ?? audit(build(seq)));
    if (this.#observers.length === 0) return seq;
    const recorded: RecordedEvent = { runId, event: { seq, ...build(seq) }, timing };
    for (const observe of this.#observers) observe(recorded);
    return seq;
  }

  #write(runId: string, build: EventBuilder, timing: EventTiming): Promise<number> {
    if (!this.#traces) {
      const seq = (this.#counts.get(runId) ?? 0) + 1;
      this.#counts.set(runId, seq);
      build(seq);
      return Promise.resolve(seq);
    }
    const written = this.#traces.record(runId, build, timing);
    if (this.#strict) return written;
    return written.catch((e) => {
      this.#log(`[mirage] cannot record trace event for run '${runId}': ${errorMessage(e)}`);
      return 0;
    });
  }
}
