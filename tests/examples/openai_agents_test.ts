/**
 * The test to copy: an OpenAI Agents SDK agent whose tools are gated by Mirage. In CI the agent
 * runs against `session()`: declared tool mocks answer instead of the real tools, a call a rule
 * forbids never runs, the model is told why, and `assertClean()` fails the test. In production
 * the same tools go through `guard()` (or `remoteGate()` beside a `mirage gateway`).
 *
 * The model here is the SDK's ScriptedModel, so the test needs no network; swap in your real
 * model and prompt, and keep the assertions.
 */

import assert from "node:assert/strict";
import { Agent, run, setTracingDisabled, tool } from "@openai/agents";
import { assistantMessage, functionCall, ScriptedModel } from "@openai/agents/testing";
import { z } from "zod";
import { guard, MirageViolationError, session, type ToolGate } from "@mirage/core";
import { withMirage } from "@mirage/core/openai-agents";

setTracingDisabled(true);

const POLICIES = new URL("../../scenarios/support_refunds/policies.yaml", import.meta.url);
const MOCKS = new URL("../../scenarios/support_refunds/mocks.yaml", import.meta.url);

/** The agent's real tools, noting what they did. */
function supportTools(done: string[]) {
  return [
    tool({
      name: "issue_store_credit",
      description: "Give a customer store credit",
      parameters: z.object({ customer_id: z.string(), credit: z.number() }),
      execute: ({ customer_id, credit }) => (done.push(`credit ${credit}`), `SC-${customer_id}`),
    }),
    tool({
      name: "send_email",
      description: "Email a customer",
      parameters: z.object({ to: z.string(), body: z.string(), internal_notes: z.string() }),
      execute: ({ to }) => (done.push(`email ${to}`), "sent"),
    }),
  ];
}

/** The agent under test: two store credits and an email that leaks internal notes. */
async function supportAgent(gate: ToolGate, done: string[]) {
  const model = new ScriptedModel([
    [functionCall("issue_store_credit", { customer_id: "C-42", credit: 50 }, { callId: "c1" })],
    [functionCall("issue_store_credit", { customer_id: "C-42", credit: 500 }, { callId: "c2" })],
    [functionCall("send_email", {
      to: "jo@example.com",
      body: "Your credit is on its way.",
      internal_notes: "customer threatened to churn",
    }, { callId: "c3" })],
    [assistantMessage("All done.")],
  ]);
  const agent = new Agent({
    name: "support",
    instructions: "Help the customer.",
    model,
    tools: withMirage(supportTools(done), gate),
  });
  const result = await run(agent, "My order arrived broken.");
  // What the model was told about each call, in its last request.
  const told = (model.lastCall?.request.input as { type?: string; output?: { text?: string } }[])
    .filter((item) => item.type === "function_call_result")
    .map((item) => item.output?.text);
  return { result, told };
}

Deno.test("OpenAI Agents + session(): mocks answer, violations never run, assertClean fails", async () => {
  await using mirage = await session({
    runId: "support-ci",
    policies: POLICIES,
    mocks: MOCKS,
    traces: false, // or a directory: the trace holds the tool calls
  });
  const done: string[] = [];

  const { result, told } = await supportAgent(mirage, done);

  assert.equal(result.finalOutput, "All done.");
  assert.deepEqual(told, [
    '{"credit_id":"SC-C-42","credit":50,"status":"issued"}', // the tool mock's answer
    "Blocked by Mirage: Store credit is between 1 and 200.",
    "Blocked by Mirage: Internal notes stay internal.",
  ]);
  assert.deepEqual(done, [], "no real tool ran in CI");
  assert.deepEqual(mirage.events.map((e) => [e.request.tool, e.outcome]), [
    ["issue_store_credit", "allowed"],
    ["issue_store_credit", "policy_violation"],
    ["send_email", "policy_violation"],
  ]);
  assert.throws(() => mirage.assertClean(), MirageViolationError);
});

Deno.test("OpenAI Agents + guard(): in production the allowed call runs for real", async () => {
  await using gate = await guard({ policies: POLICIES, runId: "support-prod" });
  const done: string[] = [];

  const { told } = await supportAgent(gate, done);

  assert.deepEqual(told, [
    "SC-C-42",
    "Blocked by Mirage: Store credit is between 1 and 200.",
    "Blocked by Mirage: Internal notes stay internal.",
  ]);
  assert.deepEqual(done, ["credit 50"], "only the allowed call ran");
});
