/**
 * Trace events of every outcome, and a writer that records them the way the proxy does, so that
 * gate tests need no server.
 */

import type { TraceEvent } from "@mirage/core";
import { TraceStore } from "@mirage/core";

type Event = Omit<TraceEvent, "seq">;

/** An allowed GET. */
export const allowed: Event = {
  request: { method: "GET", path: "/v1/suppliers" },
  route: "list_suppliers",
  outcome: "allowed",
  enforced: true,
  decisions: [],
  response: { status: 200 },
};

/** A quote flagged by `flag_bulk_quotes`. */
export const flagged: Event = {
  request: { method: "POST", path: "/v1/get_quote", json: { quantity: 5000 } },
  route: "get_quote",
  outcome: "flagged",
  enforced: true,
  policy: "flag_bulk_quotes",
  decisions: [{
    policy: "flag_bulk_quotes",
    passed: false,
    action: "flag",
    field: "quantity",
    operator: "lte",
    expected: 1000,
    actual: 5000,
    message: "Quotes for more than 1,000 units are flagged for review.",
  }],
  response: { status: 200 },
};

/** A bid stopped by `enforce_bid_limit`. */
export const violation: Event = {
  request: { method: "POST", path: "/v1/submit_bid", json: { amount: 50000 } },
  route: "submit_bid",
  outcome: "policy_violation",
  enforced: true,
  policy: "enforce_bid_limit",
  decisions: [{
    policy: "enforce_bid_limit",
    passed: false,
    action: "block",
    field: "amount",
    operator: "max",
    expected: 25000,
    actual: 50000,
    message: 'Bids above 25,000 need <human> approval & "sign-off".',
  }],
  response: { status: 403 },
};

/** A call outside the declared surface. */
export const unmatched: Event = {
  request: { method: "DELETE", path: "/v1/orders" },
  outcome: "unmatched_route",
  enforced: true,
  decisions: [],
  response: { status: 404 },
};

/** An upstream that did not answer. */
export const failed: Event = {
  request: { method: "GET", path: "/v1/budget" },
  outcome: "error",
  enforced: true,
  decisions: [],
  response: { status: 504 },
  error: "upstream timed out after 30000 ms",
};

/** Records a run's events into a trace directory, as the proxy would. */
export async function writeRun(
  dir: string,
  runId: string,
  events: readonly Event[],
): Promise<void> {
  await using store = new TraceStore({ dir, mode: "ci", reset: true });
  for (const e of events) {
    await store.record(runId, e, {
      at: "2026-01-01T00:00:00.000Z",
      evaluate_us: 0,
      decide_us: 1,
      total_us: 2,
    });
  }
}
