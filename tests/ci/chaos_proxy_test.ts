/**
 * Declared faults in the CI proxy, seen from a real socket: a reset closes the connection with
 * no answer at all, a timeout holds it until the client gives up (or `after_ms`, or the proxy
 * stops), a status fault answers on the wire, tool faults reach `remoteGate`, and every fault is
 * in the run's trace.
 */

import assert from "node:assert/strict";
import { readTrace, remoteGate, type Trace } from "@mirage/core";
import { startProxy } from "../../src/ci/proxy.ts";
import { type Workspace, workspace } from "../support/fixtures.ts";

const MOCKS = `mocks:
  - name: pay
    method: POST
    path: /v1/pay
    response: { status_code: 201, json: { paid: true } }
  - name: gone
    method: GET
    path: /v1/gone
  - name: hangs
    method: GET
    path: /v1/hangs
  - name: forever
    method: GET
    path: /v1/forever
tools:
  - name: lookup
    result: { text: found }
chaos:
  outage:
    - { route: pay, fault: status, status: 503, body: { error: down } }
    - { route: gone, fault: reset }
    - { route: hangs, fault: timeout, after_ms: 100 }
    - { route: forever, fault: timeout, after_ms: 600000 }
    - { tool: lookup, fault: error, error: "lookup of {{ args.q }} failed" }
`;

async function traceOf(ws: Workspace): Promise<Trace> {
  const trace = await readTrace(ws.traces, "outage");
  assert.ok(trace, "the run has a trace");
  return trace;
}

async function proxyIn(ws: Workspace, chaos?: string) {
  return await startProxy({
    policies: ws.policies,
    mocks: ws.mocks,
    port: 0,
    traces: ws.traces,
    runId: "outage",
    reloadOnSignal: false,
    watchFiles: false,
    log: () => {},
    ...(chaos ? { chaos } : {}),
  });
}

/** Sends a raw HTTP/1.1 request and reads until the proxy closes: every byte it answered. */
async function rawExchange(port: number, path: string): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    return new Uint8Array(chunks.flatMap((c) => [...c]));
  } finally {
    conn.close();
  }
}

Deno.test("chaos proxy: a reset closes the connection without a byte of answer", async () => {
  await using ws = await workspace("policies: []\n", MOCKS);
  const proxy = await proxyIn(ws, "outage");
  try {
    assert.equal((await rawExchange(proxy.port, "/v1/gone")).length, 0);
    const err = await fetch(`${proxy.url}/v1/gone`).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof TypeError, "a client sees a network error");
    const pay = await fetch(`${proxy.url}/v1/pay`, { method: "POST", body: "{}" });
    assert.equal(pay.status, 503, "the proxy keeps serving");
    assert.equal(pay.headers.get("x-mirage-fault"), "status");
    assert.deepEqual(await pay.json(), { error: "down" });
  } finally {
    await proxy.close();
  }
  const trace = await traceOf(ws);
  const faults = trace.events.map((e) => e.response.fault);
  assert.equal(faults[0], "reset");
  assert.equal(faults.at(-1), "status");
  assert.ok(faults.every((f) => f !== undefined));
  assert.equal(trace.outcome, "allowed", "faults leave the policy outcome alone");
});

Deno.test("chaos proxy: a timeout holds until the client gives up, or until after_ms", async () => {
  await using ws = await workspace("policies: []\n", MOCKS);
  const proxy = await proxyIn(ws, "outage");
  try {
    const gaveUp = await fetch(`${proxy.url}/v1/forever`, { signal: AbortSignal.timeout(50) })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(gaveUp instanceof DOMException && gaveUp.name === "TimeoutError", String(gaveUp));
    assert.equal((await rawExchange(proxy.port, "/v1/hangs")).length, 0, "dropped at 100 ms");
  } finally {
    await proxy.close();
  }
  const trace = await traceOf(ws);
  assert.deepEqual(trace.events.map((e) => e.response), [
    { fault: "timeout" },
    { fault: "timeout" },
  ]);
});

Deno.test("chaos proxy: stopping the proxy ends the calls a timeout holds", async () => {
  await using ws = await workspace("policies: []\n", MOCKS);
  const proxy = await proxyIn(ws, "outage");
  const held = rawExchange(proxy.port, "/v1/forever");
  while (!proxy.runIds.size) await new Promise((r) => setTimeout(r, 5));
  await proxy.close();
  assert.equal((await held).length, 0);
});

Deno.test("chaos proxy: tool faults answer remoteGate's calls with an error result", async () => {
  await using ws = await workspace("policies: []\n", MOCKS);
  const proxy = await proxyIn(ws, "outage");
  try {
    const gate = remoteGate(proxy.url);
    const v = await gate.decideTool({ tool: "lookup", args: { q: "S-1" } });
    assert.equal(v.allowed, true);
    assert.deepEqual(v.mock, {
      name: "lookup",
      result: { kind: "error", error: "lookup of S-1 failed" },
    });
  } finally {
    await proxy.close();
  }
  const trace = await traceOf(ws);
  assert.deepEqual(trace.events[0]?.response, { mock: "lookup", fault: "error" });
});

Deno.test("chaos proxy: without --chaos the same file serves its mocks", async () => {
  await using ws = await workspace("policies: []\n", MOCKS);
  const proxy = await proxyIn(ws);
  try {
    const pay = await fetch(`${proxy.url}/v1/pay`, { method: "POST", body: "{}" });
    assert.equal(pay.status, 201);
    assert.equal(pay.headers.get("x-mirage-fault"), null);
    await pay.body?.cancel();
    const gone = await fetch(`${proxy.url}/v1/gone`);
    assert.equal(gone.status, 200);
    await gone.body?.cancel();
  } finally {
    await proxy.close();
  }
});

Deno.test("chaos proxy: a profile the file does not declare stops the start", async () => {
  await using ws = await workspace("policies: []\n", MOCKS);
  await assert.rejects(
    proxyIn(ws, "outgae"),
    /unknown chaos profile 'outgae' \(did you mean 'outage'\?\)/,
  );
});

Deno.test("chaos proxy: a reload that drops the profile is refused, the old files keep serving", async () => {
  await using ws = await workspace("policies: []\n", MOCKS);
  const proxy = await proxyIn(ws, "outage");
  try {
    await Deno.writeTextFile(ws.mocks, MOCKS.slice(0, MOCKS.indexOf("chaos:")));
    assert.equal(await proxy.reload(), false);
    const pay = await fetch(`${proxy.url}/v1/pay`, { method: "POST", body: "{}" });
    assert.equal(pay.status, 503, "still the outage profile");
    await pay.body?.cancel();
  } finally {
    await proxy.close();
  }
});

Deno.test("chaos proxy: stopping the proxy ends a tool call that a timeout holds", async () => {
  const mocks = MOCKS.replace(
    '{ tool: lookup, fault: error, error: "lookup of {{ args.q }} failed" }',
    "{ tool: lookup, fault: timeout, after_ms: 600000 }",
  );
  await using ws = await workspace("policies: []\n", mocks);
  const proxy = await proxyIn(ws, "outage");
  const pending = remoteGate(proxy.url, { timeoutMs: 60_000 }).decideTool({ tool: "lookup" });
  // The held call is recorded when the hold starts; then the proxy stops under it (the gate's
  // own timeout is far off, so the call cannot end any other way).
  while (!proxy.runIds.size) await new Promise((r) => setTimeout(r, 5));
  await proxy.close();
  const verdict = await pending;
  assert.deepEqual(verdict.mock?.result, {
    kind: "error",
    error: "lookup timed out after 600000 ms",
  }, "the held call ends as the timeout it declared");
  const trace = await traceOf(ws);
  assert.deepEqual(trace.events[0]?.response, { mock: "lookup", fault: "timeout" });
});
