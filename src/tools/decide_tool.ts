/**
 * The one path of a tool call through Mirage, shared by `session()`, `guard()` and the
 * `v1/decide` route that `remoteGate()` asks: remember by call id, decide with the compiled
 * policies (and the declared tools, when there are any), record the tool event (docs/traces.md), and
 * answer with the tool mock when the surface serves mocks (CI).
 *
 * @module
 */

import { type ToolAction, toolAction } from "../engine/action.ts";
import type { MockRouter } from "../engine/compile_mocks.ts";
import type { PolicySet } from "../engine/compile_policies.ts";
import type { ChaosRun, ToolFaultHit } from "../engine/compile_chaos.ts";
import type { MatchedToolMock } from "../engine/compile_tool_mocks.ts";
import { evaluateAction, type Evaluation } from "../engine/evaluate_action.ts";
import { isEnforced, isStopped, type Mode } from "../engine/outcome.ts";
import { errorMessage } from "../errors.ts";
import { outcomeMessage } from "../http/answers.ts";
import { canonicalJson } from "../trace/canonical_json.ts";
import { buildEvent, type PendingEvent, type TraceResponse } from "../trace/event.ts";
import type { Recorder } from "../trace/recorder.ts";
import type { Redactor } from "../trace/redact.ts";
import { RUN_ID_HEADER, type RunIdRule } from "../trace/run_id.ts";
import { elapsedUs, type EventTiming, usBetween } from "../trace/timing.ts";
import type { CallMemory } from "./call_memory.ts";
import type { ToolCall, ToolVerdict } from "./tool_gate.ts";
import { failedVerdict } from "./verdict.ts";
import { wait } from "../wait.ts";

/**
 * What a tool call is decided with; each surface passes its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, toolAction } from "@mirage/core";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { CallMemory } from "./call_memory.ts";
 * import { decideToolAction, type ToolContext } from "./decide_tool.ts";
 * import type { ToolVerdict } from "./tool_gate.ts";
 * const policies = compilePolicies({ policies: [{ name: "cap", tool: "refund", field: "amount", operator: "max", value: 500, message: "too much" }] });
 * const ctx: ToolContext = {
 *   mode: "passthrough", recorder: new Recorder(), calls: new CallMemory<ToolVerdict>(),
 *   config: () => ({ policies, redactor: compileRedactor([]) }),
 * };
 * const v = await decideToolAction(ctx, toolAction({ tool: "refund", args: { amount: 900 } }));
 * assert.deepEqual([v.outcome, v.allowed, v.enforced], ["policy_violation", true, false]);
 * ```
 */
export interface ToolContext {
  /** In `passthrough` a stopped call is allowed and recorded `enforced: false`. */
  readonly mode: Mode;
  /** Where decisions are recorded. */
  readonly recorder: Recorder;
  /** Decided calls by call id. */
  readonly calls: CallMemory<ToolVerdict>;
  /** Answer a declared tool with its mock (CI). Otherwise the declared tools are only a surface. */
  readonly serveMocks?: boolean;
  /** Aborts when the surface closes: a call held by a declared fault is answered then. */
  readonly closing?: AbortSignal;
  /** The compiled configuration now (it changes on reload). */
  readonly config: () => {
    readonly policies: PolicySet;
    readonly surface?: MockRouter | undefined;
    readonly redactor: Redactor;
    /** The chaos run turned on, where mocks are served (docs/chaos.md). */
    readonly chaos?: ChaosRun | undefined;
  };
}

type Config = ReturnType<ToolContext["config"]>;

/**
 * The action of a call, in the run the rule gives it (an `x-mirage-run-id` header, the call's
 * `runId`, then the gate's sources).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { toolCallAction } from "./decide_tool.ts";
 * const a = toolCallAction(new RunIdRule({ option: "gate", env: undefined }), { tool: "t", runId: "r7" });
 * assert.equal(a.run_id, "r7");
 * ```
 */
export function toolCallAction(runIds: RunIdRule, call: ToolCall): ToolAction {
  const headers = new Headers(call.headers);
  return toolAction({
    tool: call.tool,
    args: call.args,
    headers,
    runId: runIds.resolve({ header: headers.get(RUN_ID_HEADER), call: call.runId }),
    ...(call.callId === undefined ? {} : { callId: call.callId }),
  });
}

/** What an allowed call is answered with: its declared mock where mocks are served. */
function answeringMock(
  ctx: ToolContext,
  config: Config,
  action: ToolAction,
  matched: MatchedToolMock | undefined,
): MatchedToolMock | undefined {
  if (!ctx.serveMocks) return undefined;
  return matched ?? config.surface?.tools.match(action);
}

function responseOf(
  allowed: boolean,
  mock: MatchedToolMock | undefined,
  fault?: ToolFaultHit,
): TraceResponse {
  if (!allowed) return {};
  if (!mock) return { ran: true };
  if (!fault) return { mock: mock.name };
  const delayed = fault.kind === "delay" ? { delay_ms: fault.waitMs } : {};
  return { mock: mock.name, fault: fault.kind, ...delayed };
}

/**
 * How long an answered call waits: the mock's delay, as the proxy serves a route's mock after
 * its delay; a declared delay adds to it; a declared error answers at once, or after its timeout.
 */
function waitOf(mock: MatchedToolMock | undefined, fault: ToolFaultHit | undefined): number {
  if (!mock) return 0;
  if (!fault) return mock.delayMs;
  return fault.kind === "delay" ? mock.delayMs + fault.waitMs : fault.waitMs;
}

function timingOf(start: number, at: string, evaluateUs: number, decidedAt: number): EventTiming {
  return {
    at,
    evaluate_us: evaluateUs,
    decide_us: usBetween(start, decidedAt),
    total_us: elapsedUs(start),
  };
}

async function failed(
  ctx: ToolContext,
  config: Config,
  action: ToolAction,
  cause: unknown,
  timing: EventTiming,
): Promise<ToolVerdict> {
  const error = `evaluation failed: ${errorMessage(cause)}`;
  const allowed = ctx.mode === "passthrough";
  const mock = allowed ? answeringMock(ctx, config, action, undefined) : undefined;
  const event = buildEvent({
    action,
    outcome: "error",
    enforced: isEnforced("error", allowed),
    response: responseOf(allowed, mock),
    error,
  }, config.redactor);
  const seq = await ctx.recorder.record(action.run_id, event, timing, config.policies.digest);
  const verdict = failedVerdict(ctx.mode, error, action.run_id, seq);
  return mock ? { ...verdict, mock: { name: mock.name, result: mock.render() } } : verdict;
}

async function decided(
  ctx: ToolContext,
  config: Config,
  action: ToolAction,
  e: Evaluation,
  timing: EventTiming,
): Promise<ToolVerdict> {
  const stopped = isStopped(e.outcome);
  const allowed = !stopped || ctx.mode === "passthrough";
  const enforced = isEnforced(e.outcome, ctx.mode === "passthrough");
  const mock = allowed ? answeringMock(ctx, config, action, e.mock) : undefined;
  let fault: ToolFaultHit | undefined;
  let event: PendingEvent | undefined;
  const seq = await ctx.recorder.record(
    action.run_id,
    (seq) => {
      fault = mock ? config.chaos?.toolFault(mock.name, action.run_id, seq) : undefined;
      return event = buildEvent(
        {
          action,
          evaluation: e,
          outcome: e.outcome,
          enforced,
          response: responseOf(allowed, mock, fault),
        },
        config.redactor,
      );
    },
    timing,
    config.policies.digest,
  );
  const result = fault?.result ? fault.result(action) : mock?.render();
  const verdict: ToolVerdict = {
    outcome: e.outcome,
    allowed,
    enforced,
    message: outcomeMessage(e),
    decisions: (event as PendingEvent).decisions,
    event: seq,
    runId: action.run_id,
    ...(e.policy === undefined ? {} : { policy: e.policy }),
    ...(mock && result ? { mock: { name: mock.name, result } } : {}),
  };
  const ms = waitOf(mock, fault);
  if (ms > 0) await wait(ms, ctx.closing);
  return verdict;
}

async function decideOnce(ctx: ToolContext, action: ToolAction): Promise<ToolVerdict> {
  const start = performance.now();
  const at = new Date().toISOString();
  const config = ctx.config();
  let e: Evaluation;
  try {
    e = await evaluateAction(config.policies, config.surface, action);
  } catch (cause) {
    const now = performance.now();
    return failed(ctx, config, action, cause, timingOf(start, at, usBetween(start, now), now));
  }
  const decidedAt = performance.now();
  const timing = timingOf(start, at, usBetween(start, decidedAt), decidedAt);
  return decided(ctx, config, action, e, timing);
}

/**
 * Decides one tool call and records it. A call with a call id already decided in its run with
 * the same tool, arguments and headers returns the first verdict, unrecorded and without
 * touching state. An evaluation that throws is an `error` verdict (recorded): blocked in
 * `enforce`, allowed in `passthrough`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, toolAction } from "@mirage/core";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { CallMemory } from "./call_memory.ts";
 * import { decideToolAction } from "./decide_tool.ts";
 * import type { ToolVerdict } from "./tool_gate.ts";
 * const policies = compilePolicies({ policies: [{ name: "cap", tool: "refund", field: "amount", operator: "max", value: 500, message: "too much" }] });
 * const ctx = { mode: "enforce" as const, recorder: new Recorder(), calls: new CallMemory<ToolVerdict>(), config: () => ({ policies, redactor: compileRedactor([]) }) };
 * const v = await decideToolAction(ctx, toolAction({ tool: "refund", args: { amount: 900 } }));
 * assert.equal(v.allowed, false);
 * assert.equal(v.message, "too much");
 * ```
 */
export function decideToolAction(ctx: ToolContext, action: ToolAction): Promise<ToolVerdict> {
  const fingerprint = canonicalJson([action.tool, action.payload ?? null, action.headers]);
  return ctx.calls.remember(
    action.run_id,
    action.call_id,
    fingerprint,
    () => decideOnce(ctx, action),
  );
}
