/**
 * `POST /_mirage/v1/decide`: an SDK adapter asks about an action before running it. The action
 * is decided with the server's evaluator and recorded in the run's trace — and never sent
 * anywhere (the Python Mirage forwarded allowed checks to the upstream).
 *
 * @module
 */

import { type Action, type HttpAction, httpAction, toolAction } from "../engine/action.ts";
import { evaluateAction, type Evaluation } from "../engine/evaluate_action.ts";
import { isEnforced } from "../engine/outcome.ts";
import { errorMessage } from "../errors.ts";
import { decideToolAction, type ToolContext } from "../tools/decide_tool.ts";
import type { ToolMockAnswer, ToolVerdict } from "../tools/tool_gate.ts";
import { buildEvent } from "../trace/event.ts";
import type { RunIdRule } from "../trace/run_id.ts";
import { elapsedUs } from "../trace/timing.ts";
import { decisionHeaders, errorAnswer, jsonAnswer, outcomeMessage } from "./answers.ts";
import { readLimited } from "./body_limit.ts";
import { isRecord } from "../is_record.ts";

/**
 * What the decide route decides with; a server passes its own. Tool calls take the shared tool
 * path (`tools/decide_tool.ts`): remembered by call id, answered with their mock where the
 * server serves mocks (`serveMocks`: the CI proxy).
 */
export interface DecideContext extends ToolContext {
  /** Bytes of a posted action read at most. */
  readonly maxBody: number;
  /** Which run an action belongs to. */
  readonly runIds: RunIdRule;
}

/** The answer of a decide call. */
export interface DecideAnswer {
  /** The decided outcome. */
  outcome: Evaluation["outcome"];
  /** What the agent should be told: the deciding rule's message, or `allowed`. */
  message: string;
  /** For a tool call the CI proxy answers with a tool mock: the mock and its result. */
  mock?: ToolMockAnswer;
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

function headersOf(v: unknown): HeadersInit | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || !Object.values(v).every((x) => typeof x === "string")) {
    throw new TypeError("'headers' must map names to strings");
  }
  return v as Record<string, string>;
}

/**
 * Reads an HTTP-shaped `{method, url, headers?, body?|json?}` or a tool call
 * `{tool, args?, call_id?, headers?}`.
 */
export function parseDecideAction(value: unknown, runId: string): Action {
  if (!isRecord(value)) throw new TypeError("the action must be a JSON object");
  const headers = headersOf(value.headers);
  if (typeof value.tool === "string") {
    if (value.call_id !== undefined && typeof value.call_id !== "string") {
      throw new TypeError("'call_id' must be a string");
    }
    return toolAction({
      tool: value.tool,
      args: value.args,
      runId,
      ...(headers ? { headers } : {}),
      ...(typeof value.call_id === "string" ? { callId: value.call_id } : {}),
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

function invalid(message: string, runId: string): Response {
  return errorAnswer(400, message, { code: "invalid_action", runId });
}

/** The posted JSON, or the answer that refuses it. */
async function readJson(ctx: DecideContext, request: Request, runId: string): Promise<unknown> {
  const body = await readLimited(request.body, ctx.maxBody);
  if (body.kind === "over") {
    await body.stream.cancel();
    return errorAnswer(413, `action larger than ${ctx.maxBody} bytes`, { runId });
  }
  try {
    return JSON.parse(body.kind === "complete" ? new TextDecoder().decode(body.bytes) : "");
  } catch (e) {
    return invalid(`the action is not JSON: ${errorMessage(e)}`, runId);
  }
}

/** Run id: the `x-mirage-run-id` header, the action's `run_id`, then the server's. */
function runIdOf(ctx: DecideContext, request: Request, value: unknown): string {
  const call = isRecord(value) && typeof value.run_id === "string" ? value.run_id : undefined;
  return ctx.runIds.resolve({ header: request.headers, call });
}

/** A tool call's verdict as a decide answer; a call the server could not decide answers 503. */
function toolAnswer(v: ToolVerdict): Response {
  if (v.outcome === "error") {
    console.error(`[mirage] ${v.message}`);
    return errorAnswer(503, v.message, { runId: v.runId, event: v.event });
  }
  const answer: DecideAnswer = {
    outcome: v.outcome,
    message: v.message,
    decisions: [...v.decisions],
    run_id: v.runId,
    event: v.event,
    enforced: v.enforced,
  };
  if (v.policy !== undefined) answer.policy = v.policy;
  if (v.mock) answer.mock = v.mock;
  return jsonAnswer(200, answer, decisionHeaders(v, v.runId));
}

async function decideAndRecord(
  ctx: DecideContext,
  action: HttpAction,
  runId: string,
  start: number,
  at: string,
) {
  const config = ctx.config();
  const e = await evaluateAction(config.policies, config.surface, action);
  const us = elapsedUs(start);
  const enforced = isEnforced(e.outcome, ctx.mode === "passthrough");
  const timing = { at, evaluate_us: us, decide_us: us, total_us: us };
  const event = buildEvent(
    { action: e.action, evaluation: e, outcome: e.outcome, enforced, response: { status: 200 } },
    config.redactor,
    { host: true },
  );
  const seq = await ctx.recorder.record(runId, event, timing, config.policies.digest);
  const answer: DecideAnswer = {
    outcome: e.outcome,
    message: outcomeMessage(e),
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
 * Decides the posted action and answers its evaluation, against the server's surface when it
 * has one (its routes for HTTP actions, its declared tools for tool calls). An evaluation that
 * throws answers 503.
 *
 * @example
 * ```ts ignore
 * const res = await handleDecide(ctx, new Request("http://gw/_mirage/v1/decide", {
 *   method: "POST", body: JSON.stringify({ tool: "submit_bid", args: { amount: 50000 } }),
 * }));
 * ```
 */
export async function handleDecide(ctx: DecideContext, request: Request): Promise<Response> {
  const start = performance.now();
  const at = new Date().toISOString();
  const value = await readJson(ctx, request, ctx.runIds.resolve({ header: request.headers }));
  if (value instanceof Response) return value;
  const runId = runIdOf(ctx, request, value);
  let action: Action;
  try {
    action = parseDecideAction(value, runId);
  } catch (e) {
    return invalid(errorMessage(e), runId);
  }
  try {
    if (action.kind === "tool") return toolAnswer(await decideToolAction(ctx, action));
    return await decideAndRecord(ctx, action, runId, start, at);
  } catch (e) {
    const message = `evaluation failed: ${errorMessage(e)}`;
    console.error(`[mirage] ${message}`);
    return errorAnswer(503, message, { runId });
  }
}
