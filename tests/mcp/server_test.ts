/**
 * What `mirage mcp` shares with the proxy and the gateway: admin routes behind the guard
 * (`health` open), metrics and `v1/decide` over the same rules, reload keeping the old rules on
 * a broken file, a graceful stop that does not wait for clients' open event streams, and the
 * library's stdio mode with an admin port.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type McpOptions, startMcp } from "../../src/mcp/mcp.ts";
import { readTrace } from "../../src/trace/trace_reader.ts";
import { FIXTURES, httpClient, tempTraces, textOf } from "./helpers.ts";
import { McpUpstream } from "./upstream.ts";

async function mocksServer(traces: string, options: Partial<McpOptions> = {}) {
  return await startMcp({
    mocks: FIXTURES.mocks,
    policies: FIXTURES.policies,
    port: 0,
    watch: false,
    traces,
    log: () => {},
    ...options,
  });
}

Deno.test("admin routes: health is open, the rest need the admin token; metrics and v1/decide see the same rules", async () => {
  const traces = await tempTraces();
  const mcp = await mocksServer(traces, { adminToken: "s3cret", runId: "admin" });
  const auth = { authorization: "Bearer s3cret" };
  try {
    const client = await httpClient(mcp.endpoint as string);
    await client.callTool({ name: "issue_refund", arguments: { order_id: "A", amount: 900 } });
    await client.close();

    const health = await fetch(`${mcp.url}/_mirage/health`);
    assert.deepEqual(
      { ...(await health.json()), uptime: 0 },
      { ok: true, mode: "enforce", transport: "http", policies: 3, tools: 3, uptime: 0 },
    );
    const refused = await fetch(`${mcp.url}/_mirage/v1/runs`);
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    const runs = await (await fetch(`${mcp.url}/_mirage/v1/runs`, { headers: auth })).json();
    assert.deepEqual(
      runs.runs.map((r: { run_id: string; outcome: string }) => [r.run_id, r.outcome]),
      [
        ["admin", "policy_violation"],
      ],
    );
    const metrics = await (await fetch(`${mcp.url}/_mirage/metrics`, { headers: auth })).text();
    assert.match(metrics, /mirage_requests_total\{outcome="policy_violation"\} 1/);
    assert.match(metrics, /mirage_policy_failures_total\{policy="refund_limit"\} 1/);

    const decided = await fetch(`${mcp.url}/_mirage/v1/decide`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ tool: "issue_refund", args: { order_id: "A", amount: 20 } }),
    });
    const answer = await decided.json();
    assert.equal(answer.outcome, "allowed");
    assert.deepEqual(answer.mock?.name, "issue_refund", "the mocks server answers with its mock");
    assert.equal(answer.event, 2, "recorded in the same run");
  } finally {
    await mcp.close();
    await Deno.remove(traces, { recursive: true });
  }
});

Deno.test("reload: a broken policies file keeps the old rules; a good one takes over", async () => {
  const dir = await Deno.makeTempDir();
  const policies = join(dir, "policies.yaml");
  await Deno.copyFile(FIXTURES.policies, policies);
  const lines: string[] = [];
  const mcp = await mocksServer(join(dir, "traces"), { policies, log: (l) => lines.push(l) });
  const client = await httpClient(mcp.endpoint as string);
  const refund = (amount: number) =>
    client.callTool({ name: "issue_refund", arguments: { order_id: "ORD-1", amount } });
  try {
    await Deno.writeTextFile(policies, "policies:\n  - name: broken\n    operator: maxx\n");
    assert.equal(await mcp.reload(), false);
    assert.match(lines.join("\n"), /still serving the previous policies/);
    assert.equal((await refund(900)).isError, true, "the old rules still decide");

    const text = (await Deno.readTextFile(FIXTURES.policies)).replace("value: 500", "value: 1000");
    await Deno.writeTextFile(policies, text);
    assert.equal(await mcp.reload(), true);
    assert.equal(textOf(await refund(900)), "refunded 900 on ORD-1");
  } finally {
    await client.close();
    await mcp.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file change reloads the rules while serving", async () => {
  const dir = await Deno.makeTempDir();
  const policies = join(dir, "policies.yaml");
  await Deno.copyFile(FIXTURES.policies, policies);
  const lines: string[] = [];
  const mcp = await mocksServer(join(dir, "traces"), {
    policies,
    watch: true,
    log: (l) => lines.push(l),
  });
  try {
    const text = (await Deno.readTextFile(FIXTURES.policies)).replace("value: 500", "value: 1000");
    await Deno.writeTextFile(policies, text);
    const until = Date.now() + 10_000;
    while (!lines.some((l) => /reloaded \(file change\)/.test(l)) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(lines.some((l) => /reloaded \(file change\) · 3 policies/.test(l)), lines.join("\n"));
  } finally {
    await mcp.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stop: close() ends clients' open event streams instead of waiting for them, and writes traces", async () => {
  const upstream = new McpUpstream();
  const traces = await tempTraces();
  const mcp = await startMcp({
    upstream: new URL(upstream.origin),
    policies: FIXTURES.policies,
    port: 0,
    watch: false,
    traces,
    runId: "stopping",
    log: () => {},
  });
  const client = await httpClient(mcp.endpoint as string);
  try {
    await client.callTool({ name: "lookup_order", arguments: { order_id: "ORD-1" } });
    assert.ok(
      upstream.requests.some((q) => q.method === "GET"),
      "the client holds a GET stream open",
    );
    await mcp.close(); // with the client still connected
    assert.equal(await mcp.exited, 0);
    const trace = await readTrace(traces, "stopping");
    assert.equal(trace?.events.length, 1);
  } finally {
    await client.close().catch(() => {});
    await upstream.close();
    await Deno.remove(traces, { recursive: true });
  }
});

Deno.test("library stdio mode: a spawned server on the given streams, admin routes on a port, its exit code", async () => {
  const traces = await tempTraces();
  const toMirage = new TransformStream<Uint8Array, Uint8Array>();
  const fromMirage = new TransformStream<Uint8Array, Uint8Array>();
  const lines: string[] = [];
  const mcp = await startMcp({
    command: [Deno.execPath(), "run", "-A", FIXTURES.stdioServer],
    policies: FIXTURES.policies,
    port: 0,
    watch: false,
    traces,
    runId: "lib",
    log: (l) => lines.push(l),
    stdio: { input: toMirage.readable, output: fromMirage.writable },
  });
  const reading = (async () => {
    const out: string[] = [];
    for await (const t of fromMirage.readable.pipeThrough(new TextDecoderStream())) out.push(t);
    return out.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  })();
  const writer = toMirage.writable.getWriter();
  const send = (m: unknown) => writer.write(new TextEncoder().encode(`${JSON.stringify(m)}\n`));
  try {
    assert.equal(mcp.transport, "stdio");
    assert.equal(mcp.endpoint, undefined, "MCP is on stdio; the port has the admin routes");
    const health = await (await fetch(`${mcp.url}/_mirage/health`)).json();
    assert.equal(health.transport, "stdio");
    assert.match(lines[0] ?? "", /mcp on stdio · admin on http:\/\/127\.0\.0\.1:\d+ → /);
    await send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "lib", version: "1" },
      },
    });
    await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "issue_refund", arguments: { order_id: "A", amount: 900 } },
    });
    await send({
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "exit_with", arguments: { code: 4 } },
    });
    assert.equal(await mcp.exited, 4, "the server's exit code");
    // Mirage stopped reading the client when its server ended: the client's side is closed.
    await assert.rejects(writer.write(new Uint8Array([0x0a])));
    await mcp.close();
    const replies = await reading;
    const refusal = replies.find((m) => m.id === 2);
    assert.equal(refusal?.result?.content?.[0]?.text, "Refunds above 500 need a supervisor.");
    const trace = await readTrace(traces, "lib");
    assert.deepEqual(trace?.events.map((e) => e.outcome), ["policy_violation", "allowed"]);
  } finally {
    await mcp.close();
    await Deno.remove(traces, { recursive: true });
  }
});
