/**
 * One test file run in-process: each case on a fresh store and clock, steps through the CI and
 * tool paths, the first failing step ending its case, and files that cannot be loaded reported
 * with positions.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type FileResult, runTestFile } from "../../src/policy_test/run_test_file.ts";
import { coverageOf } from "../../src/policy_test/coverage.ts";
import { tempDir } from "../support/fixtures.ts";

const POLICIES = `policies:
  - name: bid_limit
    method: POST
    path: /v1/bids
    field: amount
    operator: max
    value: 100
    message: too much
  - name: two_bids_per_run
    method: POST
    path: /v1/bids
    operator: count_lte
    value: 2
    message: two bids at most
  - name: bids_per_minute
    method: POST
    path: /v1/bids
    operator: rate_lte
    value: { limit: 3, window_seconds: 60 }
    per: global
    action: flag
    message: a burst of bids
  - name: refund_cap
    tool: refund
    field: amount
    operator: lte
    value: 50
    message: refund too large
  - name: never_used
    path: /v1/other
    field: x
    operator: exists
    message: m
`;

const MOCKS = `mocks:
  - name: bid
    method: POST
    path: /v1/bids
    response: { status_code: 201, json: { ok: true } }
tools:
  - name: refund_ok
    tool: refund
    result: { text: refunded }
`;

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(dir, name), text);
  }
}

/** Runs `a.test.yaml` among `files` (the bid policies and mocks unless given). */
async function runFiles(files: Record<string, string>): Promise<FileResult> {
  await using dir = await tempDir();
  await write(dir.path, { "policies.yaml": POLICIES, "mocks.yaml": MOCKS, ...files });
  return await runTestFile(join(dir.path, "a.test.yaml"));
}

const bid = (amount: number, expect: string, extra = "") =>
  `      - ${extra}request: { method: POST, url: "http://api.test/v1/bids", json: { amount: ${amount} } }
        expect: ${expect}\n`;

Deno.test("each case starts on a fresh store: a count does not carry over between cases", async () => {
  const result = await runFiles({
    "a.test.yaml": `policies: policies.yaml
mocks: mocks.yaml
cases:
  - name: two bids, then a third
    steps:
${bid(10, "{ outcome: allowed, status: 201 }")}${bid(10, "allowed")}${
      bid(10, "{ outcome: policy_violation, policy: two_bids_per_run, status: 403 }")
    }  - name: the next case bids again
    steps:
${bid(10, "allowed")}`,
  });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.cases.map((c) => c.ok), [true, true]);
  const third = result.cases[0]?.steps[2];
  assert.deepEqual(third?.actual, {
    outcome: "policy_violation",
    policy: "two_bids_per_run",
    status: 403,
  });
  assert.equal(third?.at?.line, 10);
  assert.deepEqual(third?.response, { status: 403 });
});

Deno.test("after_seconds moves the case's clock: a rate window closes", async () => {
  const rate = `policies:
  - name: bids_per_minute
    method: POST
    path: /v1/bids
    operator: rate_lte
    value: { limit: 2, window_seconds: 60 }
    message: a burst of bids
`;
  const result = await runFiles({
    "policies.yaml": rate,
    "a.test.yaml": `policies: policies.yaml
cases:
  - name: a burst is stopped, a minute later it is not
    steps:
${bid(1, "allowed")}${bid(1, "allowed")}${bid(1, "policy_violation")}${
      bid(1, "policy_violation", "after_seconds: 59\n        ")
    }${bid(1, "allowed", "after_seconds: 1\n        ")}`,
  });
  assert.deepEqual(result.errors, []);
  const c = result.cases[0];
  assert.equal(c?.ok, true, JSON.stringify(c?.steps.map((s) => s.actual)));
  assert.equal(c?.steps.length, 5);
});

Deno.test("without a mocks file every route is declared and tools run for real", async () => {
  const result = await runFiles({
    "a.test.yaml": `policies: policies.yaml
cases:
  - name: anything is routed
    steps:
      - request: { url: "http://anywhere.test/not/declared" }
        expect: { outcome: allowed, status: 200 }
      - tool: { name: refund, args: { amount: 5 } }
        expect: allowed
      - tool: { name: refund, args: { amount: 500 } }
        expect: { outcome: policy_violation, policy: refund_cap }
`,
  });
  assert.equal(result.mocks, undefined);
  const steps = result.cases[0]?.steps ?? [];
  assert.deepEqual(steps.map((s) => s.response), [{ status: 200 }, { ran: true }, {}]);
  assert.equal(result.cases[0]?.ok, true);
});

Deno.test("with mocks, a declared tool is answered by its mock and an undeclared route is unmatched", async () => {
  const result = await runFiles({
    "a.test.yaml": `policies: policies.yaml
mocks: mocks.yaml
cases:
  - name: mocks answer
    steps:
      - tool: { name: refund, args: { amount: 5 }, call_id: c1 }
        expect: allowed
      - tool: { name: refund, args: { amount: 5 }, call_id: c1 }
        expect: allowed
      - request: { url: "http://api.test/v1/nothing" }
        expect: { outcome: unmatched_route, status: 404 }
`,
  });
  const steps = result.cases[0]?.steps ?? [];
  assert.deepEqual(steps[0]?.response, { mock: "refund_ok" });
  // The same call id with the same arguments is decided once: the first verdict, unrecorded.
  assert.equal(steps[1]?.response, undefined);
  assert.match(steps[1]?.description ?? "", /call id c1 decided before/);
  assert.equal(result.cases[0]?.ok, true);
});

Deno.test("the first failing step ends its case, with what it expected and got", async () => {
  const result = await runFiles({
    "a.test.yaml": `policies: policies.yaml
mocks: mocks.yaml
cases:
  - name: wrong expectation
    steps:
${bid(500, "allowed")}${bid(10, "allowed")}`,
  });
  const c = result.cases[0];
  assert.equal(c?.ok, false);
  assert.equal(c?.steps.length, 1);
  assert.equal(c?.not_run, 1);
  const s = c?.steps[0];
  assert.deepEqual(s?.expected, { outcome: "allowed" });
  assert.equal(s?.actual.policy, "bid_limit");
  assert.equal(s?.decisions.find((d) => !d.passed)?.actual, 500);
  assert.match(
    s?.description ?? "",
    /^#1 POST \/v1\/bids → policy_violation · bid_limit: amount max 100, got 500/,
  );
});

Deno.test("coverage counts the steps each rule applied to and failed", async () => {
  const result = await runFiles({
    "a.test.yaml": `policies: policies.yaml
cases:
  - name: one bid over the limit
    steps:
${bid(500, "policy_violation")}`,
  });
  const [c] = coverageOf([result]);
  assert.deepEqual(c?.rules.find((r) => r.name === "bid_limit"), {
    name: "bid_limit",
    action: "block",
    applied: 1,
    failed: 1,
  });
  assert.deepEqual(c?.never_applied, ["refund_cap", "never_used"]);
  assert.deepEqual(c?.never_failed, ["two_bids_per_run", "bids_per_minute"]);
});

Deno.test("a test file that cannot be run is reported with positions, its own or its files'", async (t) => {
  await using dir = await tempDir();
  await write(dir.path, {
    "bad_policies.yaml": "policies:\n  - name: x\n    fild: a\n    message: m\n",
    "a.test.yaml":
      "policies: missing.yaml\ncases:\n  - name: c\n    steps:\n      - tool: { name: t }\n        expect: allowed\n",
    "b.test.yaml":
      "policies: bad_policies.yaml\ncases:\n  - name: c\n    steps:\n      - tool: { name: t }\n        expect: allowed\n",
    "c.test.yaml": "policies: bad_policies.yaml\ncase: []\n",
  });
  await t.step("a missing policies file, at the test file's key", async () => {
    const r = await runTestFile(join(dir.path, "a.test.yaml"));
    assert.equal(r.cases.length, 0);
    assert.equal(r.errors[0]?.file, join(dir.path, "a.test.yaml"));
    assert.equal(r.errors[0]?.line, 1);
    assert.match(r.errors[0]?.message ?? "", /policies file not found: .*missing\.yaml/);
  });
  await t.step("a broken policies file, at its own lines", async () => {
    const r = await runTestFile(join(dir.path, "b.test.yaml"));
    assert.equal(r.errors[0]?.file, join(dir.path, "bad_policies.yaml"));
    assert.match(
      r.errors.map((e) => e.message).join("\n"),
      /unknown key 'fild' \(did you mean 'field'\?\)/,
    );
  });
  await t.step("a broken test file", async () => {
    const r = await runTestFile(join(dir.path, "c.test.yaml"));
    assert.deepEqual(r.errors.map((e) => [e.line, e.col, e.message]), [
      [1, 1, "missing required key 'cases'"],
      [2, 1, "unknown key 'case' (did you mean 'cases'?)"],
    ]);
  });
});
