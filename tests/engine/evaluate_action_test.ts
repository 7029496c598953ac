/**
 * One action through routes and policies: unmatched routes, their rank against violations,
 * and path parameters reaching the rules.
 */

import assert from "node:assert/strict";
import { compileMocks, compilePolicies, evaluateAction, type MockRouter } from "@mirage/core";
import { http, post, rule } from "./helpers.ts";

const SURFACE: MockRouter = compileMocks({
  mocks: [
    { name: "bid", method: "POST", path: "/v1/bids" },
    { name: "order", method: "GET", path: "/v1/orders/{id}" },
  ],
});

Deno.test("evaluate: a routed action is decided with the route's path parameters", async () => {
  const policies = compilePolicies({
    policies: [
      rule({
        name: "ids",
        path: "/v1/orders/{id}",
        field: "params.id",
        operator: "starts_with",
        value: "ORD-",
      }),
    ],
  });
  const ok = await evaluateAction(policies, SURFACE, http("GET", "/v1/orders/ORD-1"));
  assert.deepEqual([ok.outcome, ok.route?.name, ok.decisions[0]?.actual], [
    "allowed",
    "order",
    "ORD-1",
  ]);
  const bad = await evaluateAction(policies, SURFACE, http("GET", "/v1/orders/7"));
  assert.deepEqual([bad.outcome, bad.policy], ["policy_violation", "ids"]);
});

Deno.test("evaluate: no route is unmatched_route, unless a blocking rule failed", async () => {
  const policies = compilePolicies({
    policies: [
      rule({ name: "cap", field: "amount", operator: "max", value: 10 }),
      rule({ name: "watch", field: "amount", operator: "max", value: 5, action: "flag" }),
    ],
  });
  const flagged = await evaluateAction(policies, SURFACE, post("/v1/other", { amount: 7 }));
  assert.deepEqual([flagged.outcome, flagged.policy, flagged.route], [
    "unmatched_route",
    undefined,
    undefined,
  ]);
  assert.equal(flagged.decisions.length, 2);
  const violation = await evaluateAction(policies, SURFACE, post("/v1/other", { amount: 70 }));
  assert.deepEqual([violation.outcome, violation.policy], ["policy_violation", "cap"]);
  const noSurface = await evaluateAction(policies, undefined, post("/v1/other", { amount: 1 }));
  assert.equal(noSurface.outcome, "allowed");
});

Deno.test("evaluate: an unmatched action does not count towards state", async () => {
  const policies = compilePolicies({ policies: [rule({ operator: "count_lte", value: 1 })] });
  for (let i = 0; i < 3; i++) {
    assert.equal(
      (await evaluateAction(policies, SURFACE, post("/v1/none"))).outcome,
      "unmatched_route",
    );
  }
  assert.equal((await evaluateAction(policies, SURFACE, post("/v1/bids"))).outcome, "allowed");
  assert.equal(
    (await evaluateAction(policies, SURFACE, post("/v1/bids"))).outcome,
    "policy_violation",
  );
});
