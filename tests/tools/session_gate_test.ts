/**
 * `session()` as the tool gate in CI: tool calls are decided into the session's trace beside
 * its requests, in the tool-event shape (SPEC §5), redacted and deterministic; declared tools
 * are answered by their mocks; `assertClean()`, `outcome`, `events` and `side_effect_count`
 * cover tool calls.
 */

import assert from "node:assert/strict";
import { MirageViolationError, session, type Trace } from "@mirage/core";
import { tempDir } from "../support/fixtures.ts";
import { TOOL_POLICIES, toolMocks } from "./fixtures.ts";

const HTTP_AND_TOOLS = `${toolMocks()}mocks:
  - name: get_order
    method: GET
    path: /v1/orders/{id}
    response: { json: { id: "{{ params.id }}" } }
`;

Deno.test("session gate: tool calls are recorded beside requests, in the tool-event shape", async () => {
  await using mirage = await session({
    runId: "support",
    policies: TOOL_POLICIES,
    mocks: HTTP_AND_TOOLS,
    traces: false,
  });
  await (await mirage.fetch("http://api.test/v1/orders/7")).body?.cancel();
  const lookup = await mirage.decideTool({
    tool: "lookup_order",
    args: { order_id: "O-7" },
    callId: "c1",
  });
  const refund = await mirage.decideTool({ tool: "issue_refund", args: { amount: 900 } });
  const email = await mirage.decideTool({ tool: "send_email", args: { to: "x@else.example" } });
  const unmocked = await mirage.decideTool({ tool: "search_kb", args: { q: "refunds" } });

  assert.deepEqual(
    [lookup, refund, email, unmocked].map((v) => [v.outcome, v.allowed, v.enforced, v.event]),
    [
      ["allowed", true, true, 2],
      ["policy_violation", false, true, 3],
      ["flagged", true, true, 4],
      ["allowed", true, true, 5],
    ],
  );
  assert.deepEqual(lookup.mock, {
    name: "lookup_order",
    result: { kind: "json", json: { order_id: "O-7", status: "shipped" } },
  });
  assert.equal(refund.mock, undefined, "a blocked call is never answered by its mock");
  assert.equal(refund.policy, "refund_limit");
  assert.equal(refund.message, "Refunds above 500 need a supervisor.");
  assert.equal(email.message, "Emails outside acme.example are flagged for review.");
  assert.equal(unmocked.mock, undefined, "without a mock the real tool runs");
  assert.equal(lookup.runId, "support");

  assert.deepEqual(mirage.events.map((e) => [e.seq, e.request, e.outcome, e.response]), [
    [1, { method: "GET", path: "/v1/orders/7" }, "allowed", { status: 200 }],
    [2, { tool: "lookup_order", args: { order_id: "O-7" }, call_id: "c1" }, "allowed", {
      mock: "lookup_order",
    }],
    [3, { tool: "issue_refund", args: { amount: 900 } }, "policy_violation", {}],
    [4, { tool: "send_email", args: { to: "x@else.example" } }, "flagged", { ran: true }],
    [5, { tool: "search_kb", args: { q: "refunds" } }, "allowed", { ran: true }],
  ]);
  assert.equal(mirage.outcome, "policy_violation");
  assert.equal(mirage.trace.side_effect_count, 0);
  assert.deepEqual(mirage.trace.counts, {
    allowed: 3,
    flagged: 1,
    policy_violation: 1,
    unmatched_route: 0,
    error: 0,
  });
  assert.throws(
    () => mirage.assertClean(),
    (e) =>
      e instanceof MirageViolationError &&
      e.message.includes(
        "#3 tool issue_refund → policy_violation · refund_limit: amount max 500, got 900 — " +
          "Refunds above 500 need a supervisor.",
      ),
  );
});

Deno.test("session gate: mock results may be text or an error; a clean run passes assertClean", async () => {
  await using mirage = await session({
    policies: TOOL_POLICIES,
    mocks: toolMocks(),
    traces: false,
  });
  const refund = await mirage.decideTool({ tool: "issue_refund", args: { amount: 20 } });
  assert.deepEqual(refund.mock?.result, { kind: "text", text: "refund of 20 issued" });
  const charge = await mirage.decideTool({
    tool: "charge_card",
    args: { card: { number: "4111111111111111" } },
  });
  assert.deepEqual(charge.mock?.result, { kind: "error", error: "card declined" });
  mirage.assertClean();
  assert.equal(mirage.outcome, "allowed");
});

Deno.test("session gate: secrets in the arguments are redacted in the trace and the verdict", async () => {
  await using mirage = await session({
    policies: TOOL_POLICIES,
    mocks: toolMocks(),
    traces: false,
  });
  const v = await mirage.decideTool({
    tool: "charge_card",
    args: { card: { number: "340000000000009", exp: "12/29" } },
  });
  assert.equal(v.outcome, "policy_violation");
  const event = mirage.events[0];
  assert.deepEqual(event?.request.args, { card: { number: "[REDACTED]", exp: "12/29" } });
  assert.equal(event?.decisions[0]?.actual, "[REDACTED]");
  assert.equal(v.decisions[0]?.actual, "[REDACTED]");
  assert.ok(!JSON.stringify(mirage.trace).includes("340000000000009"));
});

Deno.test("session gate: the same calls give a byte-identical trace file", async () => {
  await using dir = await tempDir();
  async function run(): Promise<string> {
    {
      await using mirage = await session({
        runId: "tools",
        policies: TOOL_POLICIES,
        mocks: HTTP_AND_TOOLS,
        traces: dir.path,
      });
      await mirage.decideTool({ tool: "lookup_order", args: { order_id: "O-1" }, callId: "a" });
      await (await mirage.fetch("http://api.test/v1/orders/1")).body?.cancel();
      await mirage.decideTool({ tool: "issue_refund", args: { amount: 700 }, callId: "b" });
    }
    return await Deno.readTextFile(`${dir.path}/tools.json`);
  }
  const first = await run();
  assert.equal(await run(), first);
  const trace = JSON.parse(first) as Trace;
  assert.deepEqual(trace.events.map((e) => e.request.tool ?? e.request.method), [
    "lookup_order",
    "GET",
    "issue_refund",
  ]);
  assert.equal(trace.outcome, "policy_violation");
});

Deno.test("session gate: strict_tools makes an undeclared tool unmatched_route", async () => {
  await using mirage = await session({
    policies: TOOL_POLICIES,
    mocks: toolMocks(true),
    traces: false,
  });
  const v = await mirage.decideTool({ tool: "delete_account", args: { id: 1 } });
  assert.deepEqual([v.outcome, v.allowed, v.enforced], ["unmatched_route", false, true]);
  assert.equal(v.message, "no declared tool mock matches tool delete_account");
  assert.deepEqual(mirage.events[0]?.response, {});
  assert.throws(() => mirage.assertClean(), /unmatched_route/);
});

Deno.test("session gate: passthrough lets violations run and counts them as side effects", async () => {
  await using mirage = await session({
    policies: TOOL_POLICIES,
    mocks: toolMocks(true),
    mode: "passthrough",
    traces: false,
  });
  const mocked = await mirage.decideTool({ tool: "issue_refund", args: { amount: 900 } });
  const undeclared = await mirage.decideTool({ tool: "delete_account" });
  const allowed = await mirage.decideTool({ tool: "lookup_order", args: { order_id: "O-2" } });
  assert.deepEqual(
    [mocked, undeclared, allowed].map((v) => [v.outcome, v.allowed, v.enforced, v.mock?.name]),
    [
      ["policy_violation", true, false, "refund_issued"],
      ["unmatched_route", true, false, undefined],
      ["allowed", true, true, "lookup_order"],
    ],
  );
  assert.deepEqual(mirage.events.map((e) => e.response), [
    { mock: "refund_issued" },
    { ran: true },
    { mock: "lookup_order" },
  ]);
  assert.equal(mirage.trace.side_effect_count, 2);
  assert.throws(() => mirage.assertClean(), MirageViolationError);
});

Deno.test("session gate: x-mirage-run-id and runId place a call in another run; assertClean covers it", async () => {
  await using mirage = await session({
    runId: "main",
    policies: TOOL_POLICIES,
    mocks: toolMocks(),
    traces: false,
  });
  const byHeader = await mirage.decideTool({
    tool: "issue_refund",
    args: { amount: 900 },
    runId: "ignored",
    headers: { "x-mirage-run-id": "side" },
  });
  const byRunId = await mirage.decideTool({ tool: "lookup_order", runId: "other" });
  assert.deepEqual([byHeader.runId, byRunId.runId], ["side", "other"]);
  assert.equal(mirage.events.length, 0, "events lists the session's own run");
  assert.equal(mirage.outcome, "allowed");
  assert.throws(() => mirage.assertClean(), /refund_limit/);
});

Deno.test("session gate: a closed session rejects tool calls", async () => {
  const mirage = await session({
    runId: "shut",
    policies: TOOL_POLICIES,
    mocks: toolMocks(),
    traces: false,
  });
  await mirage.close();
  await assert.rejects(mirage.decideTool({ tool: "lookup_order" }), /session 'shut' is closed/);
});
