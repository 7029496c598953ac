/**
 * `mirage mcp --upstream` in front of a real Streamable HTTP MCP server (the SDK's McpServer on
 * loopback), driven by the SDK's own Client: what reaches the server, what the client sees,
 * what the trace says.
 */

import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { readTrace } from "../../src/trace/trace_reader.ts";
import type { McpHandle, McpOptions } from "../../src/mcp/mcp.ts";
import { call, callMessage, httpClient, initializeMessage, testMcp, textOf } from "./helpers.ts";
import { McpUpstream, type McpUpstreamOptions } from "./upstream.ts";

interface Rig extends AsyncDisposable {
  readonly upstream: McpUpstream;
  readonly mcp: McpHandle;
  readonly traces: string;
}

async function rig(
  options: Partial<McpOptions> = {},
  upstreamOptions: McpUpstreamOptions = {},
  basePath = "",
): Promise<Rig> {
  const upstream = new McpUpstream(upstreamOptions);
  const served = await testMcp({ upstream: new URL(`${upstream.origin}${basePath}`), ...options });
  return {
    upstream,
    mcp: served.mcp,
    traces: served.traces,
    async [Symbol.asyncDispose]() {
      await served[Symbol.asyncDispose]();
      await upstream.close();
    },
  };
}

function sessionOf(client: { transport?: unknown }): string {
  return (client.transport as StreamableHTTPClientTransport).sessionId ?? "";
}

Deno.test("allowed calls reach the server; a violating call never does, and the client reads the rule's message", async () => {
  await using r = await rig();
  const client = await httpClient(r.mcp.endpoint as string);
  try {
    const session = sessionOf(client);
    assert.ok(session, "the upstream issued a session id");
    const listed = await client.listTools();
    assert.ok(listed.tools.some((t) => t.name === "delete_account"), "tools/list untouched");

    const lookup = await call(client, "lookup_order", { order_id: "ORD-1" });
    assert.equal(textOf(lookup), "order ORD-1: shipped");

    const refused = await call(client, "issue_refund", { order_id: "ORD-1", amount: 900 });
    assert.equal(refused.isError, true);
    assert.equal(textOf(refused), "Refunds above 500 need a supervisor.");
    assert.deepEqual(refused._meta, {
      "mirage/outcome": "policy_violation",
      "mirage/policy": "refund_limit",
      "mirage/run_id": session,
      "mirage/event": 2,
    });

    // The session survives the refusal: the same session goes on calling.
    const small = await call(client, "issue_refund", { order_id: "ORD-1", amount: 20 });
    assert.equal(textOf(small), "refunded 20 on ORD-1");
    assert.equal(sessionOf(client), session);

    assert.deepEqual(r.upstream.calls, [
      { tool: "lookup_order", args: { order_id: "ORD-1" } },
      { tool: "issue_refund", args: { order_id: "ORD-1", amount: 20 } },
    ]);
    const trace = await readTrace(r.traces, session);
    assert.deepEqual(
      trace?.events.map((e) => [e.request.tool, e.outcome, e.enforced, e.response]),
      [
        ["lookup_order", "allowed", true, { ran: true }],
        ["issue_refund", "policy_violation", true, {}],
        ["issue_refund", "allowed", true, { ran: true }],
      ],
    );
    assert.equal(trace?.mode, "enforce");
  } finally {
    await client.close();
  }
});

Deno.test("a flagged call runs and is recorded flagged; a blocked-by-name tool is refused", async () => {
  await using r = await rig({ runId: "flags" });
  const client = await httpClient(r.mcp.endpoint as string);
  try {
    const flagged = await call(client, "lookup_order", { order_id: "X-9" });
    assert.equal(textOf(flagged), "order X-9: shipped");
    const refused = await call(client, "delete_account", { customer_id: "C-1" });
    assert.equal(textOf(refused), "Accounts are closed by a human, never by the agent.");
    const trace = await readTrace(r.traces, "flags");
    assert.deepEqual(trace?.events.map((e) => e.outcome), ["flagged", "policy_violation"]);
    assert.deepEqual(r.upstream.calls.map((c) => c.tool), ["lookup_order"]);
  } finally {
    await client.close();
  }
});

/** Rejects after `ms`, so that a test that would hang fails instead; the timer is cleared. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("SSE answers are streamed: the first event reaches the client before the tool finishes", async () => {
  await using r = await rig();
  r.upstream.hold();
  const client = await httpClient(r.mcp.endpoint as string);
  try {
    const seen: string[] = [];
    const result = client.callTool({ name: "slow_report", arguments: {} }, undefined, {
      onprogress: (p) => {
        seen.push(`progress ${p.progress}/${p.total}`);
        // Only now may the tool finish: a proxy that buffered the stream would never get here.
        r.upstream.release();
      },
    });
    const done = await within(10_000, "the streamed progress event", result);
    seen.push(textOf(done));
    assert.deepEqual(seen, ["progress 1/2", "report done"]);
  } finally {
    await client.close();
  }
});

Deno.test("JSON answers pass through as JSON; refusals are JSON whatever the client accepts", async () => {
  await using r = await rig({}, { json: true });
  const client = await httpClient(r.mcp.endpoint as string);
  try {
    const ok = await call(client, "lookup_order", { order_id: "ORD-2" });
    assert.equal(textOf(ok), "order ORD-2: shipped");
    const no = await call(client, "issue_refund", { order_id: "A", amount: 501 });
    assert.equal(no.isError, true);
  } finally {
    await client.close();
  }
  // The same refusal on the wire: HTTP 200, application/json, a result with the request's id.
  const init = await post(r.mcp.endpoint as string, initializeMessage(1));
  const session = init.headers.get("mcp-session-id") as string;
  await init.body?.cancel();
  const res = await post(
    r.mcp.endpoint as string,
    callMessage(7, "issue_refund", { order_id: "A", amount: 900 }),
    {
      "mcp-session-id": session,
    },
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal(res.headers.get("mcp-session-id"), session);
  assert.equal(res.headers.get("x-mirage-outcome"), "policy_violation");
  const body = await res.json();
  assert.equal(body.id, 7);
  assert.equal(body.result.isError, true);
  assert.equal(body.result.content[0].text, "Refunds above 500 need a supervisor.");
});

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

Deno.test("passthrough forwards a violating call and records it enforced: false", async () => {
  await using r = await rig({ mode: "passthrough", runId: "shadow" });
  const client = await httpClient(r.mcp.endpoint as string);
  try {
    const res = await call(client, "issue_refund", { order_id: "B", amount: 900 });
    assert.equal(textOf(res), "refunded 900 on B");
  } finally {
    await client.close();
  }
  assert.deepEqual(r.upstream.calls.map((c) => c.args), [{ order_id: "B", amount: 900 }]);
  const trace = await readTrace(r.traces, "shadow");
  const e = trace?.events[0];
  assert.equal(e?.outcome, "policy_violation");
  assert.equal(e?.enforced, false);
  assert.deepEqual(e?.response, { ran: true });
  assert.equal(trace?.side_effect_count, 1);
});

Deno.test("--hide-blocked-tools leaves a tool a rule always blocks out of tools/list, SSE or JSON", async (t) => {
  for (const json of [false, true]) {
    await t.step(json ? "JSON" : "SSE", async () => {
      await using r = await rig({ hideBlockedTools: true }, { json });
      const client = await httpClient(r.mcp.endpoint as string);
      try {
        const names = (await client.listTools()).tools.map((tool) => tool.name);
        assert.ok(names.includes("issue_refund"), "a tool blocked only for some arguments stays");
        assert.ok(!names.includes("delete_account"), names.join(", "));
        const res = await call(client, "delete_account", { customer_id: "C" });
        assert.equal(res.isError, true, "hidden is not allowed: a call is still refused");
      } finally {
        await client.close();
      }
    });
  }
});

Deno.test("Origin: none accepted, loopback by default, else exactly --allow-origin; others get 403", async () => {
  await using r = await rig();
  const url = r.mcp.endpoint as string;
  for (
    const [origin, status] of [[undefined, 200], ["http://localhost:6274", 200], [
      "https://evil.example",
      403,
    ]] as const
  ) {
    const res = await post(url, initializeMessage(1), origin ? { origin } : {});
    assert.equal(res.status, status, `Origin ${origin}`);
    if (status === 403) {
      assert.match((await res.json()).error.message, /evil\.example is not allowed/);
    } else await res.body?.cancel();
  }
  const forwarded = r.upstream.requests.length;
  assert.equal(forwarded, 2, "the refused request never reached the server");

  await using listed = await rig({ allowOrigins: ["https://app.example"] });
  const app = await post(listed.mcp.endpoint as string, initializeMessage(1), {
    origin: "https://app.example",
  });
  await app.body?.cancel();
  const local = await post(listed.mcp.endpoint as string, initializeMessage(1), {
    origin: "http://localhost",
  });
  await local.body?.cancel();
  assert.deepEqual([app.status, local.status], [200, 403]);
});

Deno.test("protocol faults stay JSON-RPC errors and reach nothing; an oversized body is recorded", async () => {
  await using r = await rig({ maxBody: 1024, runId: "faults" });
  const url = r.mcp.endpoint as string;
  const cases: [string, string, number, number][] = [
    ["unparsable JSON", "{", 400, -32700],
    [
      "a batch",
      JSON.stringify([callMessage(1, "lookup_order", {}), callMessage(2, "lookup_order", {})]),
      400,
      -32600,
    ],
    ["not JSON-RPC", JSON.stringify({ id: 1, method: "tools/call" }), 400, -32600],
    [
      "bad params",
      JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/call", params: {} }),
      200,
      -32602,
    ],
    [
      "oversized",
      JSON.stringify(callMessage(5, "issue_refund", { pad: "x".repeat(2000) })),
      413,
      -32600,
    ],
  ];
  for (const [label, body, status, code] of cases) {
    const res = await post(url, body);
    assert.equal(res.status, status, label);
    assert.equal(res.headers.get("content-type"), "application/json", label);
    assert.equal((await res.json()).error.code, code, label);
  }
  assert.equal(r.upstream.requests.length, 0, "nothing was forwarded");
  const trace = await readTrace(r.traces, "faults");
  assert.deepEqual(trace?.events.map((e) => [e.outcome, e.response.status]), [["error", 413]]);
  assert.match(trace?.events[0]?.error ?? "", /larger than 1024 bytes/);
});

Deno.test("session, protocol-version and resumption headers pass; GET streams and DELETE go through", async () => {
  await using r = await rig();
  const client = await httpClient(r.mcp.endpoint as string);
  const session = sessionOf(client);
  await call(client, "lookup_order", { order_id: "ORD-3" });
  const transport = client.transport as StreamableHTTPClientTransport;
  await transport.terminateSession();
  await client.close();
  const posts = r.upstream.requests.filter((q) => q.method === "POST");
  const last = posts.at(-1)?.headers;
  assert.equal(last?.get("mcp-session-id"), session);
  assert.ok(last?.get("mcp-protocol-version"), "MCP-Protocol-Version forwarded");
  assert.ok(
    r.upstream.requests.some((q) => q.method === "GET"),
    "the client's GET stream reached it",
  );
  assert.ok(r.upstream.requests.some((q) => q.method === "DELETE"), "DELETE reached it");

  // A GET resuming with Last-Event-ID is forwarded with it (the server decides what to replay).
  const resumed = await fetch(r.mcp.endpoint as string, {
    headers: { accept: "text/event-stream", "mcp-session-id": "gone", "last-event-id": "ev-7" },
  });
  await resumed.body?.cancel();
  assert.equal(r.upstream.requests.at(-1)?.headers.get("last-event-id"), "ev-7");
  assert.equal(resumed.status, 404, "the upstream's own answer comes back");
});

Deno.test("a cancellation of a refused call is dropped; others are forwarded", async () => {
  await using r = await rig();
  const url = r.mcp.endpoint as string;
  const init = await post(url, initializeMessage(1));
  const session = init.headers.get("mcp-session-id") as string;
  await init.body?.cancel();
  const headers = { "mcp-session-id": session };
  const refused = await post(url, callMessage(9, "delete_account", { customer_id: "C" }), headers);
  await refused.body?.cancel();
  const cancel = (requestId: number) => ({
    jsonrpc: "2.0",
    method: "notifications/cancelled",
    params: { requestId, reason: "user" },
  });
  const dropped = await post(url, cancel(9), headers);
  await dropped.body?.cancel();
  assert.equal(dropped.status, 202);
  const passed = await post(url, cancel(10), headers);
  await passed.body?.cancel();
  const cancellations = r.upstream.requests.filter((q) =>
    q.body.includes("notifications/cancelled")
  );
  assert.deepEqual(cancellations.map((q) => JSON.parse(q.body).params.requestId), [10]);
});

Deno.test("run id: x-mirage-run-id wins, then --run-id, then the MCP session id", async () => {
  await using r = await rig({ runId: "flag-run" });
  const tagged = await httpClient(r.mcp.endpoint as string, { "x-mirage-run-id": "from-header" });
  const plain = await httpClient(r.mcp.endpoint as string);
  try {
    const a = await call(tagged, "issue_refund", { order_id: "A", amount: 900 });
    const b = await call(plain, "issue_refund", { order_id: "A", amount: 900 });
    assert.equal(a._meta?.["mirage/run_id"], "from-header");
    assert.equal(b._meta?.["mirage/run_id"], "flag-run");
  } finally {
    await tagged.close();
    await plain.close();
  }
});

Deno.test("the client's path goes under the upstream URL; other paths are not MCP here", async () => {
  await using r = await rig({ path: "/tools/mcp" }, { path: "/base/tools/mcp" }, "/base");
  const client = await httpClient(r.mcp.endpoint as string);
  try {
    assert.ok(r.mcp.endpoint?.endsWith("/tools/mcp"));
    const res = await call(client, "lookup_order", { order_id: "ORD-4" });
    assert.equal(textOf(res), "order ORD-4: shipped");
  } finally {
    await client.close();
  }
  const before = r.upstream.requests.length;
  const elsewhere = await post(`${r.mcp.url}/mcp`, initializeMessage(1));
  assert.equal(elsewhere.status, 404);
  assert.match((await elsewhere.json()).message, /MCP is served at \/tools\/mcp/);
  assert.equal(r.upstream.requests.length, before);
});
