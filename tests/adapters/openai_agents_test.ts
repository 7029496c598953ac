/**
 * `@mirage/core/openai-agents` in real OpenAI Agents SDK runs, driven by the SDK's own
 * ScriptedModel (no network): the Runner's guardrail path, the gated `invoke`, the double
 * guardrail of `preApprovalInputGuardrails`, tool mocks, and the three gates.
 */

import assert from "node:assert/strict";
import { Agent, RunContext, Runner, setTracingDisabled, tool, webSearchTool } from "@openai/agents";
import { assistantMessage, functionCall, ScriptedModel } from "@openai/agents/testing";
import { z } from "zod";
import { MirageError, MirageViolationError, type ToolGate } from "@mirage/core";
import { mirageGuardrail, type MirageToolOptions, withMirage } from "@mirage/core/openai-agents";
import { adapterContract, type Turns } from "./contract.ts";
import { type Ledger, ledger, REFUND_LIMIT, supportSession, toolEvents } from "./fixtures.ts";

setTracingDisabled(true);

/** The support agent's tools, as the SDK's `tool()` makes them. */
function sdkTools(l: Ledger, refundNeedsApproval = false) {
  return [
    tool({
      name: "issue_refund",
      description: "Refund an order",
      parameters: z.object({ amount: z.number() }),
      needsApproval: refundNeedsApproval,
      execute: l.issue_refund,
    }),
    tool({
      name: "send_email",
      description: "Email a customer",
      parameters: z.object({ to: z.string(), body: z.string() }),
      execute: l.send_email,
    }),
    tool({
      name: "lookup_order",
      description: "Look an order up",
      parameters: z.object({ order_id: z.string() }),
      execute: l.lookup_order,
    }),
    tool({
      name: "order_note",
      description: "Note on an order",
      parameters: z.object({ order_id: z.string(), note: z.string() }),
      execute: l.order_note,
    }),
    tool({
      name: "charge_card",
      description: "Charge a card",
      parameters: z.object({ card: z.object({ number: z.string() }), amount: z.number() }),
      execute: l.charge_card,
    }),
  ];
}

/** A model that makes each turn's calls in turn, then answers "done". */
function scripted(turns: Turns): ScriptedModel {
  return new ScriptedModel([
    ...turns.map((calls) =>
      calls.map(([name, args, id]) => functionCall(name, args, { callId: id }))
    ),
    [assistantMessage("done")],
  ]);
}

/** What the model was given as each call's output, in its last request. */
function toolOutputs(model: ScriptedModel): Record<string, string> {
  const input = model.lastCall?.request.input;
  const out: Record<string, string> = {};
  for (const item of Array.isArray(input) ? input : []) {
    const i = item as { type?: string; callId?: string; output?: string | { text?: string } };
    if (i.type !== "function_call_result" || i.callId === undefined) continue;
    out[i.callId] = typeof i.output === "string" ? i.output : String(i.output?.text);
  }
  return out;
}

async function runAgent(gate: ToolGate, turns: Turns, options: MirageToolOptions = {}) {
  const l = ledger();
  const model = scripted(turns);
  const agent = new Agent({
    name: "support",
    model,
    tools: withMirage(sdkTools(l), gate, options),
  });
  const result = await new Runner().run(agent, "help the customer");
  return { ran: l.ran, told: toolOutputs(model), result, model };
}

adapterContract({
  name: "openai-agents",
  run: runAgent,
  result: (text) => text,
  blocked: (message) => message,
});

Deno.test("openai-agents: the Runner's guardrail is what rejects, before the tool starts", async () => {
  await using mirage = await supportSession();
  const { result, model } = await runAgent(mirage, [
    [["issue_refund", { amount: 20 }, "c1"]],
    [["issue_refund", { amount: 900 }, "c2"]],
  ]);
  assert.equal(result.finalOutput, "done");
  model.assertComplete();
  assert.deepEqual(result.toolInputGuardrailResults.map((r) => r.output.behavior), [
    { type: "allow" },
    { type: "rejectContent", message: REFUND_LIMIT },
  ]);
});

Deno.test("openai-agents: onBlock throw rejects the run with MirageViolationError, nothing ran", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const agent = new Agent({
    name: "support",
    model: scripted([[["issue_refund", { amount: 900 }, "c1"]]]),
    tools: withMirage(sdkTools(l), mirage, { onBlock: "throw" }),
  });
  const error = await new Runner().run(agent, "refund").then(() => undefined, (e) => e);
  assert.equal(error?.constructor?.name, "ToolCallError");
  assert.ok(error.error instanceof MirageViolationError, String(error));
  assert.match(error.error.message, /#1 tool issue_refund → policy_violation · refund_limit: /);
  assert.deepEqual(l.ran, []);
  assert.deepEqual(toolEvents(mirage.events), [["c1", "policy_violation", {}]]);
});

Deno.test("openai-agents: a session's tool mocks answer instead of the tools (json, text, error)", async () => {
  await using mirage = await supportSession();
  const { ran, told: outputs } = await runAgent(mirage, [[
    ["lookup_order", { order_id: "O-7" }, "c1"],
    ["order_note", { order_id: "O-7", note: "late" }, "c2"],
    ["charge_card", { card: { number: "4111" }, amount: 5 }, "c3"],
  ]]);
  assert.deepEqual(ran, [], "no real tool ran");
  assert.deepEqual(JSON.parse(outputs.c1 ?? ""), { order_id: "O-7", status: "shipped" });
  assert.equal(outputs.c2, "note saved on O-7");
  assert.equal(outputs.c3, "card declined");
  assert.deepEqual(toolEvents(mirage.events), [
    ["c1", "allowed", { mock: "order_found" }],
    ["c2", "allowed", { mock: "note_saved" }],
    ["c3", "allowed", { mock: "card_declined" }],
  ]);
});

Deno.test("openai-agents: an error mock goes through the errorFunction a tool exposes", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const charge = tool({
    name: "charge_card",
    description: "Charge a card",
    parameters: z.object({ card: z.object({ number: z.string() }), amount: z.number() }),
    outputSchema: z.object({ ok: z.boolean(), reason: z.string() }),
    errorFunction: (_context, error) => ({ ok: false, reason: (error as Error).message }),
    execute: async (a) => (await l.charge_card(a), { ok: true, reason: "" }),
  });
  const model = scripted([[["charge_card", { card: { number: "4111" }, amount: 5 }, "c1"]]]);
  await new Runner().run(
    new Agent({ name: "support", model, tools: withMirage([charge], mirage) }),
    "charge",
  );
  assert.deepEqual(l.ran, []);
  assert.deepEqual(JSON.parse(toolOutputs(model).c1 ?? ""), { ok: false, reason: "card declined" });
});

Deno.test("openai-agents: preApprovalInputGuardrails runs the guardrail twice; the call counts once", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const model = scripted([
    [["issue_refund", { amount: 10 }, "c1"]],
    [["issue_refund", { amount: 20 }, "c2"]],
  ]);
  const agent = new Agent({ name: "support", model, tools: withMirage(sdkTools(l, true), mirage) });
  const runner = new Runner({ toolExecution: { preApprovalInputGuardrails: true } });
  let result = await runner.run(agent, "refund twice");
  let approvals = 0;
  while (result.interruptions.length > 0) {
    for (const i of result.interruptions) result.state.approve(i), approvals++;
    result = await runner.run(agent, result.state);
  }
  assert.equal(approvals, 2);
  // Counted twice, the second refund would be the third count and blocked (count_lte 2).
  assert.deepEqual(l.ran, ["issue_refund 10", "issue_refund 20"]);
  assert.deepEqual(toolOutputs(model), { c1: "refunded 10", c2: "refunded 20" });
  assert.deepEqual(toolEvents(mirage.events), [
    ["c1", "allowed", { ran: true }],
    ["c2", "allowed", { ran: true }],
  ]);
});

Deno.test("openai-agents: a direct invoke skips guardrails and is gated all the same", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const [refund] = withMirage(sdkTools(l), mirage);
  const context = new RunContext();
  assert.equal(await refund?.invoke(context, '{"amount":900}'), REFUND_LIMIT);
  assert.equal(await refund?.invoke(context, '{"amount":30}'), "refunded 30");
  assert.deepEqual(l.ran, ["issue_refund 30"]);
  assert.deepEqual(mirage.events.map((e) => e.outcome), ["policy_violation", "allowed"]);
});

Deno.test("openai-agents: arguments that are not JSON never run: the SDK answers first, invoke blocks", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const model = new ScriptedModel([
    [functionCall("issue_refund", "{amount: 20", { callId: "c1" })],
    [assistantMessage("done")],
  ]);
  const agent = new Agent({ name: "support", model, tools: withMirage(sdkTools(l), mirage) });
  await new Runner().run(agent, "refund");
  assert.deepEqual(toolOutputs(model), {
    c1: "An error occurred while parsing tool arguments. Please try again with valid JSON.",
  });
  const [refund] = withMirage(sdkTools(l), mirage);
  assert.equal(
    await refund?.invoke(new RunContext(), "{amount"),
    "Blocked by Mirage: its arguments are not valid JSON",
  );
  assert.deepEqual(l.ran, []);
  assert.deepEqual(mirage.events, [], "a call Mirage could not read was not decided");
});

Deno.test("openai-agents: mirageGuardrail alone gates a tool, and refuses a call only a mock should answer", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const tools = sdkTools(l).map((t) => ({ ...t, inputGuardrails: [mirageGuardrail(mirage)] }));
  const model = scripted([[
    ["issue_refund", { amount: 900 }, "c1"],
    ["issue_refund", { amount: 40 }, "c2"],
    ["lookup_order", { order_id: "O-7" }, "c3"],
  ]]);
  await new Runner().run(new Agent({ name: "support", model, tools }), "help");
  assert.deepEqual(l.ran, ["issue_refund 40"], "the mocked lookup did not run for real");
  assert.deepEqual(toolOutputs(model), {
    c1: REFUND_LIMIT,
    c2: "refunded 40",
    c3: "Blocked by Mirage: a tool mock answers lookup_order in this run, and this seam cannot " +
      "answer with it: wrap the tools with withMirage()",
  });
});

Deno.test("openai-agents: withMirage refuses a tool it cannot gate", async () => {
  await using mirage = await supportSession();
  assert.throws(
    () => withMirage([webSearchTool() as never], mirage),
    (e) => e instanceof MirageError && e.code === "adapter_unsupported_tool",
  );
});
