import assert from "node:assert/strict";
import { nextHint } from "../../src/gate_run/next_hint.ts";
import { allowed, failed, flagged, unmatched, violation } from "../support/trace_events.ts";

Deno.test("next hint: one suggestion per failing outcome, naming the files when known", () => {
  const e = (x: typeof allowed) => ({ seq: 1, ...x });
  assert.equal(
    nextHint(e(violation), { policies: "policies/procurement.yaml" }),
    "Next: fix the agent, or change policy enforce_bid_limit in policies/procurement.yaml if the limit is wrong",
  );
  assert.equal(
    nextHint(e(violation), {}),
    "Next: fix the agent, or change policy enforce_bid_limit in the policies file if the limit is wrong",
  );
  assert.equal(
    nextHint(e(unmatched), {}),
    "Next: declare a mock for DELETE /v1/orders in mocks.yaml, or stop the agent calling it",
  );
  assert.match(
    nextHint(e(failed), {}),
    /^Next: check the upstream — Mirage answered 504 \(upstream timed out/,
  );
  assert.match(
    nextHint(e(flagged), { policies: "p.yaml" }),
    /flag_bulk_quotes flagged, or change its action in p\.yaml/,
  );
  assert.equal(nextHint(e(allowed), {}), "");
  const tool = { ...unmatched, request: { tool: "send_email" } };
  assert.match(nextHint(e(tool), {}), /declare a mock for tool send_email/);
});
