/**
 * The gateway's request path: read the body up to the inspection limit, decide with the
 * compiled policies (and the declared surface), then forward or answer — and record every
 * request, whatever happened to it.
 *
 * @module
 */

import { type HttpAction, httpAction } from "../engine/action.ts";
import { evaluateAction, type Evaluation } from "../engine/evaluate_action.ts";
import { errorMessage } from "../errors.ts";
import { blockedBody, blockedStatus, decisionHeaders, jsonAnswer } from "../http/answers.ts";
import { type Outcome, type TraceEvent, traceRequest } from "../trace/event.ts";
import { type InspectedBody, readRequestBody } from "../http/body_limit.ts";
import { elapsedUs, usBetween } from "../trace/timing.ts";
import { errorAnswer } from "../http/error_answer.ts";
import { forward, type ForwardTarget, requestUrls } from "./forward.ts";
import type { GatewayConfig } from "./gateway_config.ts";
import type { Recorder, RequestTimes } from "./recorder.ts";
import type { UpstreamClient } from "./upstream_client.ts";

/** What every request of one gateway shares. */
export interface GatewayContext {
  /** False in passthrough: stopped requests are forwarded and recorded `enforced: false`. */
  readonly enforce: boolean;
  /** The upstream's origin and base path. */
  readonly upstream: URL;
  /** Bytes of a request body read for the policies. */
  readonly maxBody: number;
  /** Wait for the upstream's response head, in ms. */
  readonly timeoutMs: number;
  /** Run id of requests without `x-mirage-run-id`. */
  readonly defaultRunId: string;
  /** The configuration to decide with now (it changes on reload). */
  readonly config: () => GatewayConfig;
  /** Sends forwarded requests upstream. */
  readonly client: UpstreamClient;
  /** Traces, metrics and the decision log. */
  readonly recorder: Recorder;
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
  readonly at: string;
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

type Decided = Pick<RequestTimes, "evaluateUs" | "decideUs">;

function actionOf(f: InFlight, body: Uint8Array | undefined): HttpAction {
  const { method, headers } = f.request;
  return httpAction({ method, url: f.decided, headers, runId: f.runId, ...(body ? { body } : {}) });
}

function errorHeaders(runId: string): Record<string, string> {
  return { "x-mirage-outcome": "error", "x-mirage-run-id": runId };
}

function eventOf(
  f: InFlight,
  action: HttpAction,
  plan: Plan,
  status: number,
): Omit<TraceEvent, "seq"> {
  const r = f.config.redactor;
  const e = plan.evaluation;
  const event: Omit<TraceEvent, "seq"> = {
    request: r.request(traceRequest(e?.action ?? action, true)),
    outcome: plan.outcome,
    enforced: plan.enforced,
    decisions: r.decisions(e?.decisions ?? []),
    response: { status },
  };
  if (e?.route) event.route = e.route.name;
  if (e?.policy !== undefined) event.policy = e.policy;
  if (plan.error !== undefined) event.error = plan.error;
  return event;
}

function record(
  f: InFlight,
  action: HttpAction,
  plan: Plan,
  status: number,
  times: RequestTimes,
): Promise<number> {
  const to = { method: action.method, host: action.host, path: action.path };
  const event = eventOf(f, action, plan, status);
  return f.ctx.recorder.record(f.runId, event, to, times, f.config.policies.digest);
}

/** Mirage answers itself (413, 503, 400): recorded as `error`, nothing forwarded. */
async function refuse(f: InFlight, action: HttpAction, status: number, error: string, d: Decided) {
  const plan: Plan = { outcome: "error", enforced: true, error, headers: errorHeaders(f.runId) };
  const seq = await record(f, action, plan, status, {
    at: f.at,
    ...d,
    totalUs: elapsedUs(f.start),
  });
  return errorAnswer(status, error, f.runId, seq, "error");
}

async function forwardAndRecord(
  f: InFlight,
  plan: Plan,
  action: HttpAction,
  body: Uint8Array | ReadableStream<Uint8Array> | undefined,
  d: Decided,
): Promise<Response> {
  const { request, ctx, target } = f;
  const via = { clientIp: f.clientIp, proto: f.proto };
  const res = await forward(ctx.client, {
    request,
    target,
    headers: action.headers,
    body,
    via,
    answerHeaders: plan.headers,
    timeoutMs: ctx.timeoutMs,
  });
  const times: RequestTimes = {
    at: f.at,
    ...d,
    totalUs: elapsedUs(f.start),
    upstreamUs: res.upstreamUs,
  };
  if (res.ok) {
    await record(f, action, plan, res.response.status, times);
    return res.response;
  }
  // A violation that also failed upstream stays a violation: it is the worse news for the gate.
  const outcome = plan.outcome === "allowed" || plan.outcome === "flagged" ? "error" : plan.outcome;
  const error = plan.error === undefined ? res.error : `${plan.error}; ${res.error}`;
  const seq = await record(f, action, { ...plan, outcome, error }, res.status, times);
  return errorAnswer(res.status, res.error, f.runId, seq, outcome);
}

/**
 * A body the policies cannot read — over the inspection limit, or content-encoded — is never
 * decided as if it were empty: enforce refuses it, passthrough forwards it and records an error.
 */
function uninspected(
  f: InFlight,
  body: Uint8Array | ReadableStream<Uint8Array>,
  status: number,
  error: string,
): Promise<Response> {
  const action = actionOf(f, undefined);
  const d: Decided = { evaluateUs: 0, decideUs: elapsedUs(f.start) };
  if (f.ctx.enforce) {
    if (body instanceof ReadableStream) body.cancel().catch(() => {});
    return refuse(f, action, status, error, d);
  }
  const plan: Plan = {
    outcome: "error",
    enforced: false,
    error: `${error}; forwarded uninspected`,
    headers: errorHeaders(f.runId),
  };
  return forwardAndRecord(f, plan, action, body, d);
}

/** A request body in a content coding other than identity (gzip, br, …). */
function encodingOf(request: Request): string | undefined {
  const coding = request.headers.get("content-encoding")?.trim().toLowerCase();
  return coding && coding !== "identity" ? coding : undefined;
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
  if (f.ctx.enforce) return refuse(f, action, 503, error, d);
  return forwardAndRecord(
    f,
    { outcome: "error", enforced: false, error, headers: errorHeaders(f.runId) },
    action,
    body,
    d,
  );
}

async function decideAndAct(f: InFlight, body: Uint8Array | undefined): Promise<Response> {
  const action = actionOf(f, body);
  const evalStart = performance.now();
  let e: Evaluation;
  try {
    e = await evaluateAction(f.config.policies, f.config.surface, action);
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
  const headers = decisionHeaders(e, f.runId);
  const stopped = e.outcome === "policy_violation" || e.outcome === "unmatched_route";
  if (!stopped || !f.ctx.enforce) {
    return forwardAndRecord(
      f,
      { outcome: e.outcome, enforced: !stopped, evaluation: e, headers },
      action,
      body,
      d,
    );
  }
  const status = blockedStatus(e);
  const plan: Plan = { outcome: e.outcome, enforced: true, evaluation: e, headers };
  const seq = await record(f, action, plan, status, {
    at: f.at,
    ...d,
    totalUs: elapsedUs(f.start),
  });
  const decisions = f.config.redactor.decisions(e.decisions);
  return jsonAnswer(status, blockedBody({ ...e, decisions }, f.runId, seq), headers);
}

/**
 * Handles one proxied request (`url` is the request's URL, when the caller has parsed it).
 *
 * @example
 * ```ts ignore
 * import { handleGatewayRequest } from "./gateway_handler.ts";
 * Deno.serve((req, info) => handleGatewayRequest(ctx, req, info.remoteAddr.hostname));
 * ```
 */
export async function handleGatewayRequest(
  ctx: GatewayContext,
  request: Request,
  clientIp: string,
  url: URL = new URL(request.url),
): Promise<Response> {
  const { target, decided } = requestUrls(ctx.upstream, url);
  const f: InFlight = {
    ctx,
    request,
    clientIp,
    proto: url.protocol.slice(0, -1),
    runId: request.headers.get("x-mirage-run-id") || ctx.defaultRunId,
    config: ctx.config(),
    target,
    decided,
    start: performance.now(),
    at: new Date().toISOString(),
  };
  let body: InspectedBody;
  try {
    body = await readRequestBody(request, ctx.maxBody);
  } catch (e) {
    const why = `cannot read the request body: ${errorMessage(e)}`;
    return refuse(f, actionOf(f, undefined), 400, why, {
      evaluateUs: 0,
      decideUs: elapsedUs(f.start),
    });
  }
  if (body.kind === "over") {
    const error = `request body larger than the inspection limit of ${ctx.maxBody} bytes`;
    return uninspected(f, body.stream, 413, error);
  }
  const coding = body.kind === "complete" ? encodingOf(request) : undefined;
  if (coding && body.kind === "complete") {
    return uninspected(
      f,
      body.bytes,
      415,
      `request body is ${coding}-encoded: rules cannot read it`,
    );
  }
  return decideAndAct(f, body.kind === "complete" ? body.bytes : undefined);
}
