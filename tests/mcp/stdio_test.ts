/**
 * `mirage mcp` on stdio, run as an MCP client runs a server: the CLI as a subprocess, a real SDK
 * Client on its stdin and stdout. In front of a real stdio server (the SDK's McpServer, spawned
 * by Mirage), and as the mocks server.
 */

import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { cliArgs, CONFIG, ROOT, runCli } from "../support/cli_process.ts";
import { readTrace } from "../../src/trace/trace_reader.ts";
import { ChildTransport } from "./child_transport.ts";
import { call, callMessage, FIXTURES, initializeMessage, tempTraces, textOf } from "./helpers.ts";

/** The fixture server's command, as a user would write it after `--`. */
const SERVER = [Deno.execPath(), "run", "-A", "--config", CONFIG, FIXTURES.stdioServer];

/**
 * `mirage mcp --policies <fixture> --traces <its own dir> ARGS`, and what it printed on stderr;
 * disposing it closes its stdin, waits for it and removes the trace directory.
 */
class McpProcess implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly transport: ChildTransport;
  readonly traces: string;
  #stderr = "";
  readonly #stderrRead: Promise<void>;

  private constructor(traces: string, args: readonly string[]) {
    this.traces = traces;
    const base = ["mcp", "--policies", FIXTURES.policies, "--traces", traces];
    const child = this.child = new Deno.Command(Deno.execPath(), {
      args: cliArgs([...base, ...args]),
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.transport = new ChildTransport(this.child);
    this.#stderrRead = (async () => {
      for await (const t of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderr += t;
      }
    })();
  }

  static async start(args: readonly string[]): Promise<McpProcess> {
    return new McpProcess(await tempTraces(), args);
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Waits until stderr matches; fails after 15 s. */
  async waitForStderr(pattern: RegExp): Promise<RegExpMatchArray> {
    const until = Date.now() + 15_000;
    for (;;) {
      const m = this.#stderr.match(pattern);
      if (m) return m;
      if (Date.now() > until) throw new Error(`no ${pattern} on stderr:\n${this.#stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A connected SDK client. */
  async client(): Promise<Client> {
    const client = new Client({ name: "stdio-test", version: "1.0.0" });
    await client.connect(this.transport);
    return client;
  }

  /** Waits for the process to end; its exit code. */
  async exited(): Promise<number> {
    const status = await this.child.status;
    await this.#stderrRead;
    return status.code;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.transport.close();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    try {
      await this.exited();
    } finally {
      clearTimeout(timer);
    }
    await Deno.remove(this.traces, { recursive: true });
  }
}

/** Whether a process exists: SIGCONT is harmless to a running one and fails for one that ended. */
function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

Deno.test("stdio: allowed results come back, a violating call never reaches the server, stdout is protocol only", async () => {
  await using mcp = await McpProcess.start([
    "--run-id",
    "desktop",
    "--",
    ...SERVER,
  ]);
  const client = await mcp.client();
  const lookup = await call(client, "lookup_order", { order_id: "ORD-1" });
  assert.equal(textOf(lookup), "order ORD-1: shipped");
  const refused = await call(client, "issue_refund", { order_id: "ORD-1", amount: 900 });
  assert.equal(refused.isError, true);
  assert.equal(textOf(refused), "Refunds above 500 need a supervisor.");
  assert.equal(refused._meta?.["mirage/run_id"], "desktop");
  const calls = JSON.parse(textOf(await call(client, "calls", {})));
  assert.deepEqual(calls, [{ tool: "lookup_order", args: { order_id: "ORD-1" } }]);
  await client.close();
  assert.equal(await mcp.exited(), 0, mcp.stderr);

  for (const line of mcp.transport.lines) assert.equal(JSON.parse(line).jsonrpc, "2.0", line);
  assert.match(mcp.stderr, /\[mirage\] mcp on stdio → /, "the start line is on stderr");
  assert.match(mcp.stderr, /fixture server started/, "the server's stderr is passed through");
  assert.match(mcp.stderr, /"outcome":"policy_violation"/, "decision lines go to stderr");
  const trace = await readTrace(mcp.traces, "desktop");
  assert.deepEqual(trace?.events.map((e) => [e.request.tool, e.outcome]), [
    ["lookup_order", "allowed"],
    ["issue_refund", "policy_violation"],
    ["calls", "allowed"],
  ]);
});

Deno.test("stdio: concurrent calls and refusals share one writer: every line is one whole message", async () => {
  await using mcp = await McpProcess.start([
    "--",
    ...SERVER,
  ]);
  const client = await mcp.client();
  const size = 50_000;
  const results = await Promise.all(
    Array.from({ length: 24 }, (_, n) =>
      n % 3 === 0
        ? client.callTool({
          name: "issue_refund",
          arguments: { order_id: `R${n}`, amount: 900 + n },
        })
        : call(client, "padded", { n, size })),
  );
  results.forEach((r, n) => {
    if (n % 3 === 0) assert.equal(textOf(r), "Refunds above 500 need a supervisor.");
    else assert.equal(textOf(r), `${n}:${String(n % 10).repeat(size)}`);
  });
  await client.close();
  assert.equal(await mcp.exited(), 0);
  const long = mcp.transport.lines.filter((l) => l.length > size);
  assert.equal(long.length, 16);
  for (const line of mcp.transport.lines) JSON.parse(line);
});

Deno.test("stdio: the server's exit code is Mirage's; the client leaving stops the server", async () => {
  {
    await using mcp = await McpProcess.start([
      "--",
      ...SERVER,
    ]);
    const client = await mcp.client();
    await call(client, "exit_with", { code: 3 }).catch(() => {});
    assert.equal(await mcp.exited(), 3);
  }
  await using mcp = await McpProcess.start([
    "--",
    ...SERVER,
  ]);
  const client = await mcp.client();
  await client.listTools();
  const pid = Number((await mcp.waitForStderr(/fixture server started pid=(\d+)/))[1]);
  assert.ok(alive(pid), "the server runs");
  await client.close();
  assert.equal(await mcp.exited(), 0);
  assert.equal(alive(pid), false, "the server ended with its client");
});

Deno.test("stdio: refusals carry the request's id; a cancellation of a refused id never reaches the server", async () => {
  await using mcp = await McpProcess.start([
    "--",
    ...SERVER,
  ]);
  const t = mcp.transport;
  await t.start();
  const line = (m: unknown) => t.sendRaw(`${JSON.stringify(m)}\n`);
  await line(initializeMessage("init"));
  await line({ jsonrpc: "2.0", method: "notifications/initialized" });
  await line(callMessage("call-9", "delete_account", { customer_id: "C" }));
  await line({
    jsonrpc: "2.0",
    method: "notifications/cancelled",
    params: { requestId: "call-9" },
  });
  await t.sendRaw("{not json\n");
  await line({ jsonrpc: "2.0", id: "ping-1", method: "ping" });
  const until = Date.now() + 15_000;
  // The SDK's message schema rejects an error with id null: read the raw lines.
  while (t.lines.length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await t.close();
  await mcp.exited();
  const seen = t.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const byId = new Map(seen.map((m) => [m.id, m]));
  const refusal = byId.get("call-9")?.result as { isError: boolean; content: { text: string }[] };
  assert.equal(refusal.isError, true);
  assert.equal(refusal.content[0]?.text, "Accounts are closed by a human, never by the agent.");
  assert.equal((byId.get(null)?.error as { code: number }).code, -32700);
  assert.deepEqual(byId.get("ping-1")?.result, {});
  assert.doesNotMatch(
    mcp.stderr,
    /fixture got .*call-9/,
    "neither the call nor its cancellation arrived",
  );
  assert.match(mcp.stderr, /fixture got .*ping-1/);
});

Deno.test("stdio: --hide-blocked-tools filters the server's tools/list", async () => {
  await using mcp = await McpProcess.start([
    "--hide-blocked-tools",
    "--",
    ...SERVER,
  ]);
  const client = await mcp.client();
  const names = (await client.listTools()).tools.map((tool) => tool.name);
  await client.close();
  assert.ok(names.includes("lookup_order"));
  assert.ok(!names.includes("delete_account"), names.join(", "));
});

Deno.test("stdio mocks server: a real client in CI with no server; gate-run fails the run", async () => {
  await using mcp = await McpProcess.start([
    "--mocks",
    FIXTURES.mocks,
    "--run-id",
    "ci-stdio",
  ]);
  const client = await mcp.client();
  const tools = (await client.listTools()).tools.map((t) => t.name);
  assert.deepEqual(tools, ["lookup_order", "issue_refund", "delete_account"]);
  const calls = await Promise.all([
    call(client, "lookup_order", { order_id: "ORD-5" }),
    call(client, "issue_refund", { order_id: "ORD-5", amount: 700 }),
  ]);
  assert.deepEqual(calls[0]?.structuredContent, { order_id: "ORD-5", status: "shipped" });
  assert.equal(textOf(calls[1]), "Refunds above 500 need a supervisor.");
  await client.close();
  assert.equal(await mcp.exited(), 0);
  for (const line of mcp.transport.lines) JSON.parse(line);
  const gated = await runCli(["gate-run", "--traces", mcp.traces]);
  assert.equal(gated.code, 1, gated.stdout);
  assert.match(gated.stdout, /ci-stdio/);
});

Deno.test({
  name:
    "stdio: the SDK's own StdioClientTransport spawns mirage mcp and reads allowed and refused calls",
  // The SDK's transport leaves a timer behind on close (why ChildTransport exists for the rest).
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const traces = await tempTraces();
    const base = ["mcp", "--policies", FIXTURES.policies, "--traces", traces, "--run-id", "sdk"];
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: cliArgs([...base, "--", ...SERVER]),
      cwd: ROOT,
      env: { NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "" },
      stderr: "ignore",
    });
    const client = new Client({ name: "sdk-stdio-test", version: "1.0.0" });
    try {
      await client.connect(transport);
      const lookup = await call(client, "lookup_order", { order_id: "ORD-2" });
      assert.equal(textOf(lookup), "order ORD-2: shipped");
      const refused = await call(client, "issue_refund", { order_id: "ORD-2", amount: 900 });
      assert.equal(refused.isError, true);
      assert.equal(textOf(refused), "Refunds above 500 need a supervisor.");
    } finally {
      await client.close();
    }
    // close() ends the server's stdin and returns; Mirage writes the trace as it exits.
    let trace = await readTrace(traces, "sdk");
    for (let n = 0; n < 300 && trace === undefined; n++) {
      await new Promise((r) => setTimeout(r, 50));
      trace = await readTrace(traces, "sdk");
    }
    assert.deepEqual(trace?.events.map((e) => [e.request.tool, e.outcome]), [
      ["lookup_order", "allowed"],
      ["issue_refund", "policy_violation"],
    ]);
    await Deno.remove(traces, { recursive: true });
  },
});
