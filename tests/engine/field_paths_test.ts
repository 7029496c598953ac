/**
 * Field paths: every namespace, bare paths as payload, indexes and `[*]` wildcards.
 */

import assert from "node:assert/strict";
import { type Action, httpAction, toolAction } from "@mirage/core";
import { decideOne, http, post } from "./helpers.ts";

const ACTION = httpAction({
  method: "post",
  url: "https://API.test:8443/v1//bids/?page=2&tag=a&tag=b",
  headers: { "X-Agent-ID": "agent-7", authorization: "Bearer t" },
  json: { a: { b: 1 }, items: [{ sku: "S-1" }, { sku: "S-2" }], "odd key": true },
  params: { id: "42" },
  runId: "run-1",
});
const TOOL = toolAction({ tool: "search", args: { q: "x", n: [3] }, headers: { "X-Trace": "t1" } });

/** Reads a field through an `eq` rule that passes with the value it found. */
async function read(field: string, action: Action): Promise<unknown> {
  const d = await decideOne({ field, operator: "exists" }, action);
  return d.passed ? d.actual : Symbol.for("missing");
}

const FOUND: [string, Action, unknown][] = [
  ["method", ACTION, "POST"],
  ["url", ACTION, "https://api.test:8443/v1//bids/?page=2&tag=a&tag=b"],
  ["scheme", ACTION, "https"],
  ["host", ACTION, "api.test"],
  ["port", ACTION, 8443],
  ["path", ACTION, "/v1/bids"],
  ["query.page", ACTION, "2"],
  ["query.tag", ACTION, ["a", "b"]],
  ["headers.x-agent-id", ACTION, "agent-7"],
  ["headers.X-Agent-Id", ACTION, "agent-7"],
  ["params.id", ACTION, "42"],
  ["payload.a.b", ACTION, 1],
  ["a.b", ACTION, 1],
  ["a", ACTION, { b: 1 }],
  ["items[1].sku", ACTION, "S-2"],
  ["payload.items[0]", ACTION, { sku: "S-1" }],
  ["items[*].sku", ACTION, ["S-1", "S-2"]],
  ["run_id", ACTION, "run-1"],
  ["tool", TOOL, "search"],
  ["q", TOOL, "x"],
  ["payload.n[0]", TOOL, 3],
  ["headers.x-trace", TOOL, "t1"],
  ["run_id", TOOL, "default"],
  ["port", http("GET", "/"), 80],
];

for (const [field, action, expected] of FOUND) {
  Deno.test(`field '${field}' on a ${action.kind} action reads ${JSON.stringify(expected)}`, async () => {
    assert.deepEqual(await read(field, action), expected);
  });
}

const ABSENT: [string, Action][] = [
  ["query.nope", ACTION],
  ["headers.x-nope", ACTION],
  ["params.nope", ACTION],
  ["payload.a.c", ACTION],
  ["a.b.c", ACTION],
  ["items[2]", ACTION],
  ["items[*].price", ACTION],
  ["a[0]", ACTION],
  ["host", TOOL],
  ["method", TOOL],
  ["tool", ACTION],
  ["q", toolAction({ tool: "t" })],
  ["toString", ACTION],
  ["a.constructor", ACTION],
];

for (const [field, action] of ABSENT) {
  Deno.test(`field '${field}' on a ${action.kind} action is missing`, async () => {
    const d = await decideOne({ field, operator: "eq", value: 1 }, action);
    assert.equal(d.missing, true);
    assert.equal(d.passed, false);
    assert.equal(d.message, `field '${field}' is missing`);
  });
}

Deno.test("a text body is the payload; bare paths into it are missing", async () => {
  const a = httpAction({ method: "POST", url: "http://api.test/", body: "plain words" });
  assert.equal(await read("payload", a), "plain words");
  assert.equal(
    (await decideOne({ field: "payload", operator: "contains", value: "words" }, a)).passed,
    true,
  );
  assert.equal((await decideOne({ field: "x", operator: "eq", value: 1 }, a)).missing, true);
});

Deno.test("a wildcard rule holds only when it holds for every selected value", async () => {
  const rule = { field: "items[*].price", operator: "max" as const, value: 100 };
  const pass = await decideOne(rule, post("/", { items: [{ price: 10 }, { price: 100 }] }));
  assert.deepEqual([pass.passed, pass.actual], [true, [10, 100]]);
  const fail = await decideOne(
    rule,
    post("/", { items: [{ price: 10 }, { price: 101 }, { price: 5 }] }),
  );
  assert.deepEqual([fail.passed, fail.actual], [false, 101]);
  for (const json of [{ items: [] }, {}, { items: [{ qty: 1 }] }, { items: "text" }]) {
    const d = await decideOne(rule, post("/", json));
    assert.deepEqual([d.passed, d.missing], [false, true], JSON.stringify(json));
  }
});

Deno.test("a wildcard rule cannot be passed by an element that lacks the field", async () => {
  const rule = { field: "items[*].price", operator: "max" as const, value: 100 };
  const d = await decideOne(rule, post("/", { items: [{ price: 1 }, { qty: 1 }] }));
  assert.deepEqual([d.passed, d.missing, d.message], [
    false,
    true,
    "field 'items[*].price' is missing",
  ]);
  const lenient = await decideOne(
    { ...rule, on_missing: "pass" },
    post("/", { items: [{ price: 1 }, { qty: 1 }] }),
  );
  assert.equal(lenient.passed, true);
  const over = await decideOne(rule, post("/", { items: [{ qty: 1 }, { price: 500 }] }));
  assert.deepEqual([over.passed, over.actual], [false, 500]);
});

Deno.test("exists over a wildcard needs every element; not_exists needs none", async () => {
  const cases: [unknown, boolean, boolean][] = [
    [[{ sku: "a" }, { sku: "b" }], true, false],
    [[{ sku: "a" }, { qty: 1 }], false, false],
    [[{ qty: 1 }], false, true],
    [[], false, true],
  ];
  for (const [items, exists, notExists] of cases) {
    const action = post("/", { items });
    const e = await decideOne({ field: "items[*].sku", operator: "exists" }, action);
    const n = await decideOne({ field: "items[*].sku", operator: "not_exists" }, action);
    assert.deepEqual([e.passed, n.passed], [exists, notExists], JSON.stringify(items));
  }
});

Deno.test("nested wildcards select every element of every level", async () => {
  const rule = { field: "orders[*].lines[*].qty", operator: "lte" as const, value: 5 };
  const orders = [{ lines: [{ qty: 1 }, { qty: 5 }] }, { lines: [{ qty: 2 }] }];
  assert.deepEqual((await decideOne(rule, post("/", { orders }))).actual, [1, 5, 2]);
  orders.push({ lines: [{ qty: 6 }] });
  const d = await decideOne(rule, post("/", { orders }));
  assert.deepEqual([d.passed, d.actual], [false, 6]);
});
