/**
 * `@mirage/core/ai-sdk` in real AI SDK loops, driven by the SDK's own mock models (no network),
 * on every version: `ai` 7 with MockLanguageModelV4 and V3, `ai` 6 with V3, `ai` 5 with V2. The
 * gated `execute` everywhere; the v7 `toolApproval` function; tool mocks; the three gates.
 */

import assert from "node:assert/strict";
import { generateText as generateText7, stepCountIs as stepCountIs7, tool as tool7 } from "ai";
import { MockLanguageModelV3 as MockV3For7, MockLanguageModelV4 } from "ai/test";
import { generateText as generateText6, stepCountIs as stepCountIs6, tool as tool6 } from "ai-v6";
import { MockLanguageModelV3 as MockV3For6 } from "ai-v6/test";
import { generateText as generateText5, stepCountIs as stepCountIs5, tool as tool5 } from "ai-v5";
import { MockLanguageModelV2 } from "ai-v5/test";
import { z } from "zod";
import { MirageViolationError, type ToolGate } from "@mirage/core";
import { mirageToolApproval, type MirageToolOptions, withMirage } from "@mirage/core/ai-sdk";
import { adapterContract, type Turns } from "./contract.ts";
import { type Ledger, ledger, REFUND_LIMIT, supportSession, toolEvents } from "./fixtures.ts";

const USAGE_V3 = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};
const USAGE_V2 = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };

/** The model's answers, turn by turn, in a model spec's shape; then "done". */
function results(turns: Turns, spec: "v2" | "v3") {
  const finish = (reason: "tool-calls" | "stop") =>
    spec === "v2" ? reason : { unified: reason, raw: undefined };
  const usage = spec === "v2" ? USAGE_V2 : USAGE_V3;
  return [
    ...turns.map((calls) => ({
      content: calls.map(([toolName, args, toolCallId]) => ({
        type: "tool-call",
        toolCallId,
        toolName,
        input: JSON.stringify(args),
      })),
      finishReason: finish("tool-calls"),
      usage,
      warnings: [],
    })),
    {
      content: [{ type: "text", text: "done" }],
      finishReason: finish("stop"),
      usage,
      warnings: [],
    },
  ];
}

/** One SDK version with one of its mock models. */
interface Kit {
  readonly name: string;
  /** How the version shows the model a thrown error's message. */
  errorText(message: string): string;
  tools(l: Ledger): Record<string, unknown>;
  run(turns: Turns, tools: Record<string, unknown>, extra?: Record<string, unknown>): Promise<{
    result: { content: unknown[]; steps: { content: unknown[] }[] };
    prompts: unknown[];
  }>;
}

/** The support agent's tools, made with a version's own `tool()`. */
function toolsWith(make: (t: never) => unknown, l: Ledger): Record<string, unknown> {
  const t = (description: string, inputSchema: unknown, execute: unknown) =>
    make({ description, inputSchema, execute } as never);
  return {
    issue_refund: t("Refund an order", z.object({ amount: z.number() }), l.issue_refund),
    send_email: t("Email", z.object({ to: z.string(), body: z.string() }), l.send_email),
    lookup_order: t("Look up", z.object({ order_id: z.string() }), l.lookup_order),
    order_note: t("Note", z.object({ order_id: z.string(), note: z.string() }), l.order_note),
    charge_card: t(
      "Charge",
      z.object({ card: z.object({ number: z.string() }), amount: z.number() }),
      l.charge_card,
    ),
  };
}

function kit(
  name: string,
  spec: "v2" | "v3",
  Model: new (o: { doGenerate: never }) => { doGenerateCalls: { prompt: unknown }[] },
  generate: (o: never) => Promise<unknown>,
  stepCountIs: (n: number) => unknown,
  tool: (t: never) => unknown,
  prefixesErrors: boolean,
): Kit {
  return {
    name,
    errorText: (message) => prefixesErrors ? `Error: ${message}` : message,
    tools: (l) => toolsWith(tool, l),
    async run(turns, tools, extra = {}) {
      const model = new Model({ doGenerate: results(turns, spec) as never });
      const result = await generate({
        model,
        tools,
        prompt: "help the customer",
        stopWhen: stepCountIs(turns.length + 1),
        ...extra,
      } as never) as { content: unknown[]; steps: { content: unknown[] }[] };
      return { result, prompts: model.doGenerateCalls.map((c) => c.prompt) };
    },
  };
}

const V7 = kit(
  "ai 7, MockLanguageModelV4",
  "v3",
  MockLanguageModelV4 as never,
  generateText7 as never,
  stepCountIs7,
  tool7 as never,
  true,
);
const KITS: readonly Kit[] = [
  V7,
  kit(
    "ai 7, MockLanguageModelV3",
    "v3",
    MockV3For7 as never,
    generateText7 as never,
    stepCountIs7,
    tool7 as never,
    true,
  ),
  kit(
    "ai 6, MockLanguageModelV3",
    "v3",
    MockV3For6 as never,
    generateText6 as never,
    stepCountIs6,
    tool6 as never,
    false,
  ),
  kit(
    "ai 5, MockLanguageModelV2",
    "v2",
    MockLanguageModelV2 as never,
    generateText5 as never,
    stepCountIs5,
    tool5 as never,
    false,
  ),
];

interface ToolResultPart {
  type: string;
  toolCallId: string;
  output: { type: string; value?: unknown; reason?: string };
}

/** The output the model was given for each call, in its last prompt. */
function outputs(prompts: unknown[]): Record<string, ToolResultPart["output"]> {
  const out: Record<string, ToolResultPart["output"]> = {};
  for (const message of (prompts.at(-1) ?? []) as { role: string; content: unknown }[]) {
    if (message.role !== "tool") continue;
    for (const part of message.content as ToolResultPart[]) {
      if (part.type === "tool-result") out[part.toolCallId] = part.output;
    }
  }
  return out;
}

async function runGated(k: Kit, gate: ToolGate, turns: Turns, options: MirageToolOptions = {}) {
  const l = ledger();
  const run = await k.run(turns, withMirage(k.tools(l) as never, gate, options));
  return { ran: l.ran, told: outputs(run.prompts), result: run.result };
}

for (const k of KITS) {
  adapterContract({
    name: `ai-sdk (${k.name})`,
    run: (gate, turns, options) => runGated(k, gate, turns, options),
    result: (text) => ({ type: "text", value: text }),
    blocked: (message) => ({ type: "error-text", value: k.errorText(message) }),
  });

  Deno.test(`ai-sdk (${k.name}): a session's mocks answer instead of the tools`, async () => {
    await using mirage = await supportSession();
    const { ran, told: outputs } = await runGated(k, mirage, [[
      ["lookup_order", { order_id: "O-7" }, "c1"],
      ["order_note", { order_id: "O-7", note: "late" }, "c2"],
      ["charge_card", { card: { number: "4111" }, amount: 5 }, "c3"],
    ]]);
    assert.deepEqual(ran, [], "no real tool ran");
    assert.deepEqual(outputs, {
      c1: { type: "json", value: { order_id: "O-7", status: "shipped" } },
      c2: { type: "text", value: "note saved on O-7" },
      c3: { type: "error-text", value: k.errorText("card declined") },
    });
    assert.deepEqual(toolEvents(mirage.events), [
      ["c1", "allowed", { mock: "order_found" }],
      ["c2", "allowed", { mock: "note_saved" }],
      ["c3", "allowed", { mock: "card_declined" }],
    ]);
  });
}

Deno.test("ai-sdk: onBlock throw on execute: the SDK keeps the MirageViolationError as the step's tool error", async () => {
  await using mirage = await supportSession();
  const { ran, told: outputs, result } = await runGated(V7, mirage, [
    [["issue_refund", { amount: 900 }, "c1"]],
  ], { onBlock: "throw" });
  assert.deepEqual(ran, []);
  const errors = result.steps.flatMap((s) => s.content)
    .filter((p) => (p as { type: string }).type === "tool-error") as { error: unknown }[];
  assert.equal(errors.length, 1);
  assert.ok(errors[0]?.error instanceof MirageViolationError);
  assert.match(String(outputs.c1?.value), /^MirageViolationError: run 'support' is not clean/);
});

adapterContract({
  name: "ai-sdk (v7 toolApproval)",
  async run(gate, turns, options) {
    const l = ledger();
    const { prompts } = await V7.run(turns, V7.tools(l), {
      toolApproval: mirageToolApproval(gate, options),
    });
    return { ran: l.ran, told: outputs(prompts) };
  },
  result: (text) => ({ type: "text", value: text }),
  blocked: (message) => ({ type: "execution-denied", reason: message }),
});

Deno.test("ai-sdk (v7 toolApproval): onBlock throw rejects generateText", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  await assert.rejects(
    V7.run([[["issue_refund", { amount: 900 }, "c1"]]], V7.tools(l), {
      toolApproval: mirageToolApproval(mirage, { onBlock: "throw" }),
    }),
    MirageViolationError,
  );
  assert.deepEqual(l.ran, []);
});

Deno.test("ai-sdk (v7 toolApproval): with withMirage tools, mocks answer once; without, a mocked call is denied", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const turns = [[["lookup_order", { order_id: "O-7" }, "c1"] as const]];
  const gated = await V7.run(turns, withMirage(V7.tools(l) as never, mirage), {
    toolApproval: mirageToolApproval(mirage),
  });
  assert.deepEqual(outputs(gated.prompts).c1, {
    type: "json",
    value: { order_id: "O-7", status: "shipped" },
  });
  const bare = await V7.run([[["lookup_order", { order_id: "O-8" }, "c2"]]], V7.tools(l), {
    toolApproval: mirageToolApproval(mirage),
  });
  assert.deepEqual(outputs(bare.prompts).c2, {
    type: "execution-denied",
    reason: "Blocked by Mirage: a tool mock answers lookup_order in this run, and this seam " +
      "cannot answer with it: wrap the tools with withMirage()",
  });
  assert.deepEqual(l.ran, [], "the real lookup never ran");
  assert.deepEqual(toolEvents(mirage.events), [
    ["c1", "allowed", { mock: "order_found" }],
    ["c2", "allowed", { mock: "order_found" }],
  ], "approval and execute decided c1 once");
});

Deno.test("ai-sdk (v7 toolApproval): after Mirage allows, the tool's own needsApproval still asks", async () => {
  await using mirage = await supportSession();
  const l = ledger();
  const refund = tool7({
    description: "Refund an order",
    inputSchema: z.object({ amount: z.number() }),
    needsApproval: ({ amount }) => amount > 100,
    execute: l.issue_refund,
  });
  const { result } = await V7.run(
    [[
      ["issue_refund", { amount: 20 }, "c1"],
      ["issue_refund", { amount: 200 }, "c2"],
    ]],
    { issue_refund: refund },
    { toolApproval: mirageToolApproval(mirage) },
  );
  const requests = result.content.filter((p) =>
    (p as { type: string }).type === "tool-approval-request"
  ) as { toolCall: { toolCallId: string } }[];
  assert.deepEqual(requests.map((r) => r.toolCall.toolCallId), ["c2"]);
  assert.deepEqual(l.ran, ["issue_refund 20"]);
});

Deno.test("ai-sdk: a streaming tool stays one when allowed, and does not start when blocked", async () => {
  await using mirage = await supportSession();
  const started: number[] = [];
  const refund = tool7({
    description: "Refund an order",
    inputSchema: z.object({ amount: z.number() }),
    async *execute({ amount }) {
      started.push(amount);
      yield "refunding";
      await new Promise((r) => setTimeout(r, 1));
      yield `refunded ${amount}`;
    },
  });
  const tools = withMirage({ issue_refund: refund }, mirage);
  const { prompts } = await V7.run([
    [["issue_refund", { amount: 20 }, "c1"]],
    [["issue_refund", { amount: 900 }, "c2"]],
  ], tools);
  assert.deepEqual(started, [20]);
  // What the SDK streams preliminary results from: an async iterable, each value in turn.
  const streamed = tools.issue_refund.execute?.({ amount: 30 }, {
    toolCallId: "c3",
    messages: [],
    context: {},
  });
  const values = [];
  for await (const v of streamed as AsyncIterable<string>) values.push(v);
  assert.deepEqual(values, ["refunding", "refunded 30"]);
  assert.deepEqual(outputs(prompts), {
    c1: { type: "text", value: "refunded 20" },
    c2: { type: "error-text", value: `Error: ${REFUND_LIMIT}` },
  });
});

Deno.test("ai-sdk: tools without execute pass through unchanged", async () => {
  await using mirage = await supportSession();
  const client = tool7({ description: "Ask the user", inputSchema: z.object({ q: z.string() }) });
  const tools = withMirage({ ask_user: client }, mirage);
  assert.equal(tools.ask_user, client);
});
