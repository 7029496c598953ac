/**
 * The CI request path shared by `session().fetch` and `mirage proxy` (docs/architecture.md):
 * read the body as the gateway reads it (docs/bodies.md), decide, record, then serve the mock or
 * answer 403 / 404 — never serving a mock to a stopped action in enforce mode. An evaluation
 * that fails (a state store that cannot answer) is an `error` answered 503 in both modes, and so
 * is a body over the inspection limit (413): CI has no upstream to fall back on. A body the rules
 * cannot read (415) is refused in enforce; passthrough serves the route's mock and records it.
 * In a chaos run a declared fault may replace the mock's answer (docs/chaos.md); the outcome
 * stays the policy's.
 *
 * @module
 */

import { type HttpAction, httpAction, withPayload } from "../engine/action.ts";
import type { PolicySet } from "../engine/compile_policies.ts";
import type { MockAnswer, MockRouter } from "../engine/compile_mocks.ts";
import type { ChaosRun, RouteFaultHit } from "../engine/compile_chaos.ts";
import { evaluateActionNow, type Evaluation } from "../engine/evaluate_action.ts";
import { goesThrough, isEnforced, type Mode } from "../engine/outcome.ts";
import { ChaosNetworkError, errorMessage } from "../errors.ts";
import { blockedAnswer, blockedStatus, decisionHeaders, errorAnswer } from "../http/answers.ts";
import { BODY_STATUS, readBodyForRules } from "../http/request_body.ts";
import { readsAsReserved, RESERVED_PATH_ERROR } from "../http/reserved_path.ts";
import { buildEvent, type PendingEvent, type TraceResponse } from "../trace/event.ts";
import type { Recorder } from "../trace/recorder.ts";
import type { Redactor } from "../trace/redact.ts";
import { elapsedUs, type EventTiming, usBetween } from "../trace/timing.ts";
import { wait } from "../wait.ts";

/**
 * What the CI path decides with: the compiled files, the mode and the inspection limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies } from "@mirage/core";
 * import { compileRedactor } from "../trace/redact.ts";
 * import type { CiContext } from "./ci_handler.ts";
 * const ctx: CiContext = {
 *   mode: "enforce",
 *   policies: compilePolicies({ policies: [] }),
 *   mocks: undefined, // every route counts as declared
 *   redactor: compileRedactor([]),
 *   maxBody: 1024 * 1024,
 * };
 * assert.equal(ctx.policies.size, 0);
 * ```
 */
export interface CiContext {
  /** `passthrough` serves a stopped action's mock anyway and records `enforced: false`. */
  readonly mode: Mode;
  /** The compiled policies. */
  readonly policies: PolicySet;
  /**
   * The declared surface. Without one (`mirage test` with no mocks file) every route counts as
   * declared, and a request that goes through is answered 200 with an empty body.
   */
  readonly mocks: MockRouter | undefined;
  /** Redacts secrets before events are recorded. */
  readonly redactor: Redactor;
  /** Bytes of a request body read for the policies, as sent and once decompressed. */
  readonly maxBody: number;
  /** The chaos run turned on, if any: its declared faults may replace mock answers. */
  readonly chaos?: ChaosRun | undefined;
}

/** Header on an answer that a declared fault shaped: `status` or `delay`. */
const FAULT_HEADER = "x-mirage-fault";

const NO_BODY: ReadonlySet<number> = new Set([101, 204, 205, 304]);

/** What a request that goes through is answered with when no surface is declared. */
const UNDECLARED_ANSWER: MockAnswer = { status: 200, headers: {}, body: "", delayMs: 0 };

/** One request on its way through. */
interface InFlight {
  readonly ctx: CiContext;
  readonly recorder: Recorder;
  readonly runId: string;
  readonly start: number;
  readonly at: string;
  /** Aborts when the caller gives up (or the surface closes): a held request ends then. */
  readonly signal: AbortSignal;
}

function timing(f: InFlight, evaluateUs: number, decidedAt: number): EventTiming {
  return {
    at: f.at,
    evaluate_us: evaluateUs,
    decide_us: usBetween(f.start, decidedAt),
    total_us: elapsedUs(f.start),
  };
}

/** Mirage answers itself: recorded as `error`, no mock served. */
async function refuse(
  f: InFlight,
  action: HttpAction,
  status: number,
  error: string,
  code?: string,
) {
  const event = buildEvent(
    { action, outcome: "error", enforced: true, response: { status }, error },
    f.ctx.redactor,
  );
  const now = performance.now();
  const seq = await f.recorder.record(f.runId, event, timing(f, 0, now), f.ctx.policies.digest);
  return errorAnswer(status, error, { runId: f.runId, event: seq, ...(code ? { code } : {}) });
}

function mockResponse(answer: MockAnswer, headers: Record<string, string>): Response {
  const status = answer.status;
  return new Response(NO_BODY.has(status) || answer.body === "" ? null : answer.body, {
    status,
    headers: { ...answer.headers, ...headers },
  });
}

/** A fault that fired, with what it answers (a status fault's own answer). */
interface Fired {
  readonly hit: RouteFaultHit;
  readonly answer?: MockAnswer;
}

function responseOf(status: number, fired: Fired | undefined): TraceResponse {
  if (!fired) return { status };
  const { hit, answer } = fired;
  if (hit.kind === "status") return { status: answer?.status ?? status, fault: "status" };
  if (hit.kind === "delay") return { status, fault: "delay", delay_ms: hit.delayMs };
  return { fault: hit.kind };
}

/** What the caller gets once a fault that answers nothing has fired: no answer at all. */
async function hangUp(
  f: InFlight,
  hit: RouteFaultHit & { kind: "reset" | "timeout" },
): Promise<never> {
  if (hit.kind === "reset") {
    throw new ChaosNetworkError("reset", "connection reset (a declared chaos fault)");
  }
  if (!await wait(hit.afterMs, f.signal)) throw f.signal.reason;
  throw new ChaosNetworkError(
    "timeout",
    `no answer within ${hit.afterMs} ms, connection closed (a declared chaos fault)`,
  );
}

/** What was recorded: the event, its sequence number, and the fault that fired, if any. */
interface Recorded {
  readonly seq: number;
  readonly event: PendingEvent;
  readonly fired: Fired | undefined;
}

/** Records the event; in a chaos run the fault is drawn once the event's number is known. */
async function record(
  f: InFlight,
  e: Evaluation,
  mock: MockAnswer | undefined,
  timing: EventTiming,
): Promise<Recorded> {
  let fired: Fired | undefined;
  let event: PendingEvent | undefined;
  const build = (seq: number): PendingEvent => {
    const hit = mock && e.route ? f.ctx.chaos?.routeFault(e.route.name, f.runId, seq) : undefined;
    if (hit && e.route) {
      fired = hit.kind === "status" ? { hit, answer: hit.answer(e.route.action) } : { hit };
    }
    const status = mock?.status ?? blockedStatus(e);
    return event = buildEvent({
      action: e.action,
      evaluation: e,
      outcome: e.outcome,
      enforced: isEnforced(e.outcome, mock !== undefined),
      response: responseOf(status, fired),
    }, f.ctx.redactor);
  };
  const seq = await f.recorder.record(f.runId, build, timing, f.ctx.policies.digest);
  return { seq, event: event ?? build(seq), fired };
}

/** Serves the mock, or what the fault that fired makes of it. */
async function serve(
  f: InFlight,
  mock: MockAnswer,
  fired: Fired | undefined,
  headers: Record<string, string>,
): Promise<Response> {
  const hit = fired?.hit;
  if (hit?.kind === "reset" || hit?.kind === "timeout") return hangUp(f, hit);
  if (hit?.kind === "status") {
    return mockResponse(fired?.answer as MockAnswer, { ...headers, [FAULT_HEADER]: "status" });
  }
  const delayMs = mock.delayMs + (hit?.kind === "delay" ? hit.delayMs : 0);
  if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  return mockResponse(mock, hit ? { ...headers, [FAULT_HEADER]: "delay" } : headers);
}

async function answer(f: InFlight, e: Evaluation, evaluateUs: number, decidedAt: number) {
  const served = goesThrough(e.outcome) || f.ctx.mode === "passthrough";
  const mock = served
    ? e.route?.render() ?? (f.ctx.mocks ? undefined : UNDECLARED_ANSWER)
    : undefined;
  const { seq, event, fired } = await record(f, e, mock, timing(f, evaluateUs, decidedAt));
  if (!mock) return blockedAnswer(e, event.decisions, f.runId, seq);
  return serve(f, mock, fired, decisionHeaders(e, f.runId));
}

/**
 * Passthrough and a body the rules cannot read: the route's mock is served undecided, as the
 * gateway forwards such a body, and the event is an `error` with `enforced: false`. Without a
 * route there is nothing to serve.
 */
async function serveUninspected(f: InFlight, action: HttpAction, error: string, status: number) {
  const route = f.ctx.mocks?.match(action);
  const mock = route?.render();
  if (!route || !mock) return refuse(f, action, status, error);
  const event = buildEvent({
    action: route.action,
    outcome: "error",
    enforced: false,
    response: { status: mock.status },
    error: `${error}; served uninspected`,
  }, f.ctx.redactor);
  await f.recorder.record(f.runId, event, timing(f, 0, performance.now()));
  if (mock.delayMs) await new Promise((r) => setTimeout(r, mock.delayMs));
  return mockResponse(mock, decisionHeaders({ outcome: "error", route }, f.runId));
}

async function decide(f: InFlight, action: HttpAction): Promise<Response> {
  const evalStart = performance.now();
  let e: Evaluation;
  try {
    const now = evaluateActionNow(f.ctx.policies, f.ctx.mocks, action);
    e = now instanceof Promise ? await now : now;
  } catch (cause) {
    return refuse(f, action, 503, `evaluation failed: ${errorMessage(cause)}`);
  }
  const decidedAt = performance.now();
  return answer(f, e, usBetween(evalStart, decidedAt), decidedAt);
}

/**
 * Options of {@link handleCiRequest}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CiRequestOptions } from "./ci_handler.ts";
 * const giveUp = new AbortController();
 * const o: CiRequestOptions = { signal: giveUp.signal };
 * giveUp.abort();
 * assert.equal(o.signal?.aborted, true);
 * ```
 */
export interface CiRequestOptions {
  /** When the caller gives up; default the request's own signal. A held request ends then. */
  readonly signal?: AbortSignal;
}

/**
 * Decides one request in CI mode, records it, and answers it as the proxy does. A declared
 * `reset` or `timeout` fault that fires rejects with {@link ChaosNetworkError} (the surface
 * drops the connection); a timeout whose caller gives up first rejects with the signal's reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileMocks, compilePolicies } from "@mirage/core";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { handleCiRequest } from "./ci_handler.ts";
 * const ctx = {
 *   mode: "enforce" as const,
 *   policies: compilePolicies({ policies: [] }),
 *   mocks: compileMocks({ mocks: [{ name: "ping", method: "GET", path: "/ping", response: { body: "pong" } }] }),
 *   redactor: compileRedactor([]),
 *   maxBody: 1024 * 1024,
 * };
 * const res = await handleCiRequest(ctx, new Recorder(), new Request("http://api.test/ping"), "r1");
 * assert.equal(await res.text(), "pong");
 * assert.equal(res.headers.get("x-mirage-outcome"), "allowed");
 * ```
 */
export async function handleCiRequest(
  ctx: CiContext,
  recorder: Recorder,
  request: Request,
  runId: string,
  options: CiRequestOptions = {},
): Promise<Response> {
  const f: InFlight = {
    ctx,
    recorder,
    runId,
    start: performance.now(),
    at: new Date().toISOString(),
    signal: options.signal ?? request.signal,
  };
  const bare = httpAction({
    method: request.method,
    url: request.url,
    headers: request.headers,
    runId,
  });
  if (readsAsReserved(bare)) {
    const { status, message, code } = RESERVED_PATH_ERROR;
    return refuse(f, bare, status, message, code);
  }
  const body = await readBodyForRules(request, ctx.maxBody);
  switch (body.kind) {
    case "read":
      return decide(f, withPayload(bare, body.payload));
    case "unreadable":
      return refuse(f, bare, BODY_STATUS.unreadable, body.error);
    case "over":
      if (body.body instanceof ReadableStream) await body.body.cancel().catch(() => {});
      return refuse(f, bare, BODY_STATUS.over, body.error);
    case "uninspectable": {
      const action = withPayload(bare, body.text);
      const status = BODY_STATUS.uninspectable;
      if (ctx.mode === "enforce") return refuse(f, action, status, body.error);
      return serveUninspected(f, action, body.error, status);
    }
  }
}
