/**
 * The test to copy: run your agent against `mirage.fetch` and let Mirage say whether what it did
 * was allowed. This one shows the procurement agent being stopped at the bid limit.
 */

import assert from "node:assert/strict";
import { MirageViolationError, session } from "@mirage/core";
import { runProcurementAgent } from "../../scripts/procurement_agent.ts";

Deno.test("procurement agent: quotes and suppliers pass, the 50,000 bid is stopped", async () => {
  const traces = await Deno.makeTempDir();
  try {
    await using mirage = await session({
      runId: "procurement",
      policies: new URL("../../policies/procurement.yaml", import.meta.url),
      mocks: new URL("../../mocks/procurement.yaml", import.meta.url),
      traces,
    });

    const steps = await runProcurementAgent(mirage.fetch, "http://api.acme.internal");

    assert.deepEqual(steps.map((s) => [s.call, s.status]), [
      ["POST /v1/get_quote", 200],
      ["GET /v1/suppliers", 200],
      ["POST /v1/submit_bid", 403],
    ]);
    assert.deepEqual(mirage.events.map((e) => e.outcome), [
      "allowed",
      "allowed",
      "policy_violation",
    ]);
    const bid = mirage.events[2];
    assert.equal(bid?.policy, "enforce_bid_limit");
    assert.equal(bid?.decisions.find((d) => d.policy === "enforce_bid_limit")?.actual, 50000);
    assert.equal(mirage.trace.side_effect_count, 0);
    assert.equal(mirage.outcome, "policy_violation");
    assert.throws(() => mirage.assertClean(), MirageViolationError);
  } finally {
    await Deno.remove(traces, { recursive: true });
  }
});
