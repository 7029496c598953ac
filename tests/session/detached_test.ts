/**
 * Every function a session hands out works as a value, detached from it — the README's
 * `runMyAgent({ fetch: mirage.fetch, ... })` — and so do the gates' `decideTool`.
 */

import assert from "node:assert/strict";
import { guard, MirageViolationError, session } from "@mirage/core";
import { API, PROCUREMENT } from "./procurement.ts";

/** An agent that is handed its `fetch` and its tool gate as plain functions, as the README does. */
async function runMyAgent(deps: {
  fetch: typeof fetch;
  decideTool: (call: { tool: string; args?: unknown }) => Promise<{ allowed: boolean }>;
  baseUrl: string;
}): Promise<[number, number, boolean]> {
  const quote = await deps.fetch(`${deps.baseUrl}/v1/get_quote`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sku: "SKU-1", quantity: 1 }),
  });
  await quote.body?.cancel();
  const bid = await deps.fetch(`${deps.baseUrl}/v1/submit_bid`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ amount: 50000 }),
  });
  await bid.body?.cancel();
  const tool = await deps.decideTool({ tool: "search", args: { q: "steel" } });
  return [quote.status, bid.status, tool.allowed];
}

Deno.test("session: fetch, decideTool, assertClean and close work detached", async () => {
  const mirage = await session({ runId: "detached", ...PROCUREMENT, traces: false });
  const { fetch, decideTool, assertClean, close } = mirage;
  assert.deepEqual(await runMyAgent({ fetch, decideTool, baseUrl: API }), [200, 403, true]);
  assert.throws(() => assertClean(), MirageViolationError);
  await close();
  await assert.rejects(fetch(`${API}/v1/suppliers`), /closed/);
});

Deno.test("session: the async disposer works detached", async () => {
  const mirage = await session({ runId: "disposed", ...PROCUREMENT, traces: false });
  const dispose = mirage[Symbol.asyncDispose];
  await dispose();
  await assert.rejects(mirage.decideTool({ tool: "search" }), /closed/);
});

Deno.test("session: interceptGlobalFetch routes a detached globalThis.fetch too", async () => {
  const original = globalThis.fetch;
  {
    await using _mirage = await session({
      runId: "global",
      ...PROCUREMENT,
      traces: false,
      interceptGlobalFetch: true,
    });
    const detached = globalThis.fetch;
    const res = await detached(`${API}/v1/suppliers`);
    assert.equal(res.headers.get("x-mirage-outcome"), "allowed");
    await res.body?.cancel();
  }
  assert.equal(globalThis.fetch, original);
});

Deno.test("guard: decideTool and close work detached", async () => {
  const gate = await guard({ policies: { policies: [] } });
  const { decideTool, close } = gate;
  assert.equal((await decideTool({ tool: "search" })).allowed, true);
  await close();
});
