/**
 * One conformance suite for every state store: the state operators over sequences of actions
 * (counts, sliding rate windows with an injected clock, sums, prior actions, `per` scopes, the
 * rule that only actions that went through change state), the store's own contract (atomic
 * checks and marks, exact numbers, kinds kept apart) and idle expiry. The memory store and the
 * Redis store run the same cases (`memory_store_test.ts`, `redis_store_test.ts`).
 */

import assert from "node:assert/strict";
import {
  type Action,
  compilePolicies,
  type DecideOptions,
  type PolicyRule,
  type PolicySet,
  type StateCheck,
  type StateStore,
  type StateTransaction,
  toolAction,
} from "@mirage/core";
import { http, post, rule } from "../engine/helpers.ts";

/** A store made for one case. */
export interface StoreUnderTest {
  /** The store. */
  readonly store: StateStore;
  /** Lets `ms` pass on the store's expiry clock (rate windows read the action's own clock). */
  age(ms: number): Promise<void>;
}

/** Makes a fresh, empty store; the suite closes it after the case. */
export type StoreMaker = (options?: { idleTtlMs?: number }) => Promise<StoreUnderTest>;

type Case = (make: StoreMaker) => Promise<void>;

const CASES: [string, Case][] = [];

function conform(name: string, body: Case): void {
  CASES.push([name, body]);
}

/**
 * Runs every case as a step of `t`, each with stores from `make`.
 *
 * @example
 * ```ts ignore
 * Deno.test("memory store", (t) => runConformance(t, async () => ({ store: new MemoryStateStore(), age: async () => {} })));
 * ```
 */
export async function runConformance(t: Deno.TestContext, make: StoreMaker): Promise<void> {
  for (const [name, body] of CASES) {
    await t.step(name, async () => {
      const made: StoreUnderTest[] = [];
      try {
        await body(async (options) => {
          const s = await make(options);
          made.push(s);
          return s;
        });
      } finally {
        for (const s of made) await s.store.close();
      }
    });
  }
}

/** A compiled set on a fresh store, with a settable clock for rate windows. */
async function stateful(
  make: StoreMaker,
  rules: Partial<PolicyRule>[],
): Promise<{ set: PolicySet; at(ms: number): void }> {
  let now = 0;
  const { store } = await make();
  const policies = rules.map((r, i) => rule({ name: `s${i}`, ...r }));
  const set = compilePolicies({ policies }, { clock: () => now, store });
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

conform("count_lte lets N actions through and reports the count it would make", async (make) => {
  const { set } = await stateful(make, [{ operator: "count_lte", value: 2 }]);
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

conform("count_lte with a field counts only actions that carry it", async (make) => {
  const { set } = await stateful(make, [{ field: "amount", operator: "count_lte", value: 1 }]);
  const first = await set.decide(BID(1));
  const without = await set.decide(BID());
  const second = await set.decide(BID(2));
  assert.deepEqual([first.outcome, without.decisions.length, second.outcome], [
    "allowed",
    0,
    "policy_violation",
  ]);
});

conform("rate_lte slides its window: a hit expires exactly at the window's end", async (make) => {
  const { set, at } = await stateful(make, [{
    operator: "rate_lte",
    value: { limit: 2, window_seconds: 10 },
  }]);
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

conform(
  "sum_lte adds up a field across actions; a missing field follows on_missing",
  async (make) => {
    const value = { field: "amount", limit: 100 };
    const { set } = await stateful(make, [{ operator: "sum_lte", value }]);
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
    const lenient = await stateful(make, [{ operator: "sum_lte", value, on_missing: "pass" }]);
    assert.deepEqual(await outcomes(lenient.set, [BID(100), BID(), BID(1)]), [
      "allowed",
      "allowed",
      "policy_violation",
    ]);
  },
);

conform(
  "sum_lte reads numeric text and fails closed on a value that is not a number",
  async (make) => {
    const { set } = await stateful(make, [{
      operator: "sum_lte",
      value: { field: "query.n", limit: 10 },
    }]);
    assert.deepEqual(
      await outcomes(set, [http("GET", "/?n=4"), http("GET", "/?n=abc"), http("GET", "/?n=6")]),
      [
        "allowed",
        "policy_violation",
        "allowed",
      ],
    );
  },
);

const QUOTE = (supplier: string) => post("/v1/get_quote", { supplier });
const SUBMIT = (supplier: string) => post("/v1/submit_bid", { supplier, amount: 1 });

conform("requires_prior without same: any earlier matching action will do", async (make) => {
  const { set } = await stateful(make, [{
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

conform("requires_prior with same: the prior action must carry the same values", async (make) => {
  const { set } = await stateful(make, [{
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

conform(
  "requires_prior with same: two actions that both lack the field are not the same",
  async (make) => {
    const { set } = await stateful(make, [{
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
  },
);

conform("requires_prior: a prior action that was blocked does not count", async (make) => {
  const { set } = await stateful(make, [
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

conform(
  "forbids_prior blocks everything in scope once a matching action went through",
  async (make) => {
    const { set } = await stateful(make, [{
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
  },
);

conform("prior actions can be tool calls", async (make) => {
  const { set } = await stateful(make, [{
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

conform("per: run (default) keeps state per run, per: global shares it", async (make) => {
  const inRun = (runId: string) => ({ ...BID(1), run_id: runId });
  const perRun = await stateful(make, [{ operator: "count_lte", value: 1 }]);
  assert.deepEqual(await outcomes(perRun.set, [inRun("a"), inRun("b"), inRun("a")]), [
    "allowed",
    "allowed",
    "policy_violation",
  ]);
  const global = await stateful(make, [{ operator: "count_lte", value: 1, per: "global" }]);
  assert.deepEqual(await outcomes(global.set, [inRun("a"), inRun("b")]), [
    "allowed",
    "policy_violation",
  ]);
});

conform("per: a field path keeps state per value of that field", async (make) => {
  const { set } = await stateful(make, [{
    operator: "count_lte",
    value: 1,
    per: "headers.X-Agent-Id",
  }]);
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
  const byAmount = await stateful(make, [{
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

conform("per: an object field is one value whatever the order of its keys", async (make) => {
  const { set } = await stateful(make, [{ operator: "count_lte", value: 1, per: "card" }]);
  const pay = (card: Record<string, string>) => post("/", { card });
  assert.deepEqual(
    await outcomes(set, [
      pay({ number: "4111", exp: "12/30" }),
      pay({ exp: "12/30", number: "4111" }),
      pay({ number: "4242", exp: "12/30" }),
    ]),
    ["allowed", "policy_violation", "allowed"],
  );
});

conform(
  "requires_prior: same on an object matches whatever the order of its keys",
  async (make) => {
    const { set } = await stateful(make, [{
      path: "/v1/pay",
      operator: "requires_prior",
      value: { path: "/v1/quote", same: ["card"] },
    }]);
    assert.deepEqual(
      await outcomes(set, [
        post("/v1/quote", { card: { number: "4111", exp: "12/30" } }),
        post("/v1/pay", { card: { exp: "12/30", number: "4111" } }),
        post("/v1/pay", { card: { exp: "12/30", number: "4242" } }),
      ]),
      ["allowed", "allowed", "policy_violation"],
    );
  },
);

conform("an action blocked by another rule changes no state", async (make) => {
  const { set } = await stateful(make, [
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

conform("an action that failed one state rule does not count towards another", async (make) => {
  const { set } = await stateful(make, [
    { operator: "count_lte", value: 1 },
    { operator: "count_lte", value: 5, per: "global" },
  ]);
  await outcomes(set, times(4, () => BID(1)));
  const [own, shared] = (await set.decide(BID(1))).decisions;
  assert.deepEqual([own?.actual, shared?.actual], [2, 2]);
});

conform(
  "an action that cannot go through (blocked: true, as for no route) changes no state",
  async (make) => {
    const { set } = await stateful(make, [
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
  },
);

conform("a flag state rule lets the action through and counts it", async (make) => {
  const { set } = await stateful(make, [{ operator: "count_lte", value: 1, action: "flag" }]);
  const verdicts = [];
  for (let i = 0; i < 3; i++) verdicts.push(await set.decide(BID(1)));
  assert.deepEqual(verdicts.map((v) => [v.outcome, v.policy, v.decisions[0]?.actual]), [
    ["allowed", undefined, 1],
    ["flagged", "s0", 2],
    ["flagged", "s0", 3],
  ]);
});

conform("a state rule outside its scope neither decides nor counts", async (make) => {
  const { set } = await stateful(make, [{
    method: "POST",
    path: "/v1/bid",
    operator: "count_lte",
    value: 1,
  }]);
  assert.equal((await set.decide(http("GET", "/v1/bid"))).decisions.length, 0);
  assert.deepEqual(await outcomes(set, [BID(1), BID(1)]), ["allowed", "policy_violation"]);
});

conform("sum_lte: a negative amount cannot buy back budget", async (make) => {
  const { set } = await stateful(make, [{
    operator: "sum_lte",
    value: { field: "amount", limit: 1000 },
  }]);
  const amounts = [-1_000_000, 500, 500, 1];
  assert.deepEqual(
    await outcomes(set, amounts.map((amount) => post("/", { amount }))),
    ["policy_violation", "allowed", "allowed", "policy_violation"],
  );
});

conform("requires_prior with same: a missing field follows on_missing: pass", async (make) => {
  const { set } = await stateful(make, [{
    path: "/v1/submit_bid",
    operator: "requires_prior",
    value: { path: "/v1/get_quote", same: ["supplier"] },
    on_missing: "pass",
  }]);
  const verdict = await set.decide(post("/v1/submit_bid", {}));
  assert.equal(verdict.outcome, "allowed");
  assert.equal(verdict.decisions[0]?.missing, true);
});

conform("per-run state stays exact across more runs than the key memory holds", async (make) => {
  const { set } = await stateful(make, [{ operator: "count_lte", value: 1 }]);
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

// The store's own contract, below the evaluator.

function tx(checks: StateCheck[], marks: StateTransaction["marks"] = []): StateTransaction {
  return { now: 0, blocked: false, checks, marks };
}

async function apply(store: StateStore, t: StateTransaction): Promise<[boolean, unknown][]> {
  return (await store.apply(t)).map((r) => [r.passed, r.actual]);
}

conform(
  "apply: results follow the checks; a failing blocking check stops every update and mark",
  async (make) => {
    const { store } = await make();
    const checks = (amount: number): StateCheck[] => [
      { kind: "count", key: "c", limit: 5, block: true },
      { kind: "sum", key: "s", limit: 10, amount, block: true },
      { kind: "rate", key: "r", limit: 5, windowMs: 1000, block: true },
      { kind: "has", key: "m", member: "x", block: false },
      { kind: "none", key: "m", block: false },
    ];
    const mark = [{ key: "m", member: "x" }];
    assert.deepEqual(await apply(store, tx(checks(4), mark)), [
      [true, 1],
      [true, 4],
      [true, 1],
      [false, false],
      [true, false],
    ]);
    assert.deepEqual(await apply(store, tx(checks(4), mark)), [
      [true, 2],
      [true, 8],
      [true, 2],
      [true, true],
      [false, true],
    ]);
    assert.deepEqual((await apply(store, tx(checks(4), mark))).slice(0, 3), [
      [true, 3],
      [false, 12],
      [true, 3],
    ]);
    assert.deepEqual((await apply(store, tx(checks(2)))).slice(0, 3), [
      [true, 3],
      [true, 10],
      [true, 3],
    ]);
  },
);

conform("apply: blocked: true changes nothing, whatever the checks say", async (make) => {
  const { store } = await make();
  const t: StateTransaction = {
    now: 0,
    blocked: true,
    checks: [{ kind: "count", key: "c", limit: 5, block: true }],
    marks: [{ key: "m", member: "x" }],
  };
  for (let i = 0; i < 3; i++) assert.deepEqual(await apply(store, t), [[true, 1]]);
  assert.deepEqual(await apply(store, tx([{ kind: "none", key: "m", block: true }])), [[
    true,
    false,
  ]]);
});

conform("apply: a failing flag check lets the action through, and it counts", async (make) => {
  const { store } = await make();
  const flag = tx([{ kind: "count", key: "c", limit: 1, block: false }]);
  const seen = [];
  for (let i = 0; i < 3; i++) seen.push(...await apply(store, flag));
  assert.deepEqual(seen, [[true, 1], [false, 2], [false, 3]]);
});

conform("apply: two checks on one key both read before either counts", async (make) => {
  const { store } = await make();
  const twice = tx([
    { kind: "count", key: "k", limit: 9, block: true },
    { kind: "count", key: "k", limit: 9, block: true },
  ]);
  assert.deepEqual(await apply(store, twice), [[true, 1], [true, 1]]);
  assert.deepEqual(await apply(store, twice), [[true, 3], [true, 3]]);
});

conform("apply: rate hits at the same instant are all counted", async (make) => {
  const { store } = await make();
  const hit: StateTransaction = {
    now: 1_700_000_000_123.5,
    blocked: false,
    checks: [{ kind: "rate", key: "r", limit: 9, windowMs: 60_000, block: true }],
    marks: [],
  };
  const seen = [];
  for (let i = 0; i < 3; i++) seen.push(...await apply(store, hit));
  assert.deepEqual(seen, [[true, 1], [true, 2], [true, 3]]);
});

conform(
  "apply: sums are exact doubles; an infinite amount that goes through exhausts the budget",
  async (make) => {
    const { store } = await make();
    const add = (amount: number, block = true) =>
      apply(store, tx([{ kind: "sum", key: "s", limit: 100, amount, block }]));
    assert.deepEqual(await add(0.1), [[true, 0.1]]);
    assert.deepEqual(await add(0.2), [[true, 0.30000000000000004]]);
    const near = 0.1 + 0.2 + 99.69;
    assert.deepEqual(await add(99.69), [[true, near]]);
    assert.deepEqual(await add(1e21, false), [[false, near + 1e21]]);
    assert.deepEqual(await add(Infinity, false), [[false, Infinity]]);
    assert.deepEqual(await add(0), [[false, Infinity]]);
  },
);

conform("apply: each kind keeps its own state under one key", async (make) => {
  const { store } = await make();
  await apply(store, tx([{ kind: "sum", key: "k", limit: 99, amount: 5, block: true }]));
  await apply(store, tx([{ kind: "rate", key: "k", limit: 99, windowMs: 1000, block: true }]));
  assert.deepEqual(
    await apply(
      store,
      tx([
        { kind: "count", key: "k", limit: 99, block: true },
        { kind: "rate", key: "k", limit: 99, windowMs: 1000, block: true },
        { kind: "sum", key: "k", limit: 99, amount: 1, block: true },
        { kind: "none", key: "k", block: false },
      ], [{ key: "k", member: "m" }]),
    ),
    [[true, 1], [true, 2], [true, 6], [true, false]],
  );
  assert.deepEqual(await apply(store, tx([{ kind: "has", key: "k", member: "m", block: true }])), [
    [true, true],
  ]);
});

conform(
  "idle expiry: a key untouched for the idle TTL is forgotten; per: global keys are kept",
  async (make) => {
    const { store, age } = await make({ idleTtlMs: 10_000 });
    const checks: StateCheck[] = [
      { kind: "count", key: "run", limit: 9, block: true },
      { kind: "count", key: "all", limit: 9, block: true, global: true },
      { kind: "sum", key: "run", limit: 99, amount: 5, block: true },
      { kind: "has", key: "run", member: "q", block: false },
      { kind: "has", key: "all", member: "q", block: false, global: true },
    ];
    const marks = [{ key: "run", member: "q" }, { key: "all", member: "q", global: true }];
    await apply(store, tx(checks, marks));
    await age(9_000);
    assert.deepEqual(await apply(store, tx(checks)), [
      [true, 2],
      [true, 2],
      [true, 10],
      [true, true],
      [true, true],
    ]);
    await age(10_001);
    assert.deepEqual(await apply(store, tx(checks)), [
      [true, 1],
      [true, 3],
      [true, 5],
      [false, false],
      [true, true],
    ]);
  },
);

conform(
  "idle expiry: every action that reads a key keeps it, even one that is stopped",
  async (make) => {
    const { store, age } = await make({ idleTtlMs: 10_000 });
    const limited = tx([
      { kind: "count", key: "c", limit: 1, block: true },
      { kind: "has", key: "m", member: "q", block: false },
    ], [{ key: "m", member: "q" }]);
    assert.deepEqual(await apply(store, limited), [[true, 1], [false, false]]);
    for (let i = 0; i < 3; i++) {
      await age(6_000);
      assert.deepEqual(await apply(store, limited), [[false, 2], [true, true]], `read ${i + 1}`);
    }
    await age(10_001);
    assert.deepEqual(await apply(store, limited), [[true, 1], [false, false]]);
  },
);

conform("idle expiry: rate entries expire with their window on the store's clock", async (make) => {
  const { store, age } = await make({ idleTtlMs: 60_000 });
  const hit = tx([{ kind: "rate", key: "r", limit: 9, windowMs: 5_000, block: true }]);
  await apply(store, hit);
  await apply(store, hit);
  await age(4_000);
  assert.deepEqual(await apply(store, hit), [[true, 3]]);
  await age(4_000);
  assert.deepEqual(await apply(store, hit), [[true, 4]]);
  await age(5_001);
  assert.deepEqual(await apply(store, hit), [[true, 1]]);
});

conform(
  "idle expiry through the evaluator: a finished run's count is forgotten, a live one is not",
  async (make) => {
    const { store, age } = await make({ idleTtlMs: 10_000 });
    const set = compilePolicies({ policies: [rule({ operator: "count_lte", value: 1 })] }, {
      store,
    });
    const inRun = (runId: string) => toolAction({ tool: "t", runId });
    assert.deepEqual(await outcomes(set, [inRun("done"), inRun("live")]), ["allowed", "allowed"]);
    await age(6_000);
    assert.deepEqual(await outcomes(set, [inRun("live")]), ["policy_violation"]);
    await age(6_000);
    assert.deepEqual(await outcomes(set, [inRun("done"), inRun("live")]), [
      "allowed",
      "policy_violation",
    ]);
  },
);

conform("per: a list keeps state per combination of its parts", async (make) => {
  const { set } = await stateful(make, [{
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

conform(
  "per: a header outlives the run id, so rotating run ids does not reset a budget",
  async (make) => {
    const { set } = await stateful(make, [{
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
  },
);

conform(
  "a prior selector reads its rule's path_case, and may name a route and a tool",
  async (make) => {
    const forbid = rule({
      name: "no_upload_after_secrets",
      tool: "upload_file",
      operator: "forbids_prior",
      value: { method: "GET", path: "/v1/secrets/**", tool: "read_secret" },
    });
    const set = compilePolicies(
      { path_case: "insensitive", policies: [forbid] },
      { store: (await make()).store },
    );
    const upload = toolAction({ tool: "upload_file", args: {} });
    assert.deepEqual(await outcomes(set, [upload, http("GET", "/V1/Secrets/db"), upload]), [
      "allowed",
      "allowed",
      "policy_violation",
    ]);
    const viaTool = compilePolicies({ policies: [forbid] }, { store: (await make()).store });
    assert.deepEqual(
      await outcomes(viaTool, [toolAction({ tool: "read_secret", args: {} }), upload]),
      ["allowed", "policy_violation"],
    );
  },
);
