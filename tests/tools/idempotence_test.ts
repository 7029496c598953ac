/**
 * A call id makes a decision idempotent: the same call decided twice (OpenAI Agents does with
 * `preApprovalInputGuardrails`) is recorded once and takes state once; a call id sent again
 * with other arguments is another call, decided on its own; memory stays bounded.
 */

import assert from "node:assert/strict";
import { guard, readTrace, remoteGate, session, type ToolGate } from "@mirage/core";
import { CallMemory } from "../../src/tools/call_memory.ts";
import { TOOL_POLICIES, toolMocks } from "./fixtures.ts";
import { startGateway } from "./servers.ts";

/** Decides one refund twice at once and once more in sequence, then a changed one. */
async function twice(gate: ToolGate) {
  const call = { tool: "issue_refund", args: { amount: 20 }, callId: "call_1", runId: "idem" };
  const [a, b] = await Promise.all([gate.decideTool(call), gate.decideTool(call)]);
  const c = await gate.decideTool(call);
  // Same id, other arguments: decided on its own, never given the allow of the first.
  const changed = await gate.decideTool({ ...call, args: { amount: 900 } });
  const next = await gate.decideTool({ ...call, callId: "call_2" });
  return { a, b, c, changed, next };
}

function assertIdempotent(r: Awaited<ReturnType<typeof twice>>) {
  assert.deepEqual([r.a.event, r.b.event, r.c.event], [1, 1, 1]);
  assert.deepEqual(r.b, r.a);
  assert.deepEqual(r.c, r.a);
  assert.deepEqual([r.changed.outcome, r.changed.policy, r.changed.event], [
    "policy_violation",
    "refund_limit",
    2,
  ]);
  const count = (v: typeof r.a) => v.decisions.find((d) => d.policy === "refunds_per_run")?.actual;
  assert.equal(count(r.a), 1);
  assert.equal(count(r.next), 2, "the first call was counted once");
  assert.equal(r.next.event, 3);
}

Deno.test("idempotence: session", async () => {
  await using mirage = await session({
    policies: TOOL_POLICIES,
    mocks: toolMocks(),
    traces: false,
  });
  assertIdempotent(await twice(mirage));
});

Deno.test("idempotence: guard", async () => {
  await using gate = await guard({ policies: TOOL_POLICIES });
  assertIdempotent(await twice(gate));
});

Deno.test("idempotence: remoteGate, remembered by the gateway", async () => {
  await using gw = await startGateway(TOOL_POLICIES);
  assertIdempotent(await twice(remoteGate(gw.url)));
  const trace = await readTrace(gw.traces, "idem");
  assert.deepEqual(trace?.events.map((e) => e.request.call_id), ["call_1", "call_1", "call_2"]);
});

Deno.test("call memory: least recently used ids are forgotten per run, and runs too", async () => {
  const memory = new CallMemory<string>({ callsPerRun: 2, runs: 2 });
  let decided = 0;
  const decide = () => Promise.resolve(`v${++decided}`);
  const ask = (run: string, call: string) => memory.remember(run, call, "f", decide);
  assert.equal(await ask("r1", "a"), "v1");
  assert.equal(await ask("r1", "b"), "v2");
  assert.equal(await ask("r1", "a"), "v1", "a is remembered and now the most recent");
  assert.equal(await ask("r1", "c"), "v3", "b is forgotten");
  assert.equal(await ask("r1", "b"), "v4");
  assert.equal(await ask("r1", "b"), "v4");
  assert.equal(await ask("r2", "a"), "v5", "runs are apart");
  assert.equal(await ask("r3", "a"), "v6");
  assert.equal(await ask("r1", "b"), "v7", "r1 was the least recently used run");
  assert.equal(await memory.remember("r1", undefined, "f", decide), "v8");
  assert.equal(await memory.remember("r1", undefined, "f", decide), "v9", "no id, no memory");
});

Deno.test("call memory: a decision that rejects is forgotten", async () => {
  const memory = new CallMemory<string>();
  await assert.rejects(
    memory.remember("r", "a", "f", () => Promise.reject(new Error("trace write failed"))),
  );
  assert.equal(await memory.remember("r", "a", "f", () => Promise.resolve("ok")), "ok");
});
