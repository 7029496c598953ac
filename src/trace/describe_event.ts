/**
 * One readable line per event, for `assertClean()`, the proxy's log, `gate-run`, `mirage test`
 * and `mirage replay`.
 */

import type { Decision } from "../engine/compile_policies.ts";
import type { TraceEvent } from "./event.ts";

/**
 * A value as a log line shows it: a string as it is, anything else as JSON ("" for undefined).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { showValue } from "./describe_event.ts";
 * assert.equal(showValue("eu-west"), "eu-west");
 * assert.equal(showValue(["a", 1]), '["a",1]');
 * ```
 */
export function showValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value) ?? "";
}

/**
 * `enforce_bid_limit: amount max 25000, got 50000 — message`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Decision } from "../engine/compile_policies.ts";
 * import { describeDecision } from "./describe_event.ts";
 * const d: Decision = {
 *   policy: "cap",
 *   passed: false,
 *   action: "block",
 *   field: "amount",
 *   operator: "max",
 *   expected: 10,
 *   actual: 12,
 *   message: "too much",
 * };
 * assert.equal(describeDecision(d), "cap: amount max 10, got 12 — too much");
 * const { actual: _, ...absent } = d;
 * const missing: Decision = { ...absent, missing: true };
 * assert.equal(describeDecision(missing), "cap: amount max 10, missing — too much");
 * ```
 */
export function describeDecision(d: Decision): string {
  const got = d.missing
    ? "missing"
    : d.actual === undefined
    ? "absent"
    : `got ${showValue(d.actual)}`;
  const read = [d.field, d.operator, d.expected === undefined ? "" : showValue(d.expected)];
  return `${d.policy}: ${read.filter((s) => s !== "").join(" ")}, ${got} — ${d.message}`;
}

/**
 * What a request or tool call was: `POST /v1/submit_bid` or `tool issue_refund`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeRequest } from "./describe_event.ts";
 * assert.equal(describeRequest({ tool: "issue_refund" }), "tool issue_refund");
 * assert.equal(describeRequest({ method: "POST", path: "/v1/refunds" }), "POST /v1/refunds");

 * ```
 */
export function describeRequest(r: TraceEvent["request"]): string {
  return r.tool !== undefined ? `tool ${r.tool}` : `${r.method} ${r.path}`;
}

/**
 * `#3 POST /v1/submit_bid → policy_violation · enforce_bid_limit: amount max 25000, got 50000 — message`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeEvent } from "./describe_event.ts";
 * import type { TraceEvent } from "./event.ts";
 * const blocked: TraceEvent = {
 *   seq: 3,
 *   request: { method: "POST", path: "/v1/submit_bid", json: { amount: 50000 } },
 *   outcome: "policy_violation",
 *   enforced: true,
 *   policy: "enforce_bid_limit",
 *   decisions: [{
 *     policy: "enforce_bid_limit", passed: false, action: "block",
 *     field: "amount", operator: "max", expected: 25000, actual: 50000, message: "Bids are capped.",
 *   }],
 *   response: { status: 403 },
 * };
 * assert.equal(
 *   describeEvent(blocked),
 *   "#3 POST /v1/submit_bid → policy_violation · enforce_bid_limit: amount max 25000, got 50000 — Bids are capped.",
 * );
 * ```
 */
export function describeEvent(e: TraceEvent): string {
  const head = `#${e.seq} ${describeRequest(e.request)} → ${e.outcome}`;
  const failed = e.decisions.find((d) => d.policy === e.policy && !d.passed);
  if (!failed) return e.error ? `${head} · ${e.error}` : head;
  return `${head} · ${describeDecision(failed)}`;
}
