/**
 * The "Next:" line under a failing event: what a developer should do about it.
 *
 * @module
 */

import type { TraceEvent } from "../trace/event.ts";
import { describeRequest } from "../trace/describe_event.ts";

/**
 * The files a hint can point at, when the gate knows them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type HintFiles, nextHint } from "./next_hint.ts";
 * const files: HintFiles = { policies: "policies/procurement.yaml" };
 * const hint = nextHint(
 *   { seq: 1, request: { method: "POST", path: "/v1/submit_bid" }, outcome: "policy_violation", policy: "enforce_bid_limit", enforced: true, decisions: [], response: { status: 403 } },
 *   files,
 * );
 * assert.equal(hint, "Next: fix the agent, or change policy enforce_bid_limit in policies/procurement.yaml if the limit is wrong");
 * ```
 */
export interface HintFiles {
  /** The policies file. */
  readonly policies?: string | undefined;
  /** The mocks file. */
  readonly mocks?: string | undefined;
}

/**
 * A one-line suggestion for an event that fails a gate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextHint } from "./next_hint.ts";
 * const hint = nextHint(
 *   { seq: 1, request: { method: "GET", path: "/v1/x" }, outcome: "unmatched_route", enforced: true, decisions: [], response: { status: 404 } },
 *   { mocks: "mocks.yaml" },
 * );
 * assert.equal(hint, "Next: declare a mock for GET /v1/x in mocks.yaml, or stop the agent calling it");
 * ```
 */
export function nextHint(event: TraceEvent, files: HintFiles): string {
  const policies = files.policies ?? "the policies file";
  switch (event.outcome) {
    case "policy_violation":
      return `Next: fix the agent, or change policy ${
        event.policy ?? "?"
      } in ${policies} if the limit is wrong`;
    case "unmatched_route":
      return `Next: declare a mock for ${describeRequest(event.request)} in ${
        files.mocks ?? "mocks.yaml"
      }, or stop the agent calling it`;
    case "error":
      return `Next: check the upstream — Mirage answered ${event.response.status}` +
        `${event.error ? ` (${event.error})` : ""}; is it reachable and answering in time?`;
    case "flagged":
      return `Next: review what policy ${
        event.policy ?? "?"
      } flagged, or change its action in ${policies}`;
    default:
      return "";
  }
}
