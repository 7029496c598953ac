import { session } from "../src/mod.ts";
import { runSupplierAgent } from "../scripts/supplier_agent.ts";
for (const profile of ["flaky_suppliers", "failing_payments"]) {
  for (let seed = 0; seed < 8; seed++) {
    for (const naive of [false, true]) {
      await using m = await session({ runId: "order", policies: "policies/payments.yaml", mocks: "mocks/payments.yaml", traces: false, chaos: `${profile}:${seed}` });
      const r = await runSupplierAgent(m.fetch, "http://api.acme.internal", { naive });
      console.log(profile, seed, naive ? "naive" : "careful", r.outcome, m.outcome, r.calls.join(" | "));
    }
  }
}
