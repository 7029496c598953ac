/**
 * Decision latency (bench/README.md): deciding one action against a compiled policy set, on the
 * procurement example and on generated files of 1,000 and 10,000 rules where the action
 * matches only three. Goals: ≤ 1 µs on procurement, ≤ 5 µs at 10,000 rules.
 *
 * Run: deno task bench. `deno run --allow-read --allow-env bench/percentiles.ts` prints p50/p99.
 */

import { compilePolicies, httpAction, loadPolicies } from "@mirage/core";
import { ScopeIndex } from "../src/engine/scope_index.ts";
import { compileScope } from "../src/engine/scope.ts";
import { generatePolicies, probeAction } from "./generate_rules.ts";
import { procurementActions } from "./procurement_actions.ts";

const procurement = compilePolicies(
  await loadPolicies(new URL("../policies/procurement.yaml", import.meta.url)),
);
const { quote, suppliers, bid } = procurementActions();
// The bid's requires_prior rule needs a quote first, as in the landing page's run.
await procurement.decide(quote);

Deno.bench("procurement: POST /v1/submit_bid (3 rules, one stateful)", {
  group: "procurement",
  baseline: true,
}, async () => {
  await procurement.decide(bid);
});
Deno.bench(
  "procurement: POST /v1/get_quote (1 rule + prior-action mark)",
  { group: "procurement" },
  async () => {
    await procurement.decide(quote);
  },
);
Deno.bench(
  "procurement: GET /v1/suppliers (no rule applies)",
  { group: "procurement" },
  async () => {
    await procurement.decide(suppliers);
  },
);
Deno.bench("procurement: build the action (httpAction, not part of decide)", {
  group: "procurement",
}, () => {
  httpAction({
    method: "POST",
    url: "http://api.acme.internal/v1/submit_bid",
    json: { amount: 50000 },
  });
});

const probe = probeAction();
for (const size of [1_000, 10_000]) {
  const doc = generatePolicies(size);
  const set = compilePolicies(doc);
  const index = new ScopeIndex(doc.policies.map((r, order) => ({ order, scope: compileScope(r) })));
  const group = `generated ${size}`;
  Deno.bench(`${size} rules: await decide (3 rules apply)`, { group, baseline: true }, async () => {
    await set.decide(probe);
  });
  Deno.bench(`${size} rules: decide, promise not awaited (stateless path)`, { group }, () => {
    set.decide(probe);
  });
  Deno.bench(`${size} rules: scope index lookup only`, { group }, () => {
    index.lookup(probe);
  });
}
