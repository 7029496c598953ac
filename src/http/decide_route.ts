/**
 * `POST /_mirage/v1/decide`: an SDK adapter asks about an action before running it. The action
 * is decided with the server's evaluator and recorded in the run's trace — and never sent
 * anywhere (the Python Mirage forwarded allowed checks to the upstream). An HTTP-shaped action's
 * body is read as the surfaces read a request's (`bodyForRules`, docs/bodies.md): what the
 * gateway would refuse, the decide route does not answer as allowed.
 *
 * @module
 */

import {
  type Action,
  type HttpAction,
  httpAction,
  toolAction,
  withPayload,
} from "../engine/action.ts";
import { evaluateAction, type Evaluation } from "../engine/evaluate_action.ts";
import { isEnforced, type Outcome } from "../engine/outcome.ts";
import { errorMessage } from "../errors.ts";
import { decideToolAction, type ToolContext } from "../tools/decide_tool.ts";
import type { ToolMockAnswer, ToolVerdict } from "../tools/tool_gate.ts";
import { buildEvent, type EventFacts, type PendingEvent } from "../trace/event.ts";
import type { RunIdRule } from "../trace/run_id.ts";
import { elapsedUs, type EventTiming } from "../trace/timing.ts";
import { decisionHeaders, errorAnswer, jsonAnswer, outcomeMessage } from "./answers.ts";
import { readLimited } from "./body_limit.ts";
import { isRecord } from "../is_record.ts";
import { BODY_STATUS, bodyForRules } from "./request_body.ts";
import { readsAsReserved, RESERVED_PATH_ERROR } from "./reserved_path.ts";

/**
 * What the decide route decides with; a server passes its own. Tool calls take the shared tool
 * path (`tools/decide_tool.ts`): remembered by call id, answered with their mock where the
 * server serves mocks (`serveMocks`: the CI proxy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies } from "@mirage/core";
 * import { CallMemory } from "../tools/call_memory.ts";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import type { DecideContext } from "./decide_route.ts";
 * const policies = compilePolicies({ policies: [] });
 * const ctx: DecideContext = {
 *   mode: "enforce",
 *   maxBody: 64 * 1024,
 *   runIds: new RunIdRule({ option: "ci", env: undefined }),
 *   recorder: new Recorder(),
 *   calls: new CallMemory(),
 *   config: () => ({ policies, redactor: compileRedactor([]) }),
 * };
 * assert.equal(ctx.config().policies.size, 0);
 * ```
 */
export interface DecideContext extends ToolContext {
  /**
   * The inspection limit of an action's body, as on the surfaces. The posted action may be
   * larger by what base64 and the rest of the action take (see `actionLimit`).
   */
  readonly maxBody: number;
  /** Which run an action belongs to. */
  readonly runIds: RunIdRule;
}

/** The answer of a decide call. */
interface DecideAnswer {
  /**
   * The decided outcome; `error` (in passthrough) for a body the rules could not read, which
   * enforce answers with its error status.
   */
  outcome: Outcome;
  /** What the agent should be told: the deciding rule's message, `allowed`, or the error. */
  message: string;
  /** For `error`: why the action was not decided. */
  error?: string;
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

/** A posted action, and for an HTTP-shaped one the body bytes to read for the rules. */
interface Posted {
  readonly action: Action;
  readonly body?: Uint8Array;
}

/** The body bytes of `body` (text, sent as UTF-8) or `body_base64`; at most one body field. */
function bodyBytes(value: Json): Uint8Array | undefined {
  const given = ["body", "body_base64", "json"].filter((k) => value[k] !== undefined);
  if (given.length > 1) throw new TypeError(`give one of 'body', 'body_base64' and 'json'`);
  if (value.body !== undefined) {
    if (typeof value.body !== "string") throw new TypeError("'body' must be a string");
    return new TextEncoder().encode(value.body);
  }
  if (value.body_base64 === undefined) return undefined;
  if (typeof value.body_base64 !== "string") {
    throw new TypeError("'body_base64' must be a base64 string");
  }
  try {
    return Uint8Array.fromBase64(value.body_base64);
  } catch (e) {
    throw new TypeError(`'body_base64' is not base64: ${errorMessage(e)}`);
  }
}

/**
 * Reads an HTTP-shaped `{method, url, headers?, body?|body_base64?|json?}` or a tool call
 * `{tool, args?, call_id?, headers?}`.
 */
function parseDecideAction(value: unknown, runId: string): Posted {
  if (!isRecord(value)) throw new TypeError("the action must be a JSON object");
  const headers = headersOf(value.headers);
  if (typeof value.tool === "string") {
    if (value.call_id !== undefined && typeof value.call_id !== "string") {
      throw new TypeError("'call_id' must be a string");
    }
    const action = toolAction({
      tool: value.tool,
      args: value.args,
      runId,
      ...(headers ? { headers } : {}),
      ...(typeof value.call_id === "string" ? { callId: value.call_id } : {}),
    });
    return { action };
  }
  if (typeof value.method !== "string" || typeof value.url !== "string") {
    throw new TypeError("give {method, url, headers?, body?|body_base64?|json?} or {tool, args?}");
  }
  const body = bodyBytes(value);
  const action = httpAction({
    method: value.method,
    url: new URL(value.url),
    runId,
    ...(headers ? { headers } : {}),
    ...(value.json !== undefined ? { json: value.json } : {}),
  });
  return body ? { action, body } : { action };
}

function invalid(message: string, runId: string): Response {
  return errorAnswer(400, message, { code: "invalid_action", runId });
}

/**
 * The most bytes of a posted action read: room for a body at the inspection limit in base64,
 * and 64 KiB for the rest of the action.
 */
function actionLimit(ctx: DecideContext): number {
  return Math.ceil(ctx.maxBody / 3) * 4 + 64 * 1024;
}

/** The posted JSON, or the answer that refuses it. */
async function readJson(ctx: DecideContext, request: Request, runId: string): Promise<unknown> {
  const limit = actionLimit(ctx);
  const body = await readLimited(request.body, limit);
  if (body.kind === "over") {
    await body.stream.cancel();
    return errorAnswer(413, `action larger than ${limit} bytes`, { runId });
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

/** When the action arrived, for its event's timing. */
interface Arrival {
  readonly start: number;
  readonly at: string;
}

/** The configuration one call decides and records with (it changes on reload). */
type Config = ReturnType<DecideContext["config"]>;

/** Records the event of a decide call; its redacted decisions are what the answer shows. */
async function record(
  ctx: DecideContext,
  config: Config,
  facts: EventFacts,
  arrival: Arrival,
): Promise<{ seq: number; event: PendingEvent }> {
  const us = elapsedUs(arrival.start);
  const timing: EventTiming = { at: arrival.at, evaluate_us: us, decide_us: us, total_us: us };
  const event = buildEvent(facts, config.redactor, { host: true });
  const seq = await ctx.recorder.record(facts.action.run_id, event, timing, config.policies.digest);
  return { seq, event };
}

async function decideAndRecord(ctx: DecideContext, action: HttpAction, arrival: Arrival) {
  const config = ctx.config();
  const e = await evaluateAction(config.policies, config.surface, action);
  const enforced = isEnforced(e.outcome, ctx.mode === "passthrough");
  const runId = action.run_id;
  const { seq, event } = await record(
    ctx,
    config,
    { action: e.action, evaluation: e, outcome: e.outcome, enforced, response: { status: 200 } },
    arrival,
  );
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

/** Refused as every surface refuses it, in both modes: recorded as `error`, answered `status`. */
async function refuse(
  ctx: DecideContext,
  action: HttpAction,
  status: number,
  error: string,
  arrival: Arrival,
  code?: string,
): Promise<Response> {
  const facts = { action, outcome: "error", enforced: true, response: { status }, error } as const;
  const { seq } = await record(ctx, ctx.config(), facts, arrival);
  return errorAnswer(status, error, {
    runId: action.run_id,
    event: seq,
    ...(code ? { code } : {}),
  });
}

/**
 * A body the rules cannot read (over the limit, uninspectable): enforce answers its status, as
 * the gateway does; passthrough answers `error` with `enforced: false`, as the gateway forwards
 * it uninspected. Either way the event is an `error` and the rules are not run on it.
 */
async function unread(
  ctx: DecideContext,
  action: HttpAction,
  status: number,
  error: string,
  arrival: Arrival,
): Promise<Response> {
  if (ctx.mode === "enforce") return refuse(ctx, action, status, error, arrival);
  const { seq } = await record(ctx, ctx.config(), {
    action,
    outcome: "error",
    enforced: false,
    response: { status: 200 },
    error: `${error}; not decided`,
  }, arrival);
  const runId = action.run_id;
  const answer: DecideAnswer = {
    outcome: "error",
    message: error,
    error,
    decisions: [],
    run_id: runId,
    event: seq,
    enforced: false,
  };
  return jsonAnswer(200, answer, decisionHeaders({ outcome: "error" }, runId));
}

/** An HTTP-shaped action: its path and its body as the gateway would read them, then decided. */
async function decideHttp(ctx: DecideContext, posted: Posted, arrival: Arrival) {
  const bare = posted.action as HttpAction;
  if (readsAsReserved(bare)) {
    const { status, message, code } = RESERVED_PATH_ERROR;
    return refuse(ctx, bare, status, message, arrival, code);
  }
  if (posted.body === undefined) return decideAndRecord(ctx, bare, arrival);
  const body = await bodyForRules(posted.body, new Headers(bare.headers), ctx.maxBody);
  switch (body.kind) {
    case "read":
      return decideAndRecord(ctx, withPayload(bare, body.payload), arrival);
    case "over":
      return unread(ctx, bare, BODY_STATUS.over, body.error, arrival);
    case "uninspectable":
      return unread(
        ctx,
        withPayload(bare, body.text),
        BODY_STATUS.uninspectable,
        body.error,
        arrival,
      );
    case "unreadable":
      return refuse(ctx, bare, BODY_STATUS.unreadable, body.error, arrival);
  }
}

/**
 * Decides the posted action and answers its evaluation, against the server's surface when it
 * has one (its routes for HTTP actions, its declared tools for tool calls). An evaluation that
 * throws answers 503.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies } from "@mirage/core";
 * import { CallMemory } from "../tools/call_memory.ts";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { type DecideContext, handleDecide } from "./decide_route.ts";
 * const policies = compilePolicies({
 *   policies: [{ name: "bid_cap", field: "amount", operator: "max", value: 10000, message: "bid too high" }],
 * });
 * const ctx: DecideContext = {
 *   mode: "enforce",
 *   maxBody: 64 * 1024,
 *   runIds: new RunIdRule({ option: "ci", env: undefined }),
 *   recorder: new Recorder(),
 *   calls: new CallMemory(),
 *   config: () => ({ policies, redactor: compileRedactor([]) }),
 * };
 * const res = await handleDecide(ctx, new Request("http://gw/_mirage/v1/decide", {
 *   method: "POST",
 *   body: JSON.stringify({ method: "POST", url: "http://api.test/v1/bids", json: { amount: 50000 } }),
 * }));
 * const answer = await res.json();
 * assert.equal(answer.outcome, "policy_violation");
 * assert.equal(answer.message, "bid too high");
 * assert.equal(answer.run_id, "ci");
 * ```
 */
export async function handleDecide(ctx: DecideContext, request: Request): Promise<Response> {
  const arrival: Arrival = { start: performance.now(), at: new Date().toISOString() };
  const value = await readJson(ctx, request, ctx.runIds.resolve({ header: request.headers }));
  if (value instanceof Response) return value;
  const runId = runIdOf(ctx, request, value);
  let posted: Posted;
  try {
    posted = parseDecideAction(value, runId);
  } catch (e) {
    return invalid(errorMessage(e), runId);
  }
  try {
    const { action } = posted;
    if (action.kind === "tool") return toolAnswer(await decideToolAction(ctx, action));
    return await decideHttp(ctx, posted, arrival);
  } catch (e) {
    const message = `evaluation failed: ${errorMessage(e)}`;
    console.error(`[mirage] ${message}`);
    return errorAnswer(503, message, { runId });
  }
}
