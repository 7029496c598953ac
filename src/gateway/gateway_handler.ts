/**
 * The gateway's request path (docs/architecture.md): read the body up to the inspection limit,
 * decide with the compiled policies (and the declared surface), then forward or answer — and
 * record every request, whatever happened to it.
 *
 * @module
 */

import { type HttpAction, httpAction, withPayload } from "../engine/action.ts";
import { evaluateActionNow, type Evaluation } from "../engine/evaluate_action.ts";
import { goesThrough, isEnforced, isStopped, type Mode, type Outcome } from "../engine/outcome.ts";
import { errorMessage } from "../errors.ts";
import { blockedAnswer, blockedStatus, decisionHeaders, errorAnswer } from "../http/answers.ts";
import { BODY_STATUS, readBodyForRules } from "../http/request_body.ts";
import { readsAsReserved, RESERVED_PATH_ERROR } from "../http/reserved_path.ts";
import type { ClientConnection } from "../http/http_listener.ts";
import { buildEvent } from "../trace/event.ts";
import type { Recorder } from "../trace/recorder.ts";
import type { RunIdRule } from "../trace/run_id.ts";
import { elapsedUs, type EventTiming, type IsoTimes, usBetween } from "../trace/timing.ts";
import type { Forwarder } from "./forward.ts";
import type { GatewayConfig } from "./gateway_config.ts";
import type { ForwardTarget } from "./upstream_url.ts";
import type { BodyEnd } from "./upstream_client.ts";

/**
 * What every request of one gateway shares.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GatewayContext, handleGatewayRequest } from "./gateway_handler.ts";
 * import { Forwarder } from "./forward.ts";
 * import { compilePolicies } from "../engine/compile_policies.ts";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { IsoTimes } from "../trace/timing.ts";
 * await using upstream = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => new Response("ok"));
 * const forwarder = new Forwarder({ upstream: new URL(`http://127.0.0.1:${upstream.addr.port}`) });
 * const policies = compilePolicies({
 *   policies: [{ name: "cap", field: "amount", operator: "max", value: 100, message: "too much" }],
 * });
 * const outcomes: string[] = [];
 * const ctx: GatewayContext = {
 *   mode: "enforce",
 *   maxBody: 1024,
 *   runIds: new RunIdRule({ option: "r1" }),
 *   config: () => ({ policies, surface: undefined, redactor: compileRedactor([]) }),
 *   forwarder,
 *   recorder: new Recorder({ observers: [(r) => outcomes.push(r.event.outcome)] }),
 *   afterAnswer: () => {},
 *   times: new IsoTimes(),
 * };
 * const bid = (amount: number) =>
 *   new Request("http://gw.test/v1/bids", {
 *     method: "POST",
 *     headers: { "content-type": "application/json" },
 *     body: JSON.stringify({ amount }),
 *   });
 * const allowed = await handleGatewayRequest(ctx, bid(50), "127.0.0.1");
 * assert.equal(await allowed.text(), "ok");
 * const blocked = await handleGatewayRequest(ctx, bid(500), "127.0.0.1");
 * assert.equal(blocked.status, 403);
 * assert.equal((await blocked.json()).policy, "cap");
 * assert.deepEqual(outcomes, ["allowed", "policy_violation"]);
 * forwarder.close();
 * ```
 */
export interface GatewayContext {
  /** `passthrough` forwards stopped requests and records them `enforced: false`. */
  readonly mode: Mode;
  /** Bytes of a request body read for the policies. */
  readonly maxBody: number;
  /** Which run a request belongs to. */
  readonly runIds: RunIdRule;
  /** The configuration to decide with now (it changes on reload). */
  readonly config: () => GatewayConfig;
  /** Sends forwarded requests upstream. */
  readonly forwarder: Forwarder;
  /** Traces, metrics and the decision log. */
  readonly recorder: Recorder;
  /**
   * Takes work that ends after the answer's head went out (recording a body the upstream cut);
   * the gateway waits for it before it closes its traces.
   */
  readonly afterAnswer: (work: Promise<void>) => void;
  /** Formats the events' arrival times. */
  readonly times: IsoTimes;
}

/** One request on its way through. */
interface InFlight {
  readonly ctx: GatewayContext;
  readonly request: Request;
  readonly clientIp: string;
  /** The scheme the client used to reach the gateway. */
  readonly proto: string;
  readonly runId: string;
  /** Read once: a reload during the request does not change its rules halfway. */
  readonly config: GatewayConfig;
  readonly target: ForwardTarget;
  /** What the policies read: the request's path and query on the upstream's origin. */
  readonly decided: URL;
  readonly start: number;
  /** Wall-clock time of arrival (`Date.now()`): formatted when the event is recorded. */
  readonly arrived: number;
  /** The client's connection, when the server gives it (to cut an answer the upstream cut). */
  readonly connection: ClientConnection | undefined;
}

/** What was decided, before the upstream is asked. */
interface Plan {
  readonly outcome: Outcome;
  readonly enforced: boolean;
  readonly evaluation?: Evaluation;
  readonly error?: string;
  /** Decision headers for the client's answer. */
  readonly headers: Record<string, string>;
}

/** How long deciding took. */
interface Decided {
  readonly evaluateUs: number;
  readonly decideUs: number;
}

/** The action the rules decide, before its body is read. */
function bareAction(f: InFlight): HttpAction {
  const { method, headers } = f.request;
  return httpAction({ method, url: f.decided, headers, runId: f.runId });
}

function errorPlan(f: InFlight, error: string, enforced: boolean): Plan {
  return {
    outcome: "error",
    enforced,
    error,
    headers: decisionHeaders({ outcome: "error" }, f.runId),
  };
}

function record(
  f: InFlight,
  action: HttpAction,
  plan: Plan,
  status: number,
  timing: EventTiming,
): Promise<number> {
  const event = buildEvent(
    {
      action,
      ...(plan.evaluation ? { evaluation: plan.evaluation } : {}),
      outcome: plan.outcome,
      enforced: plan.enforced,
      response: { status },
      ...(plan.error === undefined ? {} : { error: plan.error }),
    },
    f.config.redactor,
    { host: true },
  );
  return f.ctx.recorder.record(f.runId, event, timing, f.config.policies.digest);
}

function timing(f: InFlight, d: Decided, upstreamUs?: number): EventTiming {
  const t: EventTiming = {
    at: f.ctx.times.format(f.arrived),
    evaluate_us: d.evaluateUs,
    decide_us: d.decideUs,
    total_us: elapsedUs(f.start),
  };
  if (upstreamUs !== undefined) t.upstream_us = upstreamUs;
  return t;
}

/** Mirage answers itself (413, 415, 503, 400): recorded as `error`, nothing forwarded. */
async function refuse(
  f: InFlight,
  action: HttpAction,
  status: number,
  error: string,
  d: Decided,
  code?: string,
) {
  const seq = await record(f, action, errorPlan(f, error, true), status, timing(f, d));
  return errorAnswer(status, error, { runId: f.runId, event: seq, ...(code ? { code } : {}) });
}

function undecided(f: InFlight): Decided {
  return { evaluateUs: 0, decideUs: elapsedUs(f.start) };
}

async function forwardAndRecord(
  f: InFlight,
  plan: Plan,
  action: HttpAction,
  body: Uint8Array | ReadableStream<Uint8Array> | undefined,
  d: Decided,
): Promise<Response> {
  const res = await f.ctx.forwarder.forward({
    request: f.request,
    target: f.target,
    headers: action.headers,
    body,
    via: { clientIp: f.clientIp, proto: f.proto },
    answerHeaders: plan.headers,
    cutClient: f.connection?.abort,
  });
  const t = timing(f, d, res.upstreamUs);
  if (res.ok) {
    const status = res.response.status;
    await record(f, action, plan, status, t);
    if (res.ended) f.ctx.afterAnswer(recordCutBody(f, action, plan, status, res.ended));
    return res.response;
  }
  // A violation that also failed upstream stays a violation: it is the worse news for the gate.
  const outcome = goesThrough(plan.outcome) ? "error" : plan.outcome;
  const error = plan.error === undefined ? res.error : `${plan.error}; ${res.error}`;
  const seq = await record(f, action, { ...plan, outcome, error }, res.status, t);
  return errorAnswer(res.status, res.error, { runId: f.runId, event: seq, outcome });
}

/**
 * The event of a forwarded request is recorded when its answer's head goes out, so that a long
 * stream shows up at once and a killed gateway loses nothing. When the upstream then fails
 * before the body's end, a second event records it: outcome `error`, the status and the body
 * bytes the client got, and why. The first event stays as it was: it is what was decided.
 */
async function recordCutBody(
  f: InFlight,
  action: HttpAction,
  plan: Plan,
  status: number,
  ended: Promise<BodyEnd>,
): Promise<void> {
  const end = await ended;
  if (end.kind !== "failed") return;
  const error = `the upstream failed after ${end.bytes} body bytes (${end.error}): ` +
    `the client got status ${status} and a cut body`;
  const event = buildEvent(
    {
      action,
      outcome: "error",
      enforced: plan.enforced,
      response: { status, bytes: end.bytes },
      error,
    },
    f.config.redactor,
    { host: true },
  );
  const t: EventTiming = {
    at: new Date().toISOString(),
    evaluate_us: 0,
    decide_us: 0,
    total_us: elapsedUs(f.start),
  };
  await f.ctx.recorder.record(f.runId, event, t);
}

/**
 * A body the policies cannot read — over the inspection limit, in an unknown coding, declared
 * JSON that is not — is never decided as if it were empty: enforce refuses it, passthrough
 * forwards the bytes as sent and records an error. Its text, if any, is recorded (redacted).
 */
function uninspected(
  f: InFlight,
  bare: HttpAction,
  body: Uint8Array | ReadableStream<Uint8Array>,
  status: number,
  error: string,
  text?: string,
): Promise<Response> {
  const action = withPayload(bare, text);
  const d = undecided(f);
  if (f.ctx.mode === "enforce") {
    if (body instanceof ReadableStream) body.cancel().catch(() => {});
    return refuse(f, action, status, error, d);
  }
  return forwardAndRecord(
    f,
    errorPlan(f, `${error}; forwarded uninspected`, false),
    action,
    body,
    d,
  );
}

function evaluationFailed(
  f: InFlight,
  action: HttpAction,
  cause: unknown,
  body: Uint8Array | undefined,
  d: Decided,
) {
  const error = `evaluation failed: ${errorMessage(cause)}`;
  console.error(`[mirage] ${error}`);
  if (f.ctx.mode === "enforce") return refuse(f, action, 503, error, d);
  return forwardAndRecord(f, errorPlan(f, error, false), action, body, d);
}

async function decideAndAct(
  f: InFlight,
  action: HttpAction,
  body: Uint8Array | undefined,
): Promise<Response> {
  const evalStart = performance.now();
  let e: Evaluation;
  try {
    const now = evaluateActionNow(f.config.policies, f.config.surface, action);
    e = now instanceof Promise ? await now : now;
  } catch (cause) {
    return evaluationFailed(f, action, cause, body, {
      evaluateUs: elapsedUs(evalStart),
      decideUs: elapsedUs(f.start),
    });
  }
  const decidedAt = performance.now();
  const d: Decided = {
    evaluateUs: usBetween(evalStart, decidedAt),
    decideUs: usBetween(f.start, decidedAt),
  };
  const stopped = isStopped(e.outcome);
  if (!stopped || f.ctx.mode === "passthrough") {
    const headers = decisionHeaders(e, f.runId);
    const plan: Plan = {
      outcome: e.outcome,
      enforced: isEnforced(e.outcome, true),
      evaluation: e,
      headers,
    };
    return forwardAndRecord(f, plan, action, body, d);
  }
  const plan: Plan = { outcome: e.outcome, enforced: true, evaluation: e, headers: {} };
  const seq = await record(
    f,
    action,
    plan,
    blockedStatus(e),
    timing(f, d),
  );
  return blockedAnswer(e, f.config.redactor.decisions(e.decisions, e.action.payload), f.runId, seq);
}

/**
 * Handles one proxied request (`url` is the request's URL, when the caller has parsed it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GatewayContext, handleGatewayRequest } from "./gateway_handler.ts";
 * import { Forwarder } from "./forward.ts";
 * import { compilePolicies } from "../engine/compile_policies.ts";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { IsoTimes } from "../trace/timing.ts";
 * await using upstream = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen() {} },
 *   (req) => new Response(req.headers.get("x-forwarded-for")),
 * );
 * const forwarder = new Forwarder({ upstream: new URL(`http://127.0.0.1:${upstream.addr.port}`) });
 * const ctx: GatewayContext = {
 *   mode: "enforce",
 *   maxBody: 1024,
 *   runIds: new RunIdRule({}),
 *   config: () => ({ policies: compilePolicies({ policies: [] }), surface: undefined, redactor: compileRedactor([]) }),
 *   forwarder,
 *   recorder: new Recorder(),
 *   afterAnswer: () => {},
 *   times: new IsoTimes(),
 * };
 * await using gateway = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen() {} },
 *   (req, info) => handleGatewayRequest(ctx, req, info.remoteAddr.hostname),
 * );
 * const res = await fetch(`http://127.0.0.1:${gateway.addr.port}/v1/x`);
 * assert.equal(res.headers.get("x-mirage-outcome"), "allowed");
 * assert.equal(await res.text(), "127.0.0.1");
 * forwarder.close();
 * ```
 */
export async function handleGatewayRequest(
  ctx: GatewayContext,
  request: Request,
  clientIp: string,
  url: URL = new URL(request.url),
  connection?: ClientConnection,
): Promise<Response> {
  const { target, decided } = ctx.forwarder.urls(url);
  const f: InFlight = {
    ctx,
    request,
    clientIp,
    proto: url.protocol.slice(0, -1),
    runId: ctx.runIds.resolve({ header: request.headers }),
    config: ctx.config(),
    target,
    decided,
    start: performance.now(),
    arrived: Date.now(),
    connection,
  };
  // The body's read goes to the runtime first, and the action is built while it is under way.
  const reading = readBodyForRules(request, ctx.maxBody);
  const bare = bareAction(f);
  if (readsAsReserved(bare)) {
    reading.catch(() => {});
    const { status, message, code } = RESERVED_PATH_ERROR;
    return refuse(f, bare, status, message, undecided(f), code);
  }
  const body = await reading;
  switch (body.kind) {
    case "read":
      return decideAndAct(f, withPayload(bare, body.payload), body.bytes);
    case "unreadable":
      return refuse(f, bare, BODY_STATUS.unreadable, body.error, undecided(f));
    case "over":
      return uninspected(f, bare, body.body, BODY_STATUS.over, body.error);
    case "uninspectable":
      return uninspected(f, bare, body.bytes, BODY_STATUS.uninspectable, body.error, body.text);
  }
}
