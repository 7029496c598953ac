/**
 * A decision's audit entry, from the event a surface records. The event is already redacted;
 * the entry keeps no payload at all, only a digest of it: `<algorithm>:<hex>` over the bytes
 * `body:` followed by the canonical JSON of the redacted body (JSON value, text, or tool
 * arguments). With a key the digest is an HMAC, so a reader of the file cannot confirm a guessed
 * payload; the `body:` prefix keeps a body from ever hashing like an entry.
 *
 * @module
 */

import { canonicalJson } from "../trace/canonical_json.ts";
import type { Outcome } from "../engine/outcome.ts";
import type { TraceRequest, TraceResponse } from "../trace/event.ts";
import type { ChainHasher } from "./chain_hash.ts";
import type { EntryDraft } from "./entry.ts";

/**
 * The parts of a trace event (`TraceEvent`) an entry is made from.
 *
 * @example
 * ```ts
 * import type { AuditedEvent } from "./decision_entry.ts";
 * const e: AuditedEvent = { request: { tool: "submit_bid" }, outcome: "policy_violation", enforced: true, policy: "cap", response: { status: 403 } };
 * ```
 */
export interface AuditedEvent {
  /** The request, redacted. */
  readonly request: TraceRequest;
  /** The outcome. */
  readonly outcome: Outcome;
  /** Whether Mirage acted on the outcome. */
  readonly enforced: boolean;
  /** The deciding policy, if any. */
  readonly policy?: string;
  /** What the caller got: an HTTP status, or for a tool call the mock or `ran`. */
  readonly response: TraceResponse;
}

/**
 * What a surface hands the audit log for one decided action.
 *
 * @example
 * ```ts
 * import type { AuditedDecision } from "./decision_entry.ts";
 * const d: AuditedDecision = {
 *   runId: "default",
 *   time: new Date().toISOString(),
 *   policiesDigest: undefined,
 *   event: {
 *     request: { method: "GET", path: "/v1/suppliers" },
 *     outcome: "allowed", enforced: true, response: { status: 200 },
 *   },
 * };
 * ```
 */
export interface AuditedDecision {
  /** The run the action belongs to. */
  readonly runId: string;
  /** The event as recorded in the trace (redacted). */
  readonly event: AuditedEvent;
  /** When the request arrived (ISO 8601). */
  readonly time: string;
  /** The digest of the policies that decided it (`PolicySet.digest`). */
  readonly policiesDigest: string | undefined;
}

function payloadOf(request: TraceRequest): unknown {
  if (request.json !== undefined) return request.json;
  if (request.body !== undefined) return request.body;
  return request.args;
}

function bodyDigest(request: TraceRequest, hasher: ChainHasher): string | null {
  const payload = payloadOf(request);
  return payload === undefined ? null : hasher.digest(canonicalJson(payload), "body:");
}

function actorOf(request: TraceRequest, header: string | undefined): string | null {
  if (header === undefined) return null;
  return request.headers?.[header] ?? null;
}

/**
 * The entry of one decision; `actorHeader` is a lower-case header name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChainHasher } from "./chain_hash.ts";
 * import { decisionDraft } from "./decision_entry.ts";
 * const draft = decisionDraft({
 *   runId: "r1", time: "2026-12-01T00:00:00.000Z", policiesDigest: undefined,
 *   event: {
 *     request: { method: "POST", host: "api.acme.internal", path: "/v1/bids", headers: { "x-agent-id": "buyer" }, json: { amount: 9 } },
 *     outcome: "allowed", enforced: true, response: { status: 200 },
 *   },
 * }, "x-agent-id", new ChainHasher(undefined));
 * assert.equal(draft.kind, "decision");
 * if (draft.kind === "decision") {
 *   assert.deepEqual([draft.action, draft.actor, draft.status], ["POST /v1/bids", "buyer", 200]);
 *   assert.match(draft.body_digest ?? "", /^sha256:[0-9a-f]{64}$/); // the body itself is not kept
 * }
 * ```
 */
export function decisionDraft(
  d: AuditedDecision,
  actorHeader: string | undefined,
  hasher: ChainHasher,
): EntryDraft {
  const { request, outcome, enforced, policy, response } = d.event;
  const tool = request.tool !== undefined;
  return {
    kind: "decision",
    time: d.time,
    run_id: d.runId,
    actor: actorOf(request, actorHeader),
    action: tool ? `tool ${request.tool}` : `${request.method ?? ""} ${request.path ?? ""}`,
    host: tool ? null : request.host ?? null,
    outcome,
    enforced,
    status: response.status ?? null,
    policy: policy ?? null,
    policies_digest: d.policiesDigest ?? null,
    body_digest: bodyDigest(request, hasher),
  };
}
