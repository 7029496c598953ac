/**
 * One real agent client through `mirage mcp`: the OpenAI Agents SDK's `MCPServerStreamableHttp`
 * with its own scripted test model. The model asks for an allowed call and a violating one; the
 * server sees only the first, and the model's next turn reads the rule's message as the tool's
 * output.
 */

import assert from "node:assert/strict";
import { Agent, MCPServerStreamableHttp, run, setTracingDisabled } from "@openai/agents";
import { assistantMessage, functionCall, ScriptedModel } from "@openai/agents/testing";
import { readTrace } from "../../src/trace/trace_reader.ts";
import { testMcp } from "./helpers.ts";
import { McpUpstream } from "./upstream.ts";

setTracingDisabled(true);

Deno.test("OpenAI Agents over MCP: the allowed call runs, the model reads the rule's message for the refused one", async () => {
  await using upstream = new McpUpstream();
  await using served = await testMcp({
    upstream: new URL(upstream.origin),
    runId: "support-agent",
  });
  const mcp = served.mcp;
  const server = new MCPServerStreamableHttp({
    url: mcp.endpoint as string,
    name: "support-tools",
  });
  try {
    await server.connect();
    const model = new ScriptedModel([
      [
        functionCall("lookup_order", { order_id: "ORD-9" }, { callId: "call_lookup" }),
        functionCall("issue_refund", { order_id: "ORD-9", amount: 900 }, { callId: "call_refund" }),
      ],
      [assistantMessage("A supervisor has to approve that refund.")],
    ]);
    const agent = new Agent({
      name: "support",
      instructions: "Help the customer.",
      model,
      mcpServers: [server],
    });
    const result = await run(agent, "Refund order ORD-9 in full (900).");
    model.assertComplete();
    assert.equal(result.finalOutput, "A supervisor has to approve that refund.");

    const secondTurn = JSON.stringify(model.calls[1]?.request.input);
    assert.match(secondTurn, /order ORD-9: shipped/, "the allowed call's result");
    assert.match(secondTurn, /Refunds above 500 need a supervisor\./, "the rule's message");
    assert.deepEqual(upstream.calls.map((c) => c.tool), ["lookup_order"], "the refund never ran");

    const trace = await readTrace(served.traces, "support-agent");
    // The two calls of one turn may run concurrently: compare them in tool order.
    const events = trace?.events.map((e) => [e.request.tool, e.outcome]).sort();
    assert.deepEqual(events, [
      ["issue_refund", "policy_violation"],
      ["lookup_order", "allowed"],
    ]);
  } finally {
    await server.close();
  }
});
