/**
 * `guard()`: the in-process production gate. No mocks; state in the given store (rate windows
 * on the given clock); traces only when asked; an evaluation that fails blocks in `enforce` and
 * is allowed but recorded as `error` in `passthrough`; disposing closes the store.
 */

import assert from "node:assert/strict";
import { ConfigError, guard, MemoryStateStore, readTrace } from "@mirage/core";
import { verifyAudit } from "@mirage/core/audit";
import { redisStore } from "../../src/state/redis_store.ts";
import { storeStatus } from "../../src/state/state_store.ts";
import { tempDir } from "../support/fixtures.ts";
import { TOOL_POLICIES } from "./fixtures.ts";

/** A real Redis store with nothing listening: every call fails within its bound. */
function unreachableStore() {
  return redisStore("redis://127.0.0.1:1", { timeoutMs: 200 });
}

Deno.test("guard: decides with the policies alone, never with mocks", async () => {
  await using gate = await guard({ policies: TOOL_POLICIES, runId: "prod" });
  const ok = await gate.decideTool({ tool: "issue_refund", args: { amount: 20 } });
  const big = await gate.decideTool({ tool: "issue_refund", args: { amount: 900 } });
  const flagged = await gate.decideTool({ tool: "send_email", args: { to: "a@b.example" } });
  assert.deepEqual(
    [ok, big, flagged].map((v) => [v.outcome, v.allowed, v.enforced, v.event, v.mock]),
    [
      ["allowed", true, true, 1, undefined],
      ["policy_violation", false, true, 2, undefined],
      ["flagged", true, true, 3, undefined],
    ],
  );
  assert.equal(big.message, "Refunds above 500 need a supervisor.");
  assert.equal(gate.runId, "prod");
  assert.equal(gate.mode, "enforce");
});

Deno.test("guard: passthrough allows a violation and says it was not enforced", async () => {
  await using gate = await guard({ policies: TOOL_POLICIES, mode: "passthrough" });
  const v = await gate.decideTool({ tool: "issue_refund", args: { amount: 900 } });
  assert.deepEqual([v.outcome, v.allowed, v.enforced, v.policy], [
    "policy_violation",
    true,
    false,
    "refund_limit",
  ]);
});

Deno.test("guard: rate_lte windows follow the injected clock", async () => {
  let now = 0;
  await using gate = await guard({
    policies: `policies:
  - name: lookups_per_10s
    tool: lookup_order
    operator: rate_lte
    value: { limit: 2, window_seconds: 10 }
    message: Two lookups per 10 seconds.
`,
    clock: () => now,
  });
  const outcomes: string[] = [];
  for (const t of [0, 1000, 2000, 10_500, 10_900]) {
    now = t;
    outcomes.push((await gate.decideTool({ tool: "lookup_order" })).outcome);
  }
  assert.deepEqual(outcomes, [
    "allowed",
    "allowed",
    "policy_violation",
    "allowed", // the hit at 0 left the window
    "policy_violation", // 1000 and 10500 are still in it
  ]);
});

Deno.test("guard: traces are off by default, and written when asked", async () => {
  await using dir = await tempDir();
  {
    await using gate = await guard({ policies: TOOL_POLICIES, traces: dir.path, runId: "g" });
    await gate.decideTool({ tool: "issue_refund", args: { amount: 900 }, callId: "call_9" });
  }
  const trace = await readTrace(dir.path, "g");
  assert.equal(trace?.mode, "enforce");
  assert.deepEqual(trace?.events.map((e) => [e.request, e.outcome, e.response]), [
    [{ tool: "issue_refund", args: { amount: 900 }, call_id: "call_9" }, "policy_violation", {}],
  ]);
  await using empty = await tempDir();
  {
    await using gate = await guard({ policies: TOOL_POLICIES, runId: "g" });
    await gate.decideTool({ tool: "issue_refund", args: { amount: 900 } });
  }
  assert.deepEqual([...Deno.readDirSync(empty.path)], []);
});

Deno.test("guard: a store that fails blocks in enforce, and is recorded as an error", async () => {
  await using dir = await tempDir();
  const store = unreachableStore();
  {
    await using gate = await guard({
      policies: TOOL_POLICIES,
      store,
      traces: dir.path,
      runId: "down",
    });
    const v = await gate.decideTool({ tool: "issue_refund", args: { amount: 20 } });
    assert.deepEqual([v.outcome, v.allowed, v.enforced, v.event], ["error", false, true, 1]);
    assert.match(v.message, /^evaluation failed: .*redis:\/\/127\.0\.0\.1:1/);
    const stateless = await gate.decideTool({ tool: "send_email", args: { to: "a@acme.example" } });
    assert.equal(stateless.outcome, "allowed", "rules without state need no store");
  }
  assert.equal(storeStatus(store).status, "closed", "disposing the gate closes its store");
  const trace = await readTrace(dir.path, "down");
  assert.equal(trace?.outcome, "error");
  assert.deepEqual(trace?.events[0]?.response, {});
  assert.match(trace?.events[0]?.error ?? "", /^evaluation failed: .*redis:\/\/127\.0\.0\.1:1/);
});

Deno.test("guard: a store that fails is allowed in passthrough, as an error not enforced", async () => {
  await using gate = await guard({
    policies: TOOL_POLICIES,
    store: unreachableStore(),
    mode: "passthrough",
  });
  const v = await gate.decideTool({ tool: "issue_refund", args: { amount: 20 } });
  assert.deepEqual([v.outcome, v.allowed, v.enforced], ["error", true, false]);
});

Deno.test("guard: a wrong policy file is a ConfigError; a closed gate rejects calls", async () => {
  await assert.rejects(
    guard({ policies: "policies:\n  - name: x\n    tool: t\n    fild: a\n    message: m\n" }),
    (e) => e instanceof ConfigError && /unknown key 'fild'/.test(e.message),
  );
  const store = new MemoryStateStore();
  const gate = await guard({ policies: TOOL_POLICIES, store, runId: "shut" });
  await gate.close();
  await gate.close();
  await assert.rejects(gate.decideTool({ tool: "lookup_order" }), /guard 'shut' is closed/);
});

Deno.test("guard: with audit, every decision is a chained entry that verifies", async () => {
  await using dir = await tempDir();
  {
    await using gate = await guard({
      policies: TOOL_POLICIES,
      runId: "audited",
      audit: { dir: dir.path },
    });
    await gate.decideTool({ tool: "issue_refund", args: { amount: 20 } });
    await gate.decideTool({ tool: "issue_refund", args: { amount: 900 } });
  }
  const report = await verifyAudit(dir.path);
  assert.equal(report.ok, true);
  const lines = [...Deno.readDirSync(dir.path)].flatMap((e) =>
    Deno.readTextFileSync(`${dir.path}/${e.name}`).trim().split("\n").map((l) => JSON.parse(l))
  );
  const decisions = lines.filter((e) => e.kind === "decision");
  assert.deepEqual(decisions.map((e) => [e.action, e.outcome, e.run_id]), [
    ["tool issue_refund", "allowed", "audited"],
    ["tool issue_refund", "policy_violation", "audited"],
  ]);
  assert.equal(lines[0]?.surface, "guard");
});
