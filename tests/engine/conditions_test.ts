/**
 * `when` trees (`all` / `any` / `not`) with missing propagation, and CEL `expr` rules.
 */

import assert from "node:assert/strict";
import type { Condition } from "@mirage/core";
import { decideOne, post } from "./helpers.ts";

const PASS: Condition = { field: "a", operator: "eq", value: 1 };
const FAIL: Condition = { field: "b", operator: "max", value: 1 };
const MISS: Condition = { field: "nope", operator: "eq", value: 1 };
const ACTION = post("/", { a: 1, b: 2 });

type Result = "pass" | "fail" | "missing";

const TREES: [string, Condition, Result][] = [
  ["all of passes", { all: [PASS, PASS] }, "pass"],
  ["all with a failure", { all: [PASS, FAIL] }, "fail"],
  ["all with a missing field", { all: [MISS, PASS] }, "missing"],
  ["all with a missing field and a failure", { all: [MISS, FAIL] }, "fail"],
  ["any with a pass", { any: [FAIL, PASS] }, "pass"],
  ["any of failures", { any: [FAIL, FAIL] }, "fail"],
  ["any with a missing field and a failure", { any: [MISS, FAIL] }, "missing"],
  ["any with a missing field and a pass", { any: [MISS, PASS] }, "pass"],
  ["not of a pass", { not: PASS }, "fail"],
  ["not of a failure", { not: FAIL }, "pass"],
  ["not of a missing field", { not: MISS }, "missing"],
  ["not of all with a missing field", { not: { all: [PASS, MISS] } }, "missing"],
  ["any of not-missing and a pass", { any: [{ not: MISS }, PASS] }, "pass"],
  ["all of any and not", { all: [{ any: [FAIL, PASS] }, { not: FAIL }] }, "pass"],
  ["deep nesting", { not: { any: [{ all: [PASS, { not: PASS }] }, FAIL] } }, "pass"],
];

for (const [name, when, expected] of TREES) {
  Deno.test(`when: ${name} → ${expected}`, async () => {
    const strict = await decideOne({ when }, ACTION);
    const lenient = await decideOne({ when, on_missing: "pass" }, ACTION);
    assert.equal(strict.passed, expected === "pass");
    assert.equal(strict.missing === true, expected === "missing");
    assert.equal(lenient.passed, expected !== "fail");
    assert.equal(strict.message, expected === "missing" ? "field 'nope' is missing" : "m");
  });
}

Deno.test("when: the decision reports the comparison that decided it", async () => {
  const failed = await decideOne({ when: { all: [PASS, FAIL, PASS] } }, ACTION);
  assert.deepEqual(
    [failed.field, failed.operator, failed.expected, failed.actual],
    ["b", "max", 1, 2],
  );
  const negated = await decideOne({ when: { not: PASS } }, ACTION);
  assert.deepEqual([negated.field, negated.operator, negated.actual], ["a", "not eq", 1]);
  const missed = await decideOne({ when: { any: [FAIL, MISS] } }, ACTION);
  assert.deepEqual([missed.field, missed.actual, missed.missing], ["nope", undefined, true]);
});

const EXPRESSIONS: [string, Result][] = [
  ["payload.amount <= 25000", "fail"],
  ["payload.amount > 25000 && method == 'POST'", "pass"],
  ["payload.supplier.tier in ['gold', 'silver']", "pass"],
  ["payload.items.all(i, i.price < 100)", "fail"],
  ["payload.items.exists(i, i.price >= 100)", "pass"],
  ["has(payload.nope)", "fail"],
  ["!has(payload.nope)", "pass"],
  ["payload.nope > 1", "missing"],
  ["headers['x-agent-id'] == 'a1'", "pass"],
  ["headers['x-nope'] == 'a1'", "missing"],
  ["query.page == '2'", "pass"],
  ["payload.amount", "fail"],
];

for (const [expr, expected] of EXPRESSIONS) {
  Deno.test(`expr: ${expr} → ${expected}`, async () => {
    const action = post("/v1/bid?page=2", {
      amount: 50000,
      supplier: { tier: "gold" },
      items: [{ price: 10 }, { price: 150 }],
    }, { "X-Agent-Id": "a1" });
    const d = await decideOne({ expr }, action);
    assert.equal(d.passed, expected === "pass");
    assert.equal(d.missing === true, expected === "missing");
    assert.equal(d.field, "expr");
    assert.equal(d.operator, "expr");
    assert.equal(d.expected, expr);
    if (expected === "missing") {
      assert.match(d.message, /^expression reads a missing field \(.*nope.*\)$/);
      assert.equal((await decideOne({ expr, on_missing: "pass" }, action)).passed, true);
    } else {
      assert.equal(d.message, "m");
      const recorded = typeof d.actual === "boolean" || d.actual === "non-boolean result (number)";
      assert.ok(recorded, JSON.stringify(d.actual));
    }
  });
}

Deno.test("expr: a non-boolean result is not recorded, so a value it read cannot leak", async () => {
  const expr = "headers['x-api-key'] == 'ok' ? true : headers['x-api-key']";
  const d = await decideOne({ expr }, post("/", {}, { "x-api-key": "sk-SECRET-1" }));
  assert.equal(d.passed, false);
  assert.equal(d.actual, "non-boolean result (string)");
});
