/**
 * Running out of file descriptors never ends a server: `mirage proxy` and `mirage gateway` run
 * under `prlimit --nofile`, real sockets take every descriptor, and the server keeps running,
 * counts the accepts that failed, and serves again once descriptors are free — because the
 * clients left, or because the head timeout closed connections that never sent a request.
 */

import assert from "node:assert/strict";
import { type CliResult, startProxyProcess } from "../support/cli_process.ts";
import { workspace } from "../support/fixtures.ts";
import { GatewayProcess } from "../gateway/gateway_process.ts";
import { POLICIES } from "../gateway/harness.ts";
import { TestUpstream } from "../gateway/upstream_server.ts";

/** Descriptors the server may hold: a Deno process needs a few dozen of its own. */
const LIMIT = ["prlimit", "--nofile=160:160"];
/** Idle connections opened against it: more than it can hold. */
const CLIENTS = 300;

interface Server {
  readonly port: number;
  output(): string;
  stop(): Promise<CliResult>;
}

type Start = (args: string[]) => Promise<Server>;

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function healthy(port: number): Promise<boolean> {
  const abort = AbortSignal.timeout(1_000);
  try {
    const res = await fetch(`http://127.0.0.1:${port}/_mirage/health`, { signal: abort });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function metrics(port: number): Promise<string> {
  return await (await fetch(`http://127.0.0.1:${port}/_mirage/metrics`)).text();
}

function counter(text: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}]/g, "\\$&")} (\\d+)$`, "m").exec(text);
  return Number(m?.[1] ?? NaN);
}

async function openIdle(port: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < CLIENTS; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
  return conns;
}

async function exhaust(start: Start, args: string[], clientsLeave: boolean): Promise<void> {
  const server = await start(args);
  let conns: Deno.Conn[] = [];
  try {
    conns = await openIdle(server.port);
    await until(
      () => /cannot accept connections: .*Too many open files/.test(server.output()),
      "EMFILE",
    );
    if (clientsLeave) { for (const c of conns.splice(0)) c.close(); }
    await until(() => healthy(server.port), "the server to answer again");
    const text = await metrics(server.port);
    assert.ok(counter(text, 'mirage_accept_errors_total{code="EMFILE"}') > 0, text);
    assert.match(server.output(), /accepting connections again/);
    if (!clientsLeave) {
      assert.ok(counter(text, 'mirage_connections_closed_total{reason="head_timeout"}') > 0, text);
    }
  } finally {
    for (const c of conns) c.close();
    assert.equal((await server.stop()).code, 0, "the server ran to a clean stop");
  }
}

async function proxyStarter(): Promise<{ start: Start; done: () => Promise<void> }> {
  const ws = await workspace();
  const start: Start = async (args) => {
    const files = ["--mocks", ws.mocks, "--policies", ws.policies, "--traces", ws.traces];
    const p = await startProxyProcess([...files, "--no-watch", ...args], {}, LIMIT);
    const port = Number(new URL(p.url).port);
    return { port, output: () => p.process.stdout + p.process.stderr, stop: () => p.stop() };
  };
  return { start, done: async () => await ws[Symbol.asyncDispose]() };
}

async function gatewayStarter(): Promise<{ start: Start; done: () => Promise<void> }> {
  const upstream = new TestUpstream();
  const traces = await Deno.makeTempDir({ prefix: "mirage-fd-" });
  const start: Start = async (args) => {
    const g = await GatewayProcess.start(
      [
        ...["--upstream", upstream.url, "--mode", "enforce", "--policies", POLICIES],
        ...["--traces", traces, "--no-decision-log", ...args],
      ],
      {},
      LIMIT,
    );
    const port = Number(new URL(g.url).port);
    return { port, output: () => g.stdout + g.stderr, stop: () => g.stop() };
  };
  return {
    start,
    done: async () => {
      await upstream.close();
      await Deno.remove(traces, { recursive: true });
    },
  };
}

for (const [name, make] of [["proxy", proxyStarter], ["gateway", gatewayStarter]] as const) {
  Deno.test(`${name}: out of descriptors, it keeps running and serves again once clients leave`, async () => {
    const { start, done } = await make();
    try {
      await exhaust(start, [], true);
    } finally {
      await done();
    }
  });

  Deno.test(`${name}: idle connections that exhaust descriptors are closed by the head timeout`, async () => {
    const { start, done } = await make();
    try {
      await exhaust(start, ["--head-timeout-ms", "500"], false);
    } finally {
      await done();
    }
  });
}
