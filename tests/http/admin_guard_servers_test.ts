/**
 * One admin guard on every surface: `mirage proxy` and `mirage gateway`, as users run them,
 * bound to every interface and called from loopback and from this machine's own non-loopback
 * address. `health` always open; loopback only without a token; the admin token (flag or
 * `MIRAGE_ADMIN_TOKEN`) for everyone once set; `v1/decide` on its own token.
 */

import assert from "node:assert/strict";
import { type CliResult, startProxyProcess } from "../support/cli_process.ts";
import { type Workspace, workspace } from "../support/fixtures.ts";
import { GatewayProcess } from "../gateway/gateway_process.ts";
import { POLICIES } from "../gateway/harness.ts";
import { TestUpstream } from "../gateway/upstream_server.ts";

/** An IPv4 address of this machine that is not loopback: clients from there are remote. */
async function remoteAddress(): Promise<string> {
  const out = await new Deno.Command("hostname", { args: ["-I"], stdout: "piped" }).output();
  const found = new TextDecoder().decode(out.stdout).split(/\s+/).find((ip) =>
    /^\d+\.\d+\.\d+\.\d+$/.test(ip) && !ip.startsWith("127.")
  );
  if (!found) throw new Error("these tests need a non-loopback IPv4 interface on this machine");
  return found;
}

interface Running {
  readonly port: number;
  stop(): Promise<CliResult>;
}

type Start = (args: string[], env?: Record<string, string>) => Promise<Running>;

function proxyStarter(ws: Workspace): Start {
  return async (args, env) => {
    const files = ["--mocks", ws.mocks, "--policies", ws.policies, "--traces", ws.traces];
    const p = await startProxyProcess([...files, "--host", "0.0.0.0", ...args], env);
    return { port: Number(new URL(p.url).port), stop: () => p.stop() };
  };
}

function gatewayStarter(upstream: TestUpstream, traces: string): Start {
  return async (args, env) => {
    const g = await GatewayProcess.start([
      ...["--upstream", upstream.url, "--mode", "enforce", "--policies", POLICIES],
      ...["--traces", traces, "--host", "0.0.0.0", "--no-decision-log", ...args],
    ], env);
    return { port: Number(new URL(g.url).port), stop: () => g.stop() };
  };
}

const ACTION = JSON.stringify({ method: "GET", url: "http://api.test/echo" });

async function status(
  host: string,
  port: number,
  path: string,
  token?: string,
  method = "GET",
): Promise<number> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const init: RequestInit = method === "POST"
    ? { method, headers: { ...headers, "content-type": "application/json" }, body: ACTION }
    : { headers };
  const res = await fetch(`http://${host}:${port}/_mirage${path}`, init);
  await res.body?.cancel();
  return res.status;
}

async function withServer(
  start: Start,
  args: string[],
  fn: (port: number) => Promise<void>,
  env?: Record<string, string>,
) {
  const server = await start(args, env);
  try {
    await fn(server.port);
  } finally {
    await server.stop();
  }
}

/** Every rule, against one surface (every surface serves `v1/decide`). */
async function checkRules(start: Start): Promise<void> {
  const remote = await remoteAddress();
  const local = "127.0.0.1";
  const decided = 200;
  await withServer(start, [], async (port) => {
    assert.equal(await status(remote, port, "/health"), 200, "health is always open");
    assert.equal(await status(local, port, "/metrics"), 200);
    assert.equal(await status(local, port, "/v1/runs"), 200);
    assert.equal(await status(local, port, "/v1/decide", undefined, "POST"), decided);
    assert.equal(await status(remote, port, "/metrics"), 403, "loopback only");
    assert.equal(await status(remote, port, "/v1/runs"), 403);
    assert.equal(await status(remote, port, "/v1/runs/x", "guess"), 403);
    assert.equal(await status(remote, port, "/v1/decide", undefined, "POST"), 403);
    assert.equal(await status(remote, port, "/nope"), 403, "the guard answers before a 404");
  });
  await withServer(start, ["--admin-token", "adm1n"], async (port) => {
    assert.equal(await status(remote, port, "/health"), 200);
    assert.equal(await status(local, port, "/metrics"), 401, "loopback included");
    assert.equal(await status(local, port, "/v1/runs", "wrong"), 401);
    assert.equal(await status(local, port, "/metrics", "adm1n"), 200);
    assert.equal(await status(remote, port, "/v1/runs", "adm1n"), 200);
    assert.equal(await status(remote, port, "/v1/decide", "adm1n", "POST"), decided);
  });
  await withServer(start, [], async (port) => {
    assert.equal(await status(local, port, "/metrics"), 401, "MIRAGE_ADMIN_TOKEN sets it too");
    assert.equal(await status(remote, port, "/metrics", "fr0m-env"), 200);
  }, { MIRAGE_ADMIN_TOKEN: "fr0m-env" });
  await withServer(start, ["--admin-token", "adm1n", "--decide-token", "g4te"], async (port) => {
    assert.equal(await status(remote, port, "/v1/decide", "g4te", "POST"), decided);
    assert.equal(await status(remote, port, "/v1/decide", "adm1n", "POST"), decided);
    assert.equal(await status(local, port, "/v1/decide", undefined, "POST"), 401);
    assert.equal(
      await status(remote, port, "/v1/runs", "g4te"),
      401,
      "decide token opens decide only",
    );
    assert.equal(await status(local, port, "/metrics", "g4te"), 401);
  });
  await withServer(start, [], async (port) => {
    assert.equal(await status(remote, port, "/v1/decide", "fr0m-env", "POST"), decided);
    assert.equal(await status(remote, port, "/v1/runs", "fr0m-env"), 403);
  }, { MIRAGE_DECIDE_TOKEN: "fr0m-env" });
}

Deno.test("admin guard on the proxy: every rule, v1/decide included", async () => {
  await using ws = await workspace();
  await checkRules(proxyStarter(ws));
});

Deno.test("admin guard on the gateway: every rule", async () => {
  const upstream = new TestUpstream();
  const traces = await Deno.makeTempDir({ prefix: "mirage-guard-" });
  try {
    await checkRules(gatewayStarter(upstream, traces));
    assert.deepEqual(upstream.seen, [], "no admin request reaches the upstream");
  } finally {
    await upstream.close();
    await Deno.remove(traces, { recursive: true });
  }
});
