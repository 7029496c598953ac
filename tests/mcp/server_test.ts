/**
 * What `mirage mcp` shares with the proxy and the gateway: admin routes behind the guard
 * (`health` open), metrics and `v1/decide` over the same rules, reload keeping the old rules on
 * a broken file, a graceful stop that does not wait for clients' open event streams, and the
 * library's stdio mode with an admin port.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { readTrace } from "../../src/trace/trace_reader.ts";
import {
  call,
  callMessage,
  FIXTURES,
  httpClient,
  initializeMessage,
  mocksMcp,
  testMcp,
  textOf,
} from "./helpers.ts";
import { McpUpstream } from "./upstream.ts";

Deno.test("admin routes: health is open, the rest need the admin token; metrics and v1/decide see the same rules", async () => {
  await using served = await mocksMcp({ adminToken: "s3cret", runId: "admin" });
  const mcp = served.mcp;
  const auth = { authorization: "Bearer s3cret" };
  const client = await httpClient(mcp.endpoint as string);
  await call(client, "issue_refund", { order_id: "A", amount: 900 });
  await client.close();

  const health = await fetch(`${mcp.url}/_mirage/health`);
  assert.deepEqual(
    { ...(await health.json()), uptime: 0 },
    {
      ok: true,
      mode: "enforce",
      transport: "http",
      policies: 3,
      tools: 3,
      state: { store: "memory", status: "ready", errors: 0 },
      uptime: 0,
    },
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
});

Deno.test("reload: a broken policies file keeps the old rules; a good one takes over", async () => {
  const dir = await Deno.makeTempDir();
  const policies = join(dir, "policies.yaml");
  await Deno.copyFile(FIXTURES.policies, policies);
  const lines: string[] = [];
  await using served = await mocksMcp({ policies, log: (l) => lines.push(l) });
  const mcp = served.mcp;
  const client = await httpClient(mcp.endpoint as string);
  const refund = (amount: number) => call(client, "issue_refund", { order_id: "ORD-1", amount });
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
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file change reloads the rules while serving", async () => {
  const dir = await Deno.makeTempDir();
  const policies = join(dir, "policies.yaml");
  await Deno.copyFile(FIXTURES.policies, policies);
  const lines: string[] = [];
  const served = await mocksMcp({ policies, watch: true, log: (l) => lines.push(l) });
  try {
    const text = (await Deno.readTextFile(FIXTURES.policies)).replace("value: 500", "value: 1000");
    await Deno.writeTextFile(policies, text);
    const until = Date.now() + 10_000;
    while (!lines.some((l) => /reloaded \(file change\)/.test(l)) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(lines.some((l) => /reloaded \(file change\) · 3 policies/.test(l)), lines.join("\n"));
  } finally {
    await served[Symbol.asyncDispose](); // stop watching before the directory goes
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stop: close() ends clients' open event streams instead of waiting for them, and writes traces", async () => {
  await using upstream = new McpUpstream();
  await using served = await testMcp({ upstream: new URL(upstream.origin), runId: "stopping" });
  const client = await httpClient(served.mcp.endpoint as string);
  try {
    await call(client, "lookup_order", { order_id: "ORD-1" });
    assert.ok(
      upstream.requests.some((q) => q.method === "GET"),
      "the client holds a GET stream open",
    );
    await served.mcp.close(); // with the client still connected
    assert.equal(await served.mcp.exited, 0);
    const trace = await readTrace(served.traces, "stopping");
    assert.equal(trace?.events.length, 1);
  } finally {
    await client.close().catch(() => {});
  }
});

Deno.test("library stdio mode: a spawned server on the given streams, admin routes on a port, its exit code", async () => {
  const toMirage = new TransformStream<Uint8Array, Uint8Array>();
  const fromMirage = new TransformStream<Uint8Array, Uint8Array>();
  const lines: string[] = [];
  await using served = await testMcp({
    command: [Deno.execPath(), "run", "-A", FIXTURES.stdioServer],
    runId: "lib",
    log: (l) => lines.push(l),
    stdio: { input: toMirage.readable, output: fromMirage.writable },
  });
  const mcp = served.mcp;
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
    await send(initializeMessage(1));
    await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await send(callMessage(2, "issue_refund", { order_id: "A", amount: 900 }));
    await send(callMessage(3, "exit_with", { code: 4 }));
    assert.equal(await mcp.exited, 4, "the server's exit code");
    // Mirage stopped reading the client when its server ended: the client's side is closed.
    await assert.rejects(writer.write(new Uint8Array([0x0a])));
    await mcp.close();
    const replies = await reading;
    const refusal = replies.find((m) => m.id === 2);
    assert.equal(refusal?.result?.content?.[0]?.text, "Refunds above 500 need a supervisor.");
    const trace = await readTrace(served.traces, "lib");
    assert.deepEqual(trace?.events.map((e) => e.outcome), ["policy_violation", "allowed"]);
  } finally {
    await mcp.close();
  }
});
