/**
 * Trace events — the one record every surface makes of a decided action (docs/traces.md,
 * docs/outcomes.md).
 *
 * @module
 */

import type { Action } from "../engine/action.ts";
import type { Decision } from "../engine/compile_policies.ts";
import type { Evaluation } from "../engine/evaluate_action.ts";
import type { Outcome } from "../engine/outcome.ts";
import type { Redactor } from "./redact.ts";
import type { FaultKind } from "../config/fault_types.ts";

/**
 * The request part of an event, with secrets already redacted.
 *
 * @example
 * ```ts
 * import type { TraceRequest } from "@mirage/core";
 * const r: TraceRequest = { method: "POST", path: "/v1/submit_bid", json: { amount: 50000 } };
 * ```
 */
export interface TraceRequest {
  /** HTTP method. */
  method?: string;
  /** Normalised path. */
  path?: string;
  /** Host, for gateway traffic. */
  host?: string;
  /** Query parameters. */
  query?: Record<string, string | string[]>;
  /** Headers, minus transport headers. */
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A text body. */
  body?: string;
  /** Tool name, for a tool call. */
  tool?: string;
  /** Tool arguments, for a tool call. */
  args?: unknown;
  /** The framework's call id, for a tool call that has one. */
  call_id?: string;
}

/**
 * What answered an action: the HTTP status the caller got, or for a tool call the mock that
 * answered it (`{mock}`), `{ran: true}` when the real tool ran, `{}` when it was stopped. When a
 * declared fault of a chaos run replaced the mock's answer (docs/chaos.md), `fault` says which:
 * `{status: 503, fault: "status"}`, `{fault: "reset"}` (no answer at all), `{fault: "timeout"}`,
 * `{status: 200, fault: "delay", delay_ms: 1200}`, or for a tool `{mock, fault: "error"}`.
 *
 * @example
 * ```ts
 * import type { TraceResponse } from "@mirage/core";
 * const http: TraceResponse = { status: 403 };
 * const tool: TraceResponse = { mock: "lookup_order" };
 * const faulted: TraceResponse = { status: 503, fault: "status" };
 * ```
 */
export interface TraceResponse {
  /** The HTTP status the caller got; absent when the connection was dropped. */
  status?: number;
  /** The tool mock that answered a tool call. */
  mock?: string;
  /** True when the real tool ran. */
  ran?: boolean;
  /**
   * Body bytes passed on before the answer was cut (an upstream that failed mid-body); absent
   * when the body went out whole.
   */
  bytes?: number;
  /** The declared fault that replaced (or slowed) the mock's answer, in a chaos run. */
  fault?: FaultKind;
  /** For a `delay` fault: the added delay, in milliseconds (drawn from the run, so stable). */
  delay_ms?: number;
}

/**
 * One decided action in a trace.
 *
 * @example
 * ```ts
 * import type { TraceEvent } from "@mirage/core";
 * const e: TraceEvent = {
 *   seq: 1, request: { method: "GET", path: "/v1/suppliers" }, route: "list_suppliers",
 *   outcome: "allowed", enforced: true, decisions: [], response: { status: 200 },
 * };
 * ```
 */
export interface TraceEvent {
  /** 1-based position in the run. */
  seq: number;
  /** What was asked. */
  request: TraceRequest;
  /** The mock route that matched, if any. */
  route?: string;
  /** The outcome. */
  outcome: Outcome;
  /** Whether Mirage acted on the outcome (false in passthrough: forwarded anyway). */
  enforced: boolean;
  /** The deciding policy, if any. */
  policy?: string;
  /** One decision per applicable rule. */
  decisions: Decision[];
  /** What the caller got. */
  response: TraceResponse;
  /** For `error`: what went wrong. */
  error?: string;
}

/**
 * Transport headers that vary between identical runs or carry nothing a reviewer needs: never
 * recorded in a trace event's request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRANSPORT_HEADERS } from "./event.ts";
 * assert.equal(TRANSPORT_HEADERS.has("content-length"), true);
 * assert.equal(TRANSPORT_HEADERS.has("content-type"), false);
 * ```
 */
export const TRANSPORT_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-connection",
  "x-mirage-run-id",
]);

function traceHeaders(
  headers: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (const [name, value] of Object.entries(headers)) {
    if (TRANSPORT_HEADERS.has(name)) continue;
    out[name] = value;
    any = true;
  }
  return any ? out : undefined;
}

/** The request record of an action, before redaction. */
function traceRequest(action: Action, withHost: boolean): TraceRequest {
  if (action.kind === "tool") {
    const r: TraceRequest = { tool: action.tool };
    if (action.payload !== undefined) r.args = action.payload;
    if (action.call_id !== undefined) r.call_id = action.call_id;
    return r;
  }
  const r: TraceRequest = { method: action.method, path: action.path };
  if (withHost) r.host = action.host;
  if (Object.keys(action.query).length) r.query = { ...action.query };
  const headers = traceHeaders(action.headers);
  if (headers) r.headers = headers;
  if (typeof action.payload === "string") r.body = action.payload;
  else if (action.payload !== undefined) r.json = action.payload;
  return r;
}

/**
 * An event as a surface records it; the trace gives it its `seq`.
 *
 * @example
 * ```ts
 * import type { PendingEvent } from "@mirage/core";
 * const e: PendingEvent = {
 *   request: { tool: "refund", args: { amount: 20 } }, outcome: "allowed", enforced: true,
 *   decisions: [], response: { ran: true },
 * };
 * ```
 */
export type PendingEvent = Omit<TraceEvent, "seq">;

/**
 * What a surface knows about a decided action when it records it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolAction } from "../engine/action.ts";
 * import { buildEvent, type EventFacts } from "./event.ts";
 * import { compileRedactor } from "./redact.ts";
 * const facts: EventFacts = {
 *   action: toolAction({ tool: "refund", args: { amount: 20 } }),
 *   outcome: "error", enforced: true, response: {}, error: "state store unavailable",
 * };
 * const event = buildEvent(facts, compileRedactor([]));
 * assert.equal(event.error, "state store unavailable");
 * assert.deepEqual(event.request, { tool: "refund", args: { amount: 20 } });
 * ```
 */
export interface EventFacts {
  /** The action as decided; the evaluation's action (with route parameters) wins when given. */
  readonly action: Action;
  /** The evaluation, when the action got that far. */
  readonly evaluation?: Evaluation;
  /** The final outcome: the evaluation's, or `error` when something operational failed. */
  readonly outcome: Outcome;
  /** Whether Mirage acted on the outcome (false when passthrough let a stopped action through). */
  readonly enforced: boolean;
  /** What answered the action. */
  readonly response: TraceResponse;
  /** What went wrong, for an `error` (or a violation that also failed upstream). */
  readonly error?: string;
}

/**
 * Options of {@link buildEvent}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction } from "../engine/action.ts";
 * import { buildEvent, type EventOptions } from "./event.ts";
 * import { compileRedactor } from "./redact.ts";
 * const o: EventOptions = { host: true };
 * const facts = {
 *   action: httpAction({ method: "GET", url: "http://api.test/v1/x" }),
 *   outcome: "allowed" as const,
 *   enforced: true,
 *   response: { status: 200 },
 * };
 * assert.equal(buildEvent(facts, compileRedactor([]), o).request.host, "api.test");
 * assert.equal(buildEvent(facts, compileRedactor([])).request.host, undefined);
 * ```
 */
export interface EventOptions {
  /** Record the request's host (the gateway's traffic spans hosts; CI mocks do not). */
  readonly host?: boolean;
}

/**
 * Builds the trace event of a decided action, with secrets redacted from the request and from
 * every decision: the one way every surface turns a decision into a record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction } from "../engine/action.ts";
 * import { buildEvent } from "./event.ts";
 * import { compileRedactor } from "./redact.ts";
 * const event = buildEvent(
 *   {
 *     action: httpAction({ method: "GET", url: "http://api.test/v1/x", headers: { authorization: "Bearer s" } }),
 *     outcome: "allowed", enforced: true, response: { status: 200 },
 *   },
 *   compileRedactor([]),
 * );
 * assert.equal(event.request.headers?.authorization, "[REDACTED]");
 * assert.equal(event.request.path, "/v1/x");
 * ```
 */
export function buildEvent(
  facts: EventFacts,
  redactor: Redactor,
  options: EventOptions = {},
): PendingEvent {
  const e = facts.evaluation;
  const event: PendingEvent = {
    request: redactor.request(traceRequest(e?.action ?? facts.action, options.host ?? false)),
    outcome: facts.outcome,
    enforced: facts.enforced,
    decisions: e ? redactor.decisions(e.decisions, e.action.payload) : [],
    response: facts.response,
  };
  if (e?.route) event.route = e.route.name;
  if (e?.policy !== undefined) event.policy = e.policy;
  if (facts.error !== undefined) event.error = facts.error;
  return event;
}
