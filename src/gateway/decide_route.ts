/**
 * `POST /_mirage/v1/decide`: an SDK adapter asks about an action before running it. The action
 * is decided with the gateway's evaluator and recorded in the run's trace — and never sent
 * anywhere (the Python Mirage forwarded allowed checks to the upstream).
 *
 * @module
 */

import { type Action, httpAction, toolAction } from "../engine/action.ts";
import { evaluateAction, type Evaluation } from "../engine/evaluate_action.ts";
import { errorMessage } from "../errors.ts";
import { decisionHeaders, jsonAnswer } from "../http/answers.ts";
import { type TraceEvent, traceRequest } from "../trace/event.ts";
import type { Redactor } from "../trace/redact.ts";
import { readLimited } from "../http/body_limit.ts";
import { elapsedUs } from "../trace/timing.ts";
import { errorAnswer } from "../http/error_answer.ts";
import type { GatewayContext } from "./gateway_handler.ts";
import type { Destination } from "./recorder.ts";

/** The answer of a decide call. */
export interface DecideAnswer {
  /** The decided outcome. */
  outcome: Evaluation["outcome"];
  /** The deciding policy, if any. */
  policy?: string;
  /** One decision per applicable rule. */
  decisions: Evaluation["decisions"];
  /** The matched surface route, if any. */
  route?: string;
  /** The run the decision was recorded in. */
  run_id: string;
  /** The event's sequence number in the run. */
  event: number;
  /** False in passthrough for a stopped action: the gateway would have let it through. */
  enforced: boolean;
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function headersOf(v: unknown): HeadersInit | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || !Object.values(v).every((x) => typeof x === "string")) {
    throw new TypeError("'headers' must map names to strings");
  }
  return v as Record<string, string>;
}

/** Reads an HTTP-shaped `{method, url, headers?, body?|json?}` or a tool call `{tool, args?}`. */
export function parseDecideAction(value: unknown, runId: string): Action {
  if (!isRecord(value)) throw new TypeError("the action must be a JSON object");
  const headers = headersOf(value.headers);
  if (typeof value.tool === "string") {
    return toolAction({
      tool: value.tool,
      args: value.args,
      runId,
      ...(headers ? { headers } : {}),
    });
  }
  if (typeof value.method !== "string" || typeof value.url !== "string") {
    throw new TypeError("give {method, url, headers?, body?|json?} or {tool, args?}");
  }
  if (value.body !== undefined && typeof value.body !== "string") {
    throw new TypeError("'body' must be a string");
  }
  return httpAction({
    method: value.method,
    url: new URL(value.url),
    runId,
    ...(headers ? { headers } : {}),
    ...(value.json !== undefined ? { json: value.json } : {}),
    ...(typeof value.body === "string" ? { body: value.body } : {}),
  });
}

function destinationOf(a: Action): Destination {
  return a.kind === "http"
    ? { method: a.method, host: a.host, path: a.path }
    : { method: "TOOL", host: "", path: a.tool };
}

function invalid(message: string, runId: string): Response {
  return jsonAnswer(400, { error: "invalid_action", message, run_id: runId }, {
    "x-mirage-run-id": runId,
  });
}

/** The posted JSON, or the answer that refuses it. */
async function readJson(ctx: GatewayContext, request: Request, runId: string): Promise<unknown> {
  const body = await readLimited(request.body, ctx.maxBody);
  if (body.kind === "over") {
    await body.stream.cancel();
    return errorAnswer(413, `action larger than ${ctx.maxBody} bytes`, runId, 0, "error");
  }
  try {
    return JSON.parse(body.kind === "complete" ? new TextDecoder().decode(body.bytes) : "");
  } catch (e) {
    return invalid(`the action is not JSON: ${errorMessage(e)}`, runId);
  }
}

/** Run id: the `x-mirage-run-id` header, the action's `run_id`, then the gateway's default. */
function runIdOf(ctx: GatewayContext, request: Request, value: unknown): string {
  const fromBody = isRecord(value) && typeof value.run_id === "string" ? value.run_id : undefined;
  return request.headers.get("x-mirage-run-id") || fromBody || ctx.defaultRunId;
}

function eventOf(r: Redactor, e: Evaluation, enforced: boolean): Omit<TraceEvent, "seq"> {
  const event: Omit<TraceEvent, "seq"> = {
    request: r.request(traceRequest(e.action, true)),
    outcome: e.outcome,
    enforced,
    decisions: r.decisions(e.decisions),
    response: { status: 200 },
  };
  if (e.route) event.route = e.route.name;
  if (e.policy !== undefined) event.policy = e.policy;
  return event;
}

async function decideAndRecord(
  ctx: GatewayContext,
  action: Action,
  runId: string,
  start: number,
  at: string,
) {
  const config = ctx.config();
  const e = await evaluateAction(
    config.policies,
    action.kind === "http" ? config.surface : undefined,
    action,
  );
  const us = elapsedUs(start);
  const enforced = ctx.enforce || e.outcome === "allowed" || e.outcome === "flagged";
  const times = { at, evaluateUs: us, decideUs: us, totalUs: us };
  const event = eventOf(config.redactor, e, enforced);
  const to = destinationOf(e.action);
  const seq = await ctx.recorder.record(runId, event, to, times, config.policies.digest);
  const answer: DecideAnswer = {
    outcome: e.outcome,
    decisions: event.decisions,
    run_id: runId,
    event: seq,
    enforced,
  };
  if (e.policy !== undefined) answer.policy = e.policy;
  if (e.route) answer.route = e.route.name;
  return jsonAnswer(200, answer, decisionHeaders(e, runId));
}

/**
 * Decides the posted action and answers its evaluation; a surface applies to HTTP actions
 * only (mocks describe routes, not tools). An evaluation that throws answers 503.
 *
 * @example
 * ```ts ignore
 * const res = await handleDecide(ctx, new Request("http://gw/_mirage/v1/decide", {
 *   method: "POST", body: JSON.stringify({ tool: "submit_bid", args: { amount: 50000 } }),
 * }));
 * ```
 */
export async function handleDecide(ctx: GatewayContext, request: Request): Promise<Response> {
  const start = performance.now();
  const at = new Date().toISOString();
  const value = await readJson(
    ctx,
    request,
    request.headers.get("x-mirage-run-id") || ctx.defaultRunId,
  );
  if (value instanceof Response) return value;
  const runId = runIdOf(ctx, request, value);
  let action: Action;
  try {
    action = parseDecideAction(value, runId);
  } catch (e) {
    return invalid(errorMessage(e), runId);
  }
  try {
    return await decideAndRecord(ctx, action, runId, start, at);
  } catch (e) {
    const message = `evaluation failed: ${errorMessage(e)}`;
    console.error(`[mirage] ${message}`);
    return errorAnswer(503, message, runId, 0, "error");
  }
}
