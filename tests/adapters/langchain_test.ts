/**
 * `@mirage/core/langchain` in real LangChain and LangGraph runs, driven by `fakeModel()` (no
 * network): `createAgent` with the Mirage middleware, `createAgent` with gated tools, and a
 * LangGraph `StateGraph` whose tools run in a `ToolNode` — tool mocks and the three gates.
 */

import assert from "node:assert/strict";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { RunnableLambda } from "@langchain/core/runnables";
import { fakeModel } from "@langchain/core/testing";
import { tool } from "@langchain/core/tools";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { createAgent } from "langchain";
import { z } from "zod";
import { MirageError, MirageViolationError, session, type ToolGate } from "@mirage/core";
import { mirageMiddleware, type MirageToolOptions, withMirage } from "@mirage/core/langchain";
import { adapterContract, type Turns } from "./contract.ts";
import {
  type Ledger,
  ledger,
  REFUND_LIMIT,
  supportSession,
  TOOL_POLICIES,
  toolEvents,
} from "./fixtures.ts";

function refundTool(l: Ledger) {
  return tool(l.issue_refund, {
    name: "issue_refund",
    description: "Refund an order",
    schema: z.object({ amount: z.number() }),
  });
}

/** The support agent's tools, as `tool()` of @langchain/core makes them. */
function sdkTools(l: Ledger) {
  return [
    refundTool(l),
    tool(l.send_email, {
      name: "send_email",
      description: "Email a customer",
      schema: z.object({ to: z.string(), body: z.string() }),
    }),
    tool(l.lookup_order, {
      name: "lookup_order",
      description: "Look an order up",
      schema: z.object({ order_id: z.string() }),
    }),
    tool(l.order_note, {
      name: "order_note",
      description: "Note on an order",
      schema: z.object({ order_id: z.string(), note: z.string() }),
    }),
    tool(l.charge_card, {
      name: "charge_card",
      description: "Charge a card",
      schema: z.object({ card: z.object({ number: z.string() }), amount: z.number() }),
    }),
  ];
}

/** A fake model that makes each turn's calls in turn, then answers "done". */
function scripted(turns: Turns) {
  const model = fakeModel();
  for (const calls of turns) {
    model.respondWithTools(calls.map(([name, args, id]) => ({ name, args, id })));
  }
  return model.respond(new AIMessage("done"));
}

type Model = ReturnType<typeof scripted>;

/** `[content, status]` of each tool message in the model's last input, by call id. */
function toolMessages(model: Model): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const m of model.calls.at(-1)?.messages ?? []) {
    const t = m as BaseMessage & { tool_call_id?: string; status?: string };
    if (t.getType() === "tool" && t.tool_call_id) out[t.tool_call_id] = [t.content, t.status];
  }
  return out;
}

const HUMAN = { messages: [{ role: "user", content: "help the customer" }] };

/** createAgent with the Mirage middleware. */
async function runMiddleware(gate: ToolGate, turns: Turns, options: MirageToolOptions = {}) {
  const l = ledger();
  const model = scripted(turns);
  const agent = createAgent({
    model,
    tools: sdkTools(l),
    middleware: [mirageMiddleware(gate, options)],
  });
  const result = await agent.invoke(HUMAN);
  return { ran: l.ran, told: toolMessages(model), result };
}

/** A LangGraph loop: the model node, then a ToolNode over the gated tools, until no tool call. */
function graphOf(model: Model, tools: ReturnType<typeof sdkTools>, handleToolErrors = true) {
  const bound = model.bindTools(tools);
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state) => ({ messages: [await bound.invoke(state.messages)] }))
    .addNode("tools", new ToolNode(tools, { handleToolErrors }))
    .addEdge(START, "model")
    .addConditionalEdges("model", (state) => {
      const last = state.messages.at(-1) as AIMessage;
      return last.tool_calls?.length ? "tools" : END;
    })
    .addEdge("tools", "model")
    .compile();
}

async function runGraph(gate: ToolGate, turns: Turns, options: MirageToolOptions = {}) {
  const l = ledger();
  const model = scripted(turns);
  await graphOf(model, withMirage(sdkTools(l), gate, options)).invoke(HUMAN);
  return { ran: l.ran, told: toolMessages(model) };
}

const SEAMS = [
  { seam: "createAgent + mirageMiddleware", run: runMiddleware },
  { seam: "LangGraph ToolNode + withMirage", run: runGraph },
] as const;

/** The error and its causes, outermost first. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 8; e = (e as Error).cause) chain.push(e);
  return chain;
}

for (const { seam, run } of SEAMS) {
  adapterContract({
    name: `langchain (${seam})`,
    run,
    result: (text) => [text, "success"],
    blocked: (message) => [message, "error"],
  });

  Deno.test(`langchain (${seam}): a session's json and text mocks answer instead of the tools`, async () => {
    await using mirage = await supportSession();
    const { ran, told: messages } = await run(mirage, [[
      ["lookup_order", { order_id: "O-7" }, "c1"],
      ["order_note", { order_id: "O-7", note: "late" }, "c2"],
    ]]);
    assert.deepEqual(ran, [], "no real tool ran");
    assert.deepEqual(messages, {
      c1: ['{"order_id":"O-7","status":"shipped"}', "success"],
      c2: ["note saved on O-7", "success"],
    });
    assert.deepEqual(toolEvents(mirage.events), [
      ["c1", "allowed", { mock: "order_found" }],
      ["c2", "allowed", { mock: "note_saved" }],
    ]);
  });

  Deno.test(`langchain (${seam}): a blocked call gets Mirage's message even if the tool's schema would reject it`, async () => {
    await using mirage = await supportSession();
    const { ran, told: messages } = await run(mirage, [[
      ["charge_card", { card: { number: "3400 0000" } }, "c1"], // amex, and no amount
    ]]);
    assert.deepEqual(ran, []);
    assert.deepEqual(messages.c1, ["Blocked by Mirage: Amex cards are not accepted.", "error"]);
  });
}

Deno.test("langchain (middleware): onBlock throw rejects agent.invoke with MirageViolationError", async () => {
  await using mirage = await supportSession();
  const error = await runMiddleware(mirage, [[["issue_refund", { amount: 900 }, "c1"]]], {
    onBlock: "throw",
  }).then(() => undefined, (e) => e);
  const violation = causes(error).find((e) => e instanceof MirageViolationError);
  assert.ok(violation, `not a Mirage violation: ${error}`);
  assert.deepEqual(toolEvents(mirage.events), [["c1", "policy_violation", {}]]);
});

Deno.test("langchain (middleware): an error mock fails the call as a failing tool does in createAgent", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const agent = createAgent({
    model: scripted([[["charge_card", { card: { number: "4111" }, amount: 5 }, "c1"]]]),
    tools: sdkTools(l),
    middleware: [mirageMiddleware(mirage)],
  });
  await assert.rejects(agent.invoke(HUMAN), /card declined/);
  assert.deepEqual(l.ran, []);
  assert.deepEqual(toolEvents(mirage.events), [["c1", "allowed", { mock: "card_declined" }]]);
});

Deno.test("langchain (middleware): a stopped call to a tool the agent lacks cannot be answered, so it throws", async () => {
  await using mirage = await session({
    runId: "support",
    policies: TOOL_POLICIES,
    mocks: "strict_tools: true\ntools: []\n",
    traces: false,
  });
  const error = await runMiddleware(mirage, [[["delete_account", { id: "A-1" }, "c1"]]])
    .then(() => undefined, (e) => e);
  const violation = causes(error).find((e) => e instanceof MirageViolationError);
  assert.ok(violation, `not a Mirage violation: ${error}`);
  assert.match((violation as Error).message, /unmatched_route/);
});

Deno.test("langchain (ToolNode): an error mock is the ToolNode's error message; onBlock throw needs handleToolErrors false", async () => {
  await using mirage = await supportSession();
  const { ran, told: messages } = await runGraph(mirage, [[
    ["charge_card", { card: { number: "4111" }, amount: 5 }, "c1"],
  ]]);
  assert.deepEqual(ran, []);
  assert.deepEqual(messages.c1, ["Error: card declined\n Please fix your mistakes.", "error"]);

  const l = ledger();
  const strict = withMirage(sdkTools(l), mirage, { onBlock: "throw" });
  const refund = (id: string) => [[["issue_refund", { amount: 900 }, id] as const]];
  await assert.rejects(
    graphOf(scripted(refund("c2")), strict, false).invoke(HUMAN),
    MirageViolationError,
  );
  const caught = scripted(refund("c3"));
  await graphOf(caught, strict).invoke(HUMAN);
  assert.match(
    String(toolMessages(caught).c3?.[0]),
    /^Error: run 'support' is not clean: policy_violation\n {2}#3 tool issue_refund/,
  );
  assert.deepEqual(l.ran, []);
});

Deno.test("langchain: createAgent with gated tools (no middleware) blocks the same way", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const model = scripted([[["issue_refund", { amount: 900 }, "c1"], [
    "issue_refund",
    { amount: 40 },
    "c2",
  ]]]);
  await createAgent({ model, tools: withMirage(sdkTools(l), mirage) }).invoke(HUMAN);
  assert.deepEqual(l.ran, ["issue_refund 40"]);
  assert.deepEqual(toolMessages(model), {
    c1: [REFUND_LIMIT, "error"],
    c2: ["refunded 40", "success"],
  });
});

Deno.test("langchain: the middleware over gated tools decides each call once", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const model = scripted([
    [["issue_refund", { amount: 10 }, "c1"]],
    [["issue_refund", { amount: 20 }, "c2"]],
  ]);
  await createAgent({
    model,
    tools: withMirage(sdkTools(l), mirage),
    middleware: [mirageMiddleware(mirage)],
  }).invoke(HUMAN);
  // Decided twice each, the second refund would be the fourth count and blocked (count_lte 2).
  assert.deepEqual(l.ran, ["issue_refund 10", "issue_refund 20"]);
  assert.deepEqual(toolEvents(mirage.events), [
    ["c1", "allowed", { ran: true }],
    ["c2", "allowed", { ran: true }],
  ]);
});

Deno.test("langchain: a gated tool invoked directly is gated, with plain arguments or a tool call", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const [refund] = withMirage([refundTool(l)], mirage);
  assert.equal(await refund?.invoke({ amount: 900 }), REFUND_LIMIT);
  const message = await refund?.invoke({
    type: "tool_call",
    id: "c9",
    name: "issue_refund",
    args: { amount: 30 },
  });
  assert.deepEqual([message?.content, message?.status], ["refunded 30", "success"]);
  assert.deepEqual(l.ran, ["issue_refund 30"]);
  assert.deepEqual(toolEvents(mirage.events), [
    [undefined, "policy_violation", {}],
    ["c9", "allowed", { ran: true }],
  ]);
});

Deno.test("langchain: withMirage refuses what is not a LangChain tool", async () => {
  await using mirage = await supportSession();
  const runnable = RunnableLambda.from((x: { q: string }) => x.q).asTool({
    name: "echo",
    schema: z.object({ q: z.string() }),
  });
  assert.throws(
    () => withMirage([runnable as never], mirage),
    (e) => e instanceof MirageError && e.code === "adapter_unsupported_tool",
  );
});
