/**
 * `session()`: Mirage in-process, for tests. Its `fetch` opens no socket: it decides each
 * request and serves the mock or answers 403 / 404 exactly as `mirage proxy` does. It is also a
 * {@link ToolGate}: `decideTool` decides an agent's tool calls into the same trace and answers
 * declared tools with their mocks.
 *
 * @module
 */

import type { MocksDocument, PolicyDocument } from "../config/types.ts";
import { loadedTogether, loadMocks, loadPolicies } from "../config/load.ts";
import { compilePolicies } from "../engine/compile_policies.ts";
import { compileMocks } from "../engine/compile_mocks.ts";
import { isFailing, type Mode, type Outcome } from "../engine/outcome.ts";
import type { StateStore } from "../state/state_store.ts";
import { ChaosNetworkError, MirageError, MirageViolationError } from "../errors.ts";
import { compileChaos } from "../engine/compile_chaos.ts";
import { type ChaosOption, chaosSwitch } from "../engine/chaos_switch.ts";
import { compileRedactor } from "../trace/redact.ts";
import type { TraceEvent } from "../trace/event.ts";
import { summariseRun } from "../trace/run_summary.ts";
import { Recorder } from "../trace/recorder.ts";
import { RunIdRule } from "../trace/run_id.ts";
import { buildTrace, type Trace } from "../trace/trace.ts";
import { TraceStore } from "../trace/trace_store.ts";
import { type CiContext, handleCiRequest } from "../ci/ci_handler.ts";
import { DEFAULT_MAX_BODY } from "../http/body_limit.ts";
import { describeEvent } from "../trace/describe_event.ts";
import { CallMemory } from "../tools/call_memory.ts";
import { decideToolAction, toolCallAction, type ToolContext } from "../tools/decide_tool.ts";
import type { ToolCall, ToolGate, ToolVerdict } from "../tools/tool_gate.ts";

/**
 * Options of {@link session}.
 *
 * @example
 * ```ts
 * import type { SessionOptions } from "@mirage/core";
 * const o: SessionOptions = { runId: "procurement", policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml" };
 * ```
 */
export interface SessionOptions {
  /** The run id; default `MIRAGE_RUN_ID`, else `"default"`. A request's `x-mirage-run-id` wins. */
  runId?: string;
  /** A file path, YAML text, or a document. */
  policies: string | URL | PolicyDocument;
  /** A file path, YAML text, or a document. */
  mocks: string | URL | MocksDocument;
  /** `enforce` (default) stops violations; `passthrough` serves them and records `enforced: false`. */
  mode?: Mode;
  /** Trace directory, default `artifacts/traces`; `false` writes no files. */
  traces?: string | false;
  /** Route `globalThis.fetch` through the session until it is disposed. */
  interceptGlobalFetch?: boolean;
  /** State store for the state operators; default in memory. */
  store?: StateStore;
  /** Clock for rate windows, in milliseconds; default `Date.now`. */
  clock?: () => number;
  /**
   * Request body bytes read for the policies, as sent and once decompressed; a larger body is
   * answered 413 and recorded as `error`. Default 1 MiB, as `mirage proxy --max-body`.
   */
  maxBody?: number;
  /**
   * Turns a fault profile of the mocks on for the run (docs/chaos.md): `"7"` (the mocks' own
   * `faults:`, seed 7), `"flaky"`, `"flaky:7"` or `{profile, seed}`. Default none.
   */
  chaos?: ChaosOption;
}

/**
 * A running session. Every function it hands out works detached from it, as a value:
 * `runMyAgent({ fetch: mirage.fetch })`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { session } from "@mirage/core";
 * await using mirage = await session({ runId: "r", policies: { policies: [] }, mocks: { mocks: [] }, traces: false });
 * const res = await mirage.fetch("http://api.test/unknown");
 * assert.equal(res.status, 404);
 * assert.equal(mirage.outcome, "unmatched_route");
 * ```
 */
export interface MirageSession extends ToolGate, AsyncDisposable {
  /** The session's run id. */
  readonly runId: string;
  /**
   * A drop-in `fetch` that decides, then serves the mock or the blocked answer. A declared
   * `reset` fault rejects with a `TypeError` ({@link ChaosNetworkError}) as a real network error
   * does; a `timeout` holds the call until its signal aborts (rejecting with the signal's
   * reason), the fault's `after_ms` passes, or the session closes.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /**
   * Decides a tool call and records it beside the session's requests. A declared tool mock
   * that applies is the verdict's `mock`: return its result instead of running the tool.
   */
  decideTool(call: ToolCall): Promise<ToolVerdict>;
  /** Every event of the session's run so far, in order. */
  readonly events: readonly TraceEvent[];
  /** The run's worst outcome so far. */
  readonly outcome: Outcome;
  /** The run's trace, as it is (or will be) written. */
  readonly trace: Trace;
  /** Where the trace file is written, if anywhere. */
  readonly tracePath: string | undefined;
  /**
   * Throws {@link MirageViolationError} on `policy_violation`, `unmatched_route` or `error` (and
   * `flagged` if asked) in any request or tool call the session handled, whatever run id it
   * carried.
   */
  assertClean(options?: { failOnFlagged?: boolean }): void;
  /** Writes the trace, restores `fetch`, releases the store. */
  close(): Promise<void>;
}

/** A relative URL is read against a stand-in origin, so tests can write `fetch("/v1/x")`. */
function toRequest(input: string | URL | Request, init?: RequestInit): Request {
  if (typeof input === "string" && input.startsWith("/")) {
    return new Request(`http://mirage.local${input}`, init);
  }
  return new Request(input, init);
}

class Session implements MirageSession {
  readonly runId: string;
  readonly tracePath: string | undefined;
  readonly #ctx: CiContext;
  readonly #runIds: RunIdRule;
  readonly #recorder: Recorder;
  readonly #tools: ToolContext;
  /** Events by run id: a request's `x-mirage-run-id` may name another run than the session's. */
  readonly #runs = new Map<string, TraceEvent[]>();
  readonly #restoreFetch: (() => void) | undefined;
  /** Ends the calls a declared fault holds, when the session closes. */
  readonly #closing = new AbortController();
  #closed = false;

  constructor(
    runIds: RunIdRule,
    ctx: CiContext,
    traces: TraceStore | undefined,
    intercept: boolean,
  ) {
    // Handed out as values (`{ fetch: mirage.fetch }`), so each keeps its session.
    this.fetch = this.fetch.bind(this);
    this.decideTool = this.decideTool.bind(this);
    this.assertClean = this.assertClean.bind(this);
    this.close = this.close.bind(this);
    this[Symbol.asyncDispose] = this[Symbol.asyncDispose].bind(this);
    this.#runIds = runIds;
    this.runId = runIds.fallback;
    this.#ctx = ctx;
    this.#recorder = new Recorder({
      traces,
      strict: true,
      observers: [({ runId, event }) => this.#eventsOf(runId).push(event)],
    });
    this.#tools = {
      mode: ctx.mode,
      recorder: this.#recorder,
      calls: new CallMemory(),
      serveMocks: true,
      closing: this.#closing.signal,
      config: () => ({
        policies: ctx.policies,
        surface: ctx.mocks,
        redactor: ctx.redactor,
        chaos: ctx.chaos,
      }),
    };
    this.tracePath = traces?.pathOf(this.runId);
    if (intercept) {
      const original = globalThis.fetch;
      globalThis.fetch = this.fetch;
      this.#restoreFetch = () => (globalThis.fetch = original);
    }
  }

  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    this.#open();
    const request = toRequest(input, init);
    const runId = this.#runIds.resolve({ header: request.headers });
    const signal = AbortSignal.any([request.signal, this.#closing.signal]);
    return await handleCiRequest(this.#ctx, this.#recorder, request, runId, { signal });
  }

  async decideTool(call: ToolCall): Promise<ToolVerdict> {
    this.#open();
    return await decideToolAction(this.#tools, toolCallAction(this.#runIds, call));
  }

  #open(): void {
    if (this.#closed) throw new MirageError("session_closed", `session '${this.runId}' is closed`);
  }

  #eventsOf(runId: string): TraceEvent[] {
    let events = this.#runs.get(runId);
    if (!events) this.#runs.set(runId, events = []);
    return events;
  }

  get events(): readonly TraceEvent[] {
    return this.#runs.get(this.runId) ?? [];
  }

  get trace(): Trace {
    return buildTrace(this.runId, "ci", this.events);
  }

  get outcome(): Outcome {
    return this.trace.outcome;
  }

  assertClean(options: { failOnFlagged?: boolean } = {}): void {
    const all = [...this.#runs.values()].flat();
    const bad = all.filter((e) => isFailing(e.outcome, options.failOnFlagged));
    if (bad.length) {
      const worst = summariseRun(all).outcome;
      throw new MirageViolationError(this.runId, worst, bad.map(describeEvent));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort(new ChaosNetworkError("timeout", `session '${this.runId}' closed`));
    this.#restoreFetch?.();
    await this.#recorder.traces?.close();
    await this.#ctx.policies.store.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts an in-process Mirage session: the same decisions, answers and traces as the proxy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MirageViolationError, session } from "@mirage/core";
 * await using mirage = await session({
 *   runId: "procurement",
 *   policies: "policies/procurement.yaml",
 *   mocks: "mocks/procurement.yaml",
 *   traces: false,
 * });
 * const res = await mirage.fetch("http://api.acme.internal/v1/submit_bid", {
 *   method: "POST",
 *   body: JSON.stringify({ amount: 50000 }),
 * });
 * assert.equal(res.status, 403);
 * assert.equal(res.headers.get("x-mirage-policy"), "enforce_bid_limit");
 * assert.throws(() => mirage.assertClean(), MirageViolationError);
 * ```
 */
export async function session(options: SessionOptions): Promise<MirageSession> {
  const [policiesDoc, mocksDoc] = await loadedTogether(
    loadPolicies(options.policies),
    loadMocks(options.mocks),
  );
  // A profile the mocks do not declare fails before anything is opened.
  const chaos = options.chaos === undefined
    ? undefined
    : compileChaos(mocksDoc.document).select(chaosSwitch(options.chaos));
  const policies = compilePolicies(policiesDoc, {
    ...(options.store ? { store: options.store } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const traceDir = options.traces === undefined ? "artifacts/traces" : options.traces;
  const ctx: CiContext = {
    mode: options.mode ?? "enforce",
    policies,
    mocks: compileMocks(mocksDoc),
    redactor: compileRedactor(policies.redact),
    maxBody: options.maxBody ?? DEFAULT_MAX_BODY,
    chaos,
  };
  const traces = traceDir === false
    ? undefined
    : new TraceStore({ dir: traceDir, mode: "ci", reset: true });
  const runIds = new RunIdRule({ option: options.runId });
  return new Session(runIds, ctx, traces, options.interceptGlobalFetch ?? false);
}
