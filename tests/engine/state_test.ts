/**
 * State operators over sequences of actions, with an injected clock: counts, sliding rate
 * windows, sums, prior actions, scopes (`per`), and the rule that only actions that went
 * through change state.
 */

import assert from "node:assert/strict";
import {
  type Action,
  compilePolicies,
  type DecideOptions,
  type PolicyRule,
  type PolicySet,
  toolAction,
} from "@mirage/core";
import { http, post, rule } from "./helpers.ts";

/** A compiled set with a settable clock. */
function stateful(rules: Partial<PolicyRule>[]): { set: PolicySet; at(ms: number): void } {
  let now = 0;
  const policies = rules.map((r, i) => rule({ name: `s${i}`, ...r }));
  const set = compilePolicies({ policies }, { clock: () => now });
  return { set, at: (ms) => (now = ms) };
}

/** Decides each action in turn and returns the outcomes. */
async function outcomes(
  set: PolicySet,
  actions: Action[],
  options?: DecideOptions,
): Promise<string[]> {
  const out: string[] = [];
  for (const a of actions) out.push((await set.decide(a, options)).outcome);
  return out;
}

function times<T>(n: number, make: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

const BID = (amount?: number, headers?: HeadersInit) =>
  post("/v1/bid", amount === undefined ? {} : { amount }, headers);

Deno.test("count_lte lets N actions through and reports the count it would make", async () => {
  const { set } = stateful([{ operator: "count_lte", value: 2 }]);
  const verdicts = [];
  for (let i = 0; i < 4; i++) verdicts.push(await set.decide(BID(1)));
  assert.deepEqual(verdicts.map((v) => v.outcome), [
    "allowed",
    "allowed",
    "policy_violation",
    "policy_violation",
  ]);
  assert.deepEqual(verdicts.map((v) => v.decisions[0]?.actual), [1, 2, 3, 3]);
  assert.deepEqual(verdicts[2]?.decisions[0], {
    policy: "s0",
    passed: false,
    action: "block",
    field: "",
    operator: "count_lte",
    expected: 2,
    actual: 3,
    message: "m",
  });
});

Deno.test("count_lte with a field counts only actions that carry it", async () => {
  const { set } = stateful([{ field: "amount", operator: "count_lte", value: 1 }]);
  const first = await set.decide(BID(1));
  const without = await set.decide(BID());
  const second = await set.decide(BID(2));
  assert.deepEqual([first.outcome, without.decisions.length, second.outcome], [
    "allowed",
    0,
    "policy_violation",
  ]);
});

Deno.test("rate_lte slides its window: a hit expires exactly at the window's end", async () => {
  const { set, at } = stateful([{ operator: "rate_lte", value: { limit: 2, window_seconds: 10 } }]);
  const steps: [number, string, number][] = [
    [0, "allowed", 1],
    [1000, "allowed", 2],
    [5000, "policy_violation", 3],
    [9999, "policy_violation", 3],
    [10_000, "allowed", 2],
    [10_999, "policy_violation", 3],
    [11_000, "allowed", 2],
    [30_000, "allowed", 1],
  ];
  for (const [ms, outcome, count] of steps) {
    at(ms);
    const v = await set.decide(BID(1));
    assert.deepEqual([v.outcome, v.decisions[0]?.actual], [outcome, count], `at ${ms} ms`);
  }
});

Deno.test("sum_lte adds up a field across actions; a missing field follows on_missing", async () => {
  const value = { field: "amount", limit: 100 };
  const { set } = stateful([{ operator: "sum_lte", value }]);
  const amounts = [40, 60, 1, 0];
  const verdicts = [];
  for (const amount of amounts) verdicts.push(await set.decide(BID(amount)));
  assert.deepEqual(verdicts.map((v) => [v.outcome, v.decisions[0]?.actual]), [
    ["allowed", 40],
    ["allowed", 100],
    ["policy_violation", 101],
    ["allowed", 100],
  ]);
  const missing = await set.decide(BID());
  assert.deepEqual(missing.decisions[0], {
    policy: "s0",
    passed: false,
    action: "block",
    field: "amount",
    operator: "sum_lte",
    expected: value,
    missing: true,
    message: "field 'amount' is missing",
  });
  const lenient = stateful([{ operator: "sum_lte", value, on_missing: "pass" }]);
  assert.deepEqual(await outcomes(lenient.set, [BID(100), BID(), BID(1)]), [
    "allowed",
    "allowed",
    "policy_violation",
  ]);
});

Deno.test("sum_lte reads numeric text and fails closed on a value that is not a number", async () => {
  const { set } = stateful([{ operator: "sum_lte", value: { field: "query.n", limit: 10 } }]);
  assert.deepEqual(
    await outcomes(set, [http("GET", "/?n=4"), http("GET", "/?n=abc"), http("GET", "/?n=6")]),
    [
      "allowed",
      "policy_violation",
      "allowed",
    ],
  );
});

const QUOTE = (supplier: string) => post("/v1/get_quote", { supplier });
const SUBMIT = (supplier: string) => post("/v1/submit_bid", { supplier, amount: 1 });

Deno.test("requires_prior without same: any earlier matching action will do", async () => {
  const { set } = stateful([{
    method: "POST",
    path: "/v1/submit_bid",
    operator: "requires_prior",
    value: { method: "POST", path: "/v1/get_quote" },
  }]);
  const first = await set.decide(SUBMIT("S-1"));
  assert.deepEqual(
    [first.outcome, first.decisions[0]?.actual, first.decisions[0]?.operator],
    ["policy_violation", false, "requires_prior"],
  );
  assert.deepEqual(await outcomes(set, [http("GET", "/v1/get_quote"), SUBMIT("S-1")]), [
    "allowed",
    "policy_violation",
  ]);
  assert.deepEqual(await outcomes(set, [QUOTE("S-9"), SUBMIT("S-1"), SUBMIT("S-2")]), [
    "allowed",
    "allowed",
    "allowed",
  ]);
});

Deno.test("requires_prior with same: the prior action must carry the same values", async () => {
  const { set } = stateful([{
    path: "/v1/submit_bid",
    operator: "requires_prior",
    value: { path: "/v1/get_quote", same: ["supplier"] },
  }]);
  assert.deepEqual(
    await outcomes(set, [QUOTE("S-1"), SUBMIT("S-2"), SUBMIT("S-1"), QUOTE("S-2"), SUBMIT("S-2")]),
    [
      "allowed",
      "policy_violation",
      "allowed",
      "allowed",
      "allowed",
    ],
  );
});

Deno.test("requires_prior with same: two actions that both lack the field are not the same", async () => {
  const { set } = stateful([{
    path: "/v1/submit_bid",
    operator: "requires_prior",
    value: { path: "/v1/get_quote", same: ["supplier"] },
  }]);
  const verdicts = [];
  for (const a of [post("/v1/get_quote", {}), post("/v1/submit_bid", {})]) {
    verdicts.push(await set.decide(a));
  }
  assert.deepEqual(verdicts.map((v) => v.outcome), ["allowed", "policy_violation"]);
  const d = verdicts[1]?.decisions[0];
  assert.deepEqual([d?.missing, d?.message], [true, "field 'supplier' is missing"]);
  assert.equal((await set.decide(SUBMIT("S-1"))).outcome, "policy_violation");
});

Deno.test("requires_prior: a prior action that was blocked does not count", async () => {
  const { set } = stateful([
    { path: "/v1/get_quote", field: "supplier", operator: "starts_with", value: "S-" },
    { path: "/v1/submit_bid", operator: "requires_prior", value: { path: "/v1/get_quote" } },
  ]);
  assert.deepEqual(
    await outcomes(set, [QUOTE("X-1"), SUBMIT("X-1"), QUOTE("S-1"), SUBMIT("S-1")]),
    [
      "policy_violation",
      "policy_violation",
      "allowed",
      "allowed",
    ],
  );
});

Deno.test("forbids_prior blocks everything in scope once a matching action went through", async () => {
  const { set } = stateful([{
    method: ["POST", "DELETE"],
    operator: "forbids_prior",
    value: { method: "DELETE", path: "/v1/accounts/{id}" },
  }]);
  assert.deepEqual(
    await outcomes(set, [
      post("/v1/x"),
      http("DELETE", "/v1/accounts/7"),
      post("/v1/x"),
      http("GET", "/v1/x"),
    ]),
    ["allowed", "allowed", "policy_violation", "allowed"],
  );
  const [d] = (await set.decide(http("DELETE", "/v1/accounts/8"))).decisions;
  assert.deepEqual([d?.passed, d?.actual, d?.operator], [false, true, "forbids_prior"]);
});

Deno.test("prior actions can be tool calls", async () => {
  const { set } = stateful([{
    tool: "refund",
    operator: "requires_prior",
    value: { tool: ["lookup_order", "get_order"], same: ["order_id"] },
  }]);
  const call = (tool: string, order_id: string) => toolAction({ tool, args: { order_id } });
  assert.deepEqual(
    await outcomes(set, [
      call("refund", "A"),
      call("get_order", "A"),
      call("refund", "A"),
      call("refund", "B"),
    ]),
    ["policy_violation", "allowed", "allowed", "policy_violation"],
  );
});

Deno.test("per: run (default) keeps state per run, per: global shares it", async () => {
  const inRun = (runId: string) => ({ ...BID(1), run_id: runId });
  const perRun = stateful([{ operator: "count_lte", value: 1 }]);
  assert.deepEqual(await outcomes(perRun.set, [inRun("a"), inRun("b"), inRun("a")]), [
    "allowed",
    "allowed",
    "policy_violation",
  ]);
  const global = stateful([{ operator: "count_lte", value: 1, per: "global" }]);
  assert.deepEqual(await outcomes(global.set, [inRun("a"), inRun("b")]), [
    "allowed",
    "policy_violation",
  ]);
});

Deno.test("per: a field path keeps state per value of that field", async () => {
  const { set } = stateful([{ operator: "count_lte", value: 1, per: "headers.X-Agent-Id" }]);
  const agent = (id: string) => BID(1, { "x-agent-id": id });
  assert.deepEqual(
    await outcomes(set, [agent("A"), agent("B"), agent("A"), agent("B"), agent("C")]),
    [
      "allowed",
      "allowed",
      "policy_violation",
      "policy_violation",
      "allowed",
    ],
  );
  const byAmount = stateful([{
    operator: "sum_lte",
    value: { field: "amount", limit: 10 },
    per: "supplier",
  }]);
  const bid = (supplier: string, amount: number) => post("/", { supplier, amount });
  assert.deepEqual(await outcomes(byAmount.set, [bid("x", 10), bid("y", 10), bid("x", 1)]), [
    "allowed",
    "allowed",
    "policy_violation",
  ]);
});

Deno.test("an action blocked by another rule changes no state", async () => {
  const { set } = stateful([
    { field: "amount", operator: "max", value: 100 },
    { operator: "count_lte", value: 2 },
    { operator: "sum_lte", value: { field: "amount", limit: 150 } },
  ]);
  const blocked = await set.decide(BID(500));
  assert.equal(blocked.policy, "s0");
  assert.deepEqual(blocked.decisions.map((d) => d.actual), [500, 1, 500]);
  const allowed = await outcomes(set, [BID(100), BID(50)]);
  assert.deepEqual(allowed, ["allowed", "allowed"]);
  assert.deepEqual((await set.decide(BID(1))).decisions.map((d) => [d.policy, d.actual]), [
    ["s0", 1],
    ["s1", 3],
    ["s2", 151],
  ]);
});

Deno.test("an action that failed one state rule does not count towards another", async () => {
  const { set } = stateful([
    { operator: "count_lte", value: 1 },
    { operator: "count_lte", value: 5, per: "global" },
  ]);
  await outcomes(set, times(4, () => BID(1)));
  const [own, shared] = (await set.decide(BID(1))).decisions;
  assert.deepEqual([own?.actual, shared?.actual], [2, 2]);
});

Deno.test("an action that cannot go through (blocked: true, as for no route) changes no state", async () => {
  const { set } = stateful([
    { operator: "count_lte", value: 1 },
    { path: "/v1/bid", operator: "forbids_prior", value: { path: "/v1/delete" } },
  ]);
  assert.deepEqual(await outcomes(set, times(3, () => BID(1)), { blocked: true }), [
    "allowed",
    "allowed",
    "allowed",
  ]);
  await set.decide(post("/v1/delete"), { blocked: true });
  assert.deepEqual(await outcomes(set, [BID(1)]), ["allowed"]);
  assert.deepEqual(await outcomes(set, [BID(1)]), ["policy_violation"]);
});

Deno.test("a flag state rule lets the action through and counts it", async () => {
  const { set } = stateful([{ operator: "count_lte", value: 1, action: "flag" }]);
  const verdicts = [];
  for (let i = 0; i < 3; i++) verdicts.push(await set.decide(BID(1)));
  assert.deepEqual(verdicts.map((v) => [v.outcome, v.policy, v.decisions[0]?.actual]), [
    ["allowed", undefined, 1],
    ["flagged", "s0", 2],
    ["flagged", "s0", 3],
  ]);
});

Deno.test("a state rule outside its scope neither decides nor counts", async () => {
  const { set } = stateful([{ method: "POST", path: "/v1/bid", operator: "count_lte", value: 1 }]);
  assert.equal((await set.decide(http("GET", "/v1/bid"))).decisions.length, 0);
  assert.deepEqual(await outcomes(set, [BID(1), BID(1)]), ["allowed", "policy_violation"]);
});

Deno.test("sum_lte: a negative amount cannot buy back budget", async () => {
  const { set } = stateful([{ operator: "sum_lte", value: { field: "amount", limit: 1000 } }]);
  const amounts = [-1_000_000, 500, 500, 1];
  assert.deepEqual(
    await outcomes(set, amounts.map((amount) => post("/", { amount }))),
    ["policy_violation", "allowed", "allowed", "policy_violation"],
  );
});

Deno.test("requires_prior with same: a missing field follows on_missing: pass", async () => {
  const { set } = stateful([{
    path: "/v1/submit_bid",
    operator: "requires_prior",
    value: { path: "/v1/get_quote", same: ["supplier"] },
    on_missing: "pass",
  }]);
  const verdict = await set.decide(post("/v1/submit_bid", {}));
  assert.equal(verdict.outcome, "allowed");
  assert.equal(verdict.decisions[0]?.missing, true);
});

Deno.test("per-run state stays exact across more runs than the key memory holds", async () => {
  const { set } = stateful([{ operator: "count_lte", value: 1 }]);
  const runs = 5000;
  const first: string[] = [];
  const second: string[] = [];
  for (let i = 0; i < runs; i++) {
    first.push((await set.decide(toolAction({ tool: "t", runId: `r${i}` }))).outcome);
  }
  for (let i = 0; i < runs; i++) {
    second.push((await set.decide(toolAction({ tool: "t", runId: `r${i}` }))).outcome);
  }
  assert.ok(first.every((o) => o === "allowed"));
  assert.ok(second.every((o) => o === "policy_violation"));
});

Deno.test("per: a list keeps state per combination of its parts", async () => {
  const { set } = stateful([{
    operator: "sum_lte",
    value: { field: "amount", limit: 25 },
    per: ["run", "payload.supplier"],
  }]);
  const bid = (runId: string, supplier: string, amount: number) => ({
    ...post("/", { supplier, amount }),
    run_id: runId,
  });
  assert.deepEqual(
    await outcomes(set, [
      bid("a", "x", 20),
      bid("a", "y", 20),
      bid("b", "x", 20),
      bid("a", "x", 6),
      bid("b", "x", 5),
    ]),
    ["allowed", "allowed", "allowed", "policy_violation", "allowed"],
  );
});

Deno.test("per: a header outlives the run id, so rotating run ids does not reset a budget", async () => {
  const { set } = stateful([{
    operator: "sum_lte",
    value: { field: "amount", limit: 60 },
    per: "headers.x-agent-id",
  }]);
  const bid = (runId: string, agent: string) => ({
    ...BID(25, { "x-agent-id": agent }),
    run_id: runId,
  });
  assert.deepEqual(
    await outcomes(set, [bid("r1", "A"), bid("r2", "A"), bid("r3", "A"), bid("r4", "B")]),
    ["allowed", "allowed", "policy_violation", "allowed"],
  );
});

Deno.test("a prior selector reads its rule's path_case, and may name a route and a tool", async () => {
  const set = compilePolicies({
    path_case: "insensitive",
    policies: [rule({
      name: "no_upload_after_secrets",
      tool: "upload_file",
      operator: "forbids_prior",
      value: { method: "GET", path: "/v1/secrets/**", tool: "read_secret" },
    })],
  });
  const upload = toolAction({ tool: "upload_file", args: {} });
  assert.deepEqual(await outcomes(set, [upload, http("GET", "/V1/Secrets/db"), upload]), [
    "allowed",
    "allowed",
    "policy_violation",
  ]);
  const viaTool = compilePolicies({
    policies: [rule({
      name: "r",
      tool: "upload_file",
      operator: "forbids_prior",
      value: { method: "GET", path: "/v1/secrets/**", tool: "read_secret" },
    })],
  });
  assert.deepEqual(
    await outcomes(viaTool, [toolAction({ tool: "read_secret", args: {} }), upload]),
    ["allowed", "policy_violation"],
  );
});
