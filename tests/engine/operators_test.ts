/**
 * Every stateless operator on a value that passes, one that fails, and a missing field; the
 * decision records the operator as written, the operand and the value found.
 */

import assert from "node:assert/strict";
import type { OperatorName } from "@mirage/core";
import { decideOne, post } from "./helpers.ts";

type Row = [operator: OperatorName, value: unknown, passing: unknown, failing: unknown];

const ROWS: Row[] = [
  ["eq", 5, 5, 6],
  ["eq", "a", "a", "b"],
  ["eq", { a: [1] }, { a: [1] }, { a: [2] }],
  ["neq", 5, 6, 5],
  ["in", [1, "two"], "two", 3],
  ["not_in", [1, "two"], 3, 1],
  ["lt", 10, 9, 10],
  ["lt", 10, "9.5", "abc"],
  ["lte", 10, 10, 11],
  ["max", 25000, 25000, 50000],
  ["gt", 10, 11, 10],
  ["gte", 10, 10, 9],
  ["min", 10, 10, 9.99],
  ["lt", "2026-01-01", "2025-12-31", "2026-01-01"],
  ["between", [1, 5], 1, 0],
  ["between", [1, 5], 5, 6],
  ["regex_match", "^SKU-\\d+$", "SKU-12", "sku-12"],
  ["regex_match", "^4\\d\\d$", 404, 500],
  ["not_regex_match", "^SKU-", "X-1", "SKU-1"],
  ["contains", "needle", "hay needle stack", "haystack"],
  ["contains", "b", ["a", "b"], ["a", "bc"]],
  ["not_contains", "x", "abc", "xyz"],
  ["not_contains", 2, 13, 12],
  ["starts_with", "ab", "abc", "cab"],
  ["not_starts_with", "ab", "cab", "abc"],
  ["ends_with", ".pdf", "a.pdf", "a.exe"],
  ["not_ends_with", ".exe", "a.pdf", "a.exe"],
  ["length_lte", 3, "abc", "abcd"],
  ["length_lte", 2, { a: 1, b: 2 }, [1, 2, 3]],
  ["length_gte", 2, [1, 2], [1]],
  ["length_gte", 1, "x", 5],
  ["host_in", ["api.acme.com", "*.trusted.io"], "https://api.acme.com/x", "https://evil.com/"],
  ["host_in", ["api.acme.com", "*.trusted.io"], "a.b.trusted.io:8443", "trusted.io"],
  ["host_in", ["api.acme.com"], "API.ACME.COM.", "api.acme.com.evil.com"],
  ["host_not_in", ["evil.com", "*.evil.com"], "good.com", "https://x.EVIL.com./path"],
  ["host_not_in", ["evil.com"], "https://evil.com.good.org", "http://evil.com:80"],
  ["cidr_in", ["10.0.0.0/8"], "10.1.2.3", "11.0.0.1"],
  ["cidr_in", ["192.168.1.0/25"], "192.168.1.127", "192.168.1.128"],
  ["cidr_in", ["fd00::/8"], "fd12:3456::1", "fe80::1"],
  ["cidr_in", ["2001:db8::/32"], "[2001:db8::1]", "2001:db9::1"],
  ["cidr_in", ["10.0.0.0/8"], "::ffff:10.0.0.1", "::ffff:11.0.0.1"],
  ["cidr_in", ["::ffff:10.0.0.0/104"], "10.2.3.4", "11.0.0.1"],
  ["cidr_not_in", ["10.0.0.0/8", "::1"], "8.8.8.8", "::1"],
  ["cidr_not_in", ["10.0.0.0/8"], "2001:db8::1", "::ffff:10.9.9.9"],
  ["cidr_not_in", ["::ffff:10.0.0.0/104"], "11.0.0.1", "10.0.0.1"],
];

for (const [operator, value, passing, failing] of ROWS) {
  Deno.test(`${operator} ${JSON.stringify(value)}: pass, fail, missing`, async () => {
    const fields = { field: "v", operator, value };
    const base = { policy: "r", action: "block", field: "v", operator, expected: value };
    assert.deepEqual(await decideOne(fields, post("/", { v: passing })), {
      ...base,
      passed: true,
      actual: passing,
      message: "m",
    });
    assert.deepEqual(await decideOne(fields, post("/", { v: failing })), {
      ...base,
      passed: false,
      actual: failing,
      message: "m",
    });
    assert.deepEqual(await decideOne(fields, post("/", { other: passing })), {
      ...base,
      passed: false,
      missing: true,
      message: "field 'v' is missing",
    });
    assert.deepEqual(
      await decideOne({ ...fields, on_missing: "pass" }, post("/", { other: passing })),
      { ...base, passed: true, missing: true, message: "m" },
    );
  });
}

Deno.test("a value of the wrong type fails an operator and its negation alike", async () => {
  const cases: [OperatorName, unknown, unknown][] = [
    ["lt", 10, "abc"],
    ["gte", 10, "abc"],
    ["lte", 10, null],
    ["between", [1, 5], true],
    ["length_lte", 3, 7],
    ["length_gte", 0, null],
    ["host_in", ["a.test"], 42],
    ["host_not_in", ["a.test"], 42],
    ["host_not_in", ["a.test"], ""],
    ["cidr_in", ["0.0.0.0/0"], "localhost"],
    ["cidr_not_in", ["10.0.0.0/8"], "localhost"],
    ["cidr_not_in", ["10.0.0.0/8"], "10.0.0.256"],
  ];
  for (const [operator, value, actual] of cases) {
    const d = await decideOne({ field: "v", operator, value }, post("/", { v: actual }));
    assert.equal(d.passed, false, `${operator} ${JSON.stringify(actual)}`);
  }
});

Deno.test("eq compares a JSON number with a value written as text, both ways", async () => {
  const a = post("/", { n: 5, flag: true });
  assert.equal((await decideOne({ field: "n", operator: "eq", value: "5" }, a)).passed, true);
  assert.equal((await decideOne({ field: "flag", operator: "eq", value: "true" }, a)).passed, true);
  assert.equal((await decideOne({ field: "n", operator: "in", value: ["5"] }, a)).passed, true);
  assert.equal((await decideOne({ field: "n", operator: "eq", value: "6" }, a)).passed, false);
});

Deno.test("eq and in compare query and header text with numbers and booleans", async () => {
  const a = post("/?n=5&ok=true", undefined, { "x-count": "3" });
  assert.equal((await decideOne({ field: "query.n", operator: "eq", value: 5 }, a)).passed, true);
  assert.equal(
    (await decideOne({ field: "query.ok", operator: "eq", value: true }, a)).passed,
    true,
  );
  assert.equal(
    (await decideOne({ field: "headers.x-count", operator: "in", value: [1, 3] }, a)).passed,
    true,
  );
  assert.equal(
    (await decideOne({ field: "headers.x-count", operator: "gt", value: 2 }, a)).passed,
    true,
  );
  assert.equal(
    (await decideOne({ field: "query.n", operator: "eq", value: "6" }, a)).passed,
    false,
  );
});

Deno.test("exists and not_exists read absence as their answer, not as missing", async () => {
  const present = post("/", { v: null, list: [] });
  const absent = post("/", {});
  const cases: [OperatorName, string, boolean, boolean][] = [
    ["exists", "v", true, false],
    ["not_exists", "v", false, true],
    ["exists", "list[*]", false, false],
    ["not_exists", "list[*]", true, true],
  ];
  for (const [operator, field, whenPresent, whenAbsent] of cases) {
    const onPresent = await decideOne({ field, operator }, present);
    const onAbsent = await decideOne({ field, operator }, absent);
    assert.equal(onPresent.passed, whenPresent, `${operator} ${field} on present`);
    assert.equal(onAbsent.passed, whenAbsent, `${operator} ${field} on absent`);
    assert.equal(onAbsent.missing, undefined);
    assert.equal(onAbsent.message, "m");
  }
  const d = await decideOne({ field: "v", operator: "not_exists" }, present);
  assert.deepEqual(d, {
    policy: "r",
    passed: false,
    action: "block",
    field: "v",
    operator: "not_exists",
    actual: null,
    message: "m",
  });
});

Deno.test("a failing flag rule records action flag", async () => {
  const d = await decideOne(
    { field: "v", operator: "max", value: 1, action: "flag", message: "big" },
    post("/", { v: 2 }),
  );
  assert.equal(d.action, "flag");
  assert.equal(d.passed, false);
  assert.equal(d.message, "big");
});

Deno.test("regex_match answers alike on short and long texts (two engines, one meaning)", async () => {
  const patterns = [
    "^SKU-[0-9]{4}$",
    "[0-9]{3}-[0-9]{2}-[0-9]{4}",
    "(?i)^secret",
    "a|^b$",
    "^$",
    "x$",
    "\\Aab",
    "(?m)^line$",
  ];
  const texts = [
    "SKU-1234",
    "SKU-12345",
    "my ssn 123-45-6789",
    "SECRET x",
    "b",
    "",
    "ax",
    "ab",
    "a\nline\nz",
  ];
  for (const pattern of patterns) {
    for (const t of texts) {
      const padded = `${t}${"\u0000".repeat(200)}`;
      for (const value of [t, padded]) {
        const expected = new RegExp(
          pattern.replace("(?i)", "").replace("(?m)", "").replace("\\A", "^"),
          (pattern.includes("(?i)") ? "i" : "") + (pattern.includes("(?m)") ? "m" : ""),
        ).test(value);
        const d = await decideOne(
          { field: "v", operator: "regex_match", value: pattern },
          post("/", { v: value }),
        );
        assert.equal(d.passed, expected, `${pattern} on ${JSON.stringify(value).slice(0, 30)}`);
      }
    }
  }
});
