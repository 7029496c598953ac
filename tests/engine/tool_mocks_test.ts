/**
 * Tool mocks compiled and matched (SPEC §8): first declared match wins, `match.payload`
 * narrows, results render `{{ }}` templates over the arguments, and under `strict_tools` an
 * undeclared tool is outside the surface — `unmatched_route`, with no state taken.
 */

import assert from "node:assert/strict";
import {
  compileMocks,
  compilePolicies,
  compileToolMocks,
  evaluateAction,
  toolAction,
} from "@mirage/core";

const TOOLS = compileToolMocks({
  mocks: [],
  tools: [
    {
      name: "lookup_vip",
      tool: "lookup_order",
      match: { payload: { "customer.tier": "vip", order_id: { starts_with: "ORD-" } } },
      result: { json: { id: "{{ args.order_id }}", who: "{{ args.customer }}", lane: "vip" } },
    },
    {
      name: "lookup_order",
      result: { text: "{{ tool }} {{ order_id }} for {{ run_id }}: {{ args.missing }}." },
      delay_ms: 15,
    },
    { name: "refund_fails", tool: "issue_refund", result: { error: "no refund for {{args}}" } },
    { name: "empty", result: { json: { gone: "{{ args.nothing }}", n: 1 } } },
  ],
});

Deno.test("tool mocks: the first declared match wins, narrowed on the arguments", () => {
  const vip = toolAction({
    tool: "lookup_order",
    args: { order_id: "ORD-1", customer: { tier: "vip", id: 7 } },
  });
  const plain = toolAction({ tool: "lookup_order", args: { order_id: "ORD-2" }, runId: "r1" });
  assert.equal(TOOLS.match(vip)?.name, "lookup_vip");
  assert.equal(TOOLS.match(plain)?.name, "lookup_order");
  assert.equal(TOOLS.match(toolAction({ tool: "send_email" })), undefined);
  assert.deepEqual([...TOOLS.tools].sort(), ["empty", "issue_refund", "lookup_order"]);
  assert.equal(TOOLS.size, 4);
  assert.equal(TOOLS.strict, false);
});

Deno.test("tool mocks: results render templates from the arguments, keeping JSON types", () => {
  const vip = toolAction({
    tool: "lookup_order",
    args: { order_id: "ORD-1", customer: { tier: "vip", id: 7 } },
  });
  assert.deepEqual(TOOLS.match(vip)?.render(), {
    kind: "json",
    json: { id: "ORD-1", who: { tier: "vip", id: 7 }, lane: "vip" },
  });
  const plain = TOOLS.match(
    toolAction({ tool: "lookup_order", args: { order_id: 9 }, runId: "r1" }),
  );
  assert.deepEqual(plain?.render(), { kind: "text", text: "lookup_order 9 for r1: ." });
  assert.equal(plain?.delayMs, 15);
  const refund = TOOLS.match(toolAction({ tool: "issue_refund", args: { id: 3 } }));
  assert.deepEqual(refund?.render(), { kind: "error", error: 'no refund for {"id":3}' });
  assert.deepEqual(TOOLS.match(toolAction({ tool: "empty" }))?.render(), {
    kind: "json",
    json: { gone: null, n: 1 },
  });
});

const POLICIES = {
  policies: [
    {
      name: "two_calls",
      tool: ["lookup", "rm"],
      operator: "count_lte" as const,
      value: 2,
      message: "two calls at most",
    },
    {
      name: "no_root",
      tool: "rm",
      field: "payload.path",
      operator: "neq" as const,
      value: "/",
      message: "not the root",
    },
  ],
};

Deno.test("evaluate: under strict_tools an undeclared tool is unmatched_route and takes no state", async () => {
  const policies = compilePolicies(POLICIES);
  const surface = compileMocks({
    mocks: [],
    strict_tools: true,
    tools: [{ name: "lookup", result: { text: "ok" } }],
  });
  const decide = (tool: string, args?: unknown) =>
    evaluateAction(policies, surface, toolAction({ tool, args }));
  const rm = await decide("rm", { path: "/tmp" });
  assert.equal(rm.outcome, "unmatched_route");
  assert.equal(rm.policy, undefined);
  assert.equal(rm.mock, undefined);
  assert.equal((await decide("rm", { path: "/" })).outcome, "policy_violation");
  const first = await decide("lookup");
  assert.equal(first.outcome, "allowed");
  assert.equal(first.mock?.name, "lookup");
  assert.equal(first.decisions[0]?.actual, 1, "the undeclared calls did not count");
  assert.equal((await decide("lookup")).outcome, "allowed");
  assert.equal((await decide("lookup")).outcome, "policy_violation");
});

Deno.test("evaluate: without strict_tools an undeclared tool is decided by the rules alone", async () => {
  const policies = compilePolicies(POLICIES);
  const surface = compileMocks({ mocks: [], tools: [{ name: "lookup", result: { text: "ok" } }] });
  const rm = await evaluateAction(
    policies,
    surface,
    toolAction({ tool: "rm", args: { path: "/x" } }),
  );
  assert.equal(rm.outcome, "allowed");
  assert.equal(rm.mock, undefined);
  assert.equal(rm.route, undefined);
});
