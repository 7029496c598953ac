/**
 * Every answer Mirage writes itself, as JSON with the decision headers (docs/outcomes.md): the
 * readable answer to a stopped action, the answers to operational failures (so that an agent can
 * tell Mirage's 502 from the upstream's), and the admin routes' refusals. One definition for
 * every surface.
 *
 * @module
 */

import type { Decision } from "../engine/compile_policies.ts";
import type { Evaluation } from "../engine/evaluate_action.ts";
import type { Outcome } from "../engine/outcome.ts";
import { RUN_ID_HEADER } from "../trace/run_id.ts";

/**
 * The JSON body of a stopped action's answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BlockedBody } from "./answers.ts";
 * const body: BlockedBody = {
 *   error: "policy_violation",
 *   policy: "cap",
 *   message: "too much",
 *   run_id: "r1",
 *   event: 4,
 *   decisions: [],
 * };
 * assert.equal(JSON.parse(JSON.stringify(body)).policy, "cap");
 * ```
 */
export interface BlockedBody {
  /** `policy_violation` or `unmatched_route`. */
  error: string;
  /** The deciding rule. */
  policy?: string;
  /** The rule's message, or what did not match. */
  message: string;
  /** The run the action was recorded in. */
  run_id: string;
  /** The event's sequence number in the run. */
  event: number;
  /** The decisions, redacted. */
  decisions: readonly Decision[];
}

/** The JSON body of an answer to a failure or a refused request. */
interface ErrorBody {
  /** A stable code: `body_too_large`, `upstream_unreachable`, `upstream_timeout`, … */
  error: string;
  /** What happened, readably. */
  message: string;
  /** The run the failure was recorded in, when it was. */
  run_id?: string;
  /** The event's sequence number in the run (0 when not recorded). */
  event?: number;
}

/** The code of each status Mirage answers itself. */
const CODES: Readonly<Record<number, string>> = {
  400: "unreadable_body",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  413: "body_too_large",
  415: "body_not_inspectable",
  499: "client_closed_request",
  500: "internal_error",
  502: "upstream_unreachable",
  503: "evaluation_failed",
  504: "upstream_timeout",
};

/**
 * The decision headers of an answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decisionHeaders } from "./answers.ts";
 * assert.deepEqual(decisionHeaders({ outcome: "allowed" }, "r1"), {
 *   "x-mirage-outcome": "allowed",
 *   "x-mirage-run-id": "r1",
 * });
 * ```
 */
export function decisionHeaders(
  e: { readonly outcome: Outcome } & Partial<Pick<Evaluation, "policy" | "route">>,
  runId: string,
): Record<string, string> {
  const h: Record<string, string> = { "x-mirage-outcome": e.outcome, [RUN_ID_HEADER]: runId };
  if (e.policy !== undefined) h["x-mirage-policy"] = e.policy;
  if (e.route) h["x-mirage-route"] = e.route.name;
  return h;
}

/**
 * A JSON response with the given headers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonAnswer } from "./answers.ts";
 * const res = jsonAnswer(200, { ok: true });
 * assert.equal(res.headers.get("content-type"), "application/json");
 * assert.deepEqual(await res.json(), { ok: true });
 * ```
 */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...headers, "content-type": "application/json" },
  });
}

/**
 * What an agent is told about a decided action: the deciding rule's message (of a blocking or a
 * flag rule), what did not match for an action outside the declared surface, else `allowed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outcomeMessage } from "./answers.ts";
 * import { compileMocks, compilePolicies, evaluateAction, toolAction } from "@mirage/core";
 * const surface = compileMocks({ mocks: [], strict_tools: true });
 * const e = await evaluateAction(compilePolicies({ policies: [] }), surface, toolAction({ tool: "rm" }));
 * assert.equal(outcomeMessage(e), "no declared tool mock matches tool rm");
 * ```
 */
export function outcomeMessage(e: Evaluation): string {
  if (e.outcome === "unmatched_route") {
    const a = e.action;
    return a.kind === "http"
      ? `no declared route matches ${a.method} ${a.path}`
      : `no declared tool mock matches tool ${a.tool}`;
  }
  if (e.policy === undefined) return "allowed";
  const failing = e.decisions.find((d) => d.policy === e.policy);
  return failing?.message ?? "blocked by policy";
}

/**
 * What an agent reads when an action is stopped: the rule's message, the deciding rule and the
 * (redacted) decisions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockedBody } from "./answers.ts";
 * import { compilePolicies, evaluateAction, httpAction } from "@mirage/core";
 * const set = compilePolicies({ policies: [{ name: "cap", field: "amount", operator: "max", value: 10, message: "too much" }] });
 * const e = await evaluateAction(set, undefined, httpAction({ method: "POST", url: "http://x.test/", json: { amount: 11 } }));
 * const body = blockedBody(e, e.decisions, "r1", 1);
 * assert.equal(body.message, "too much");
 * assert.equal(body.policy, "cap");
 * ```
 */
export function blockedBody(
  e: Evaluation,
  decisions: readonly Decision[],
  runId: string,
  seq: number,
): BlockedBody {
  const body: BlockedBody = {
    error: e.outcome,
    message: outcomeMessage(e),
    run_id: runId,
    event: seq,
    decisions,
  };
  if (e.policy !== undefined) body.policy = e.policy;
  return body;
}

/**
 * The status of a stopped action: 403 for a policy, 404 for no route.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockedStatus } from "./answers.ts";
 * assert.equal(blockedStatus({ outcome: "unmatched_route" }), 404);
 * assert.equal(blockedStatus({ outcome: "policy_violation" }), 403);
 * ```
 */
export function blockedStatus(e: { readonly outcome: Outcome }): number {
  return e.outcome === "unmatched_route" ? 404 : 403;
}

/**
 * The answer to a stopped action, with its decision headers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockedAnswer } from "./answers.ts";
 * import { compileMocks, compilePolicies, evaluateAction, httpAction } from "@mirage/core";
 * const e = await evaluateAction(compilePolicies({ policies: [] }), compileMocks({ mocks: [] }), httpAction({ method: "GET", url: "http://x.test/nope" }));
 * const res = blockedAnswer(e, e.decisions, "r1", 1);
 * assert.equal(res.status, 404);
 * assert.equal((await res.json()).error, "unmatched_route");
 * ```
 */
export function blockedAnswer(
  e: Evaluation,
  decisions: readonly Decision[],
  runId: string,
  seq: number,
): Response {
  return jsonAnswer(
    blockedStatus(e),
    blockedBody(e, decisions, runId, seq),
    decisionHeaders(e, runId),
  );
}

/**
 * What an error answer says besides its status and message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ErrorDetails, errorAnswer } from "./answers.ts";
 * const d: ErrorDetails = { code: "store_down", runId: "r1", event: 3 };
 * const res = errorAnswer(503, "state store unavailable", d);
 * assert.equal((await res.json()).error, "store_down");
 * ```
 */
export interface ErrorDetails {
  /** The code; default: the status's (`upstream_timeout` for 504, …). */
  readonly code?: string;
  /** The run the failure was recorded in; sets the `x-mirage-*` headers. */
  readonly runId?: string;
  /** The event's sequence number (default 0: not recorded). */
  readonly event?: number;
  /** The `x-mirage-outcome` header (default `error`). */
  readonly outcome?: Outcome;
  /** Further headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Answers a failure or a refusal with its status and a JSON body naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorAnswer } from "./answers.ts";
 * const res = errorAnswer(504, "upstream did not answer within 10000 ms", { runId: "r1", event: 3 });
 * assert.equal(res.status, 504);
 * assert.equal(res.headers.get("x-mirage-outcome"), "error");
 * assert.deepEqual(await res.json(), {
 *   error: "upstream_timeout",
 *   message: "upstream did not answer within 10000 ms",
 *   run_id: "r1",
 *   event: 3,
 * });
 * ```
 */
export function errorAnswer(status: number, message: string, details: ErrorDetails = {}): Response {
  const body: ErrorBody = { error: details.code ?? CODES[status] ?? "error", message };
  const headers: Record<string, string> = { ...details.headers };
  if (details.runId !== undefined) {
    body.run_id = details.runId;
    body.event = details.event ?? 0;
    headers["x-mirage-outcome"] = details.outcome ?? "error";
    headers[RUN_ID_HEADER] = details.runId;
  }
  return jsonAnswer(status, body, headers);
}
