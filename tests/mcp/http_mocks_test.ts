/**
 * `mirage mcp --mocks` with no upstream, over Streamable HTTP: Mirage is the MCP server of the
 * declared tools, for an agent's MCP client in CI. A real SDK client talks to it; the traces it
 * writes are deterministic, and `mirage gate-run` gates them.
 */

import assert from "node:assert/strict";
import { runCli } from "../support/cli_process.ts";
import { tracePaths } from "../../src/trace/trace_paths.ts";
import { call, httpClient, initializeMessage, mocksMcp, textOf } from "./helpers.ts";

/** One agent session: every kind of answer the mocks server gives. */
async function agentSession(endpoint: string) {
  const client = await httpClient(endpoint);
  try {
    const tools = (await client.listTools()).tools;
    const lookup = await call(client, "lookup_order", { order_id: "ORD-7" });
    const declined = await call(client, "issue_refund", { order_id: "VOID-1", amount: 5 });
    const refused = await call(client, "issue_refund", { order_id: "ORD-7", amount: 900 });
    const unknown = await call(client, "wire_money", { to: "x" });
    return { tools, lookup, declined, refused, unknown };
  } finally {
    await client.close();
  }
}

Deno.test("the mocks server answers a real MCP client: declared tools, mocks, refusals", async () => {
  await using served = await mocksMcp();
  const s = await agentSession(served.mcp.endpoint as string);
  assert.deepEqual(s.tools.map((t) => [t.name, t.description, t.inputSchema.required]), [
    ["lookup_order", "Looks an order up.", ["order_id"]],
    ["issue_refund", "Refunds an order.", ["order_id", "amount"]],
    ["delete_account", undefined, undefined],
  ]);
  assert.deepEqual(s.lookup.structuredContent, { order_id: "ORD-7", status: "shipped" });
  assert.deepEqual(JSON.parse(textOf(s.lookup)), { order_id: "ORD-7", status: "shipped" });
  assert.equal(s.declined.isError, true);
  assert.equal(textOf(s.declined), "order VOID-1 cannot be refunded");
  assert.equal(s.refused.isError, true);
  assert.equal(textOf(s.refused), "Refunds above 500 need a supervisor.");
  assert.equal(s.refused._meta?.["mirage/run_id"], "mcp-session-1");
  assert.equal(textOf(s.unknown), "no declared tool mock matches tool wire_money");
  assert.equal(s.unknown._meta?.["mirage/outcome"], "unmatched_route");
});

Deno.test("session ids are deterministic, so the same agent run gives a byte-identical trace", async () => {
  const files: string[] = [];
  for (let run = 0; run < 2; run++) {
    await using served = await mocksMcp();
    await agentSession(served.mcp.endpoint as string);
    await served.mcp.close();
    files.push(await Deno.readTextFile(tracePaths(served.traces, "mcp-session-1").trace));
  }
  assert.equal(files[0], files[1]);
  const trace = JSON.parse(files[0] as string);
  assert.equal(trace.mode, "ci");
  assert.deepEqual(
    trace.events.map((e: { outcome: string; response: unknown }) => [e.outcome, e.response]),
    [
      ["allowed", { mock: "lookup_order" }],
      ["allowed", { mock: "refund_declined" }],
      ["policy_violation", {}],
      ["unmatched_route", {}],
    ],
  );
});

Deno.test("gate-run fails a mocks-mode run with a violation and passes a clean one", async () => {
  await using served = await mocksMcp({ runId: "agent-ci" });
  const refund = async (amount: number) => {
    const client = await httpClient(served.mcp.endpoint as string);
    try {
      await call(client, "issue_refund", { order_id: "ORD-1", amount });
    } finally {
      await client.close();
    }
  };
  await refund(20);
  const clean = await runCli(["gate-run", "--traces", served.traces]);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  await refund(900);
  await served.mcp.close();
  const gated = await runCli(["gate-run", "--traces", served.traces]);
  assert.equal(gated.code, 1, gated.stdout);
  assert.match(gated.stdout, /refund_limit/);
});

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

Deno.test("mocks sessions: initialize opens one, later POSTs name it, DELETE ends it, GET has no stream", async () => {
  await using served = await mocksMcp();
  const url = served.mcp.endpoint as string;
  const init = await post(url, initializeMessage(1, "2024-11-05"));
  const session = init.headers.get("mcp-session-id") as string;
  const initialized = await init.json();
  assert.equal(session, "mcp-session-1");
  assert.equal(
    initialized.result.protocolVersion,
    "2024-11-05",
    "the client's version when spoken",
  );
  assert.deepEqual(initialized.result.capabilities, { tools: { listChanged: false } });

  const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
  const none = await post(url, ping);
  assert.equal(none.status, 400);
  await none.body?.cancel();
  const unknownSession = await post(url, ping, { "mcp-session-id": "mcp-session-99" });
  assert.equal(unknownSession.status, 404);
  await unknownSession.body?.cancel();
  const pong = await post(url, ping, { "mcp-session-id": session });
  assert.deepEqual(await pong.json(), { jsonrpc: "2.0", id: 2, result: {} });
  const note = await post(url, { jsonrpc: "2.0", method: "notifications/initialized" }, {
    "mcp-session-id": session,
  });
  assert.equal(note.status, 202);
  await note.body?.cancel();
  const missing = await post(url, { jsonrpc: "2.0", id: 3, method: "resources/list" }, {
    "mcp-session-id": session,
  });
  assert.equal((await missing.json()).error.code, -32601);

  const stream = await fetch(url, { headers: { "mcp-session-id": session } });
  assert.equal(stream.status, 405);
  await stream.body?.cancel();
  const ended = await fetch(url, { method: "DELETE", headers: { "mcp-session-id": session } });
  assert.equal(ended.status, 200);
  await ended.body?.cancel();
  const after = await post(url, ping, { "mcp-session-id": session });
  assert.equal(after.status, 404);
  await after.body?.cancel();
});

Deno.test("--hide-blocked-tools in mocks mode lists only the tools a call can go through to", async () => {
  await using served = await mocksMcp({ hideBlockedTools: true });
  const client = await httpClient(served.mcp.endpoint as string);
  try {
    const names = (await client.listTools()).tools.map((t) => t.name);
    assert.deepEqual(names, ["lookup_order", "issue_refund"]);
  } finally {
    await client.close();
  }
});
