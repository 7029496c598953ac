/**
 * `session()` end to end on the landing page's procurement scenario, and its modes: the
 * blocked answer, `assertClean()`, unmatched routes, global fetch interception, passthrough and
 * the per-request run id.
 */

import assert from "node:assert/strict";
import { MirageViolationError, readTrace, session } from "@mirage/core";
import { tempDir } from "../support/fixtures.ts";
import { API, postJson, PROCUREMENT, runProcurement } from "./procurement.ts";

/** The error a function throws. */
function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected an error");
}

Deno.test("session: the procurement run is stopped at the bid, before any side effect", async () => {
  await using dir = await tempDir();
  {
    await using mirage = await session({ runId: "procurement", ...PROCUREMENT, traces: dir.path });
    const [quote, suppliers, bid] = await runProcurement(mirage);
    assert.deepEqual([quote?.status, quote?.body], [200, { quote_id: "Q-001", price: 24500 }]);
    assert.equal(quote?.headers.get("x-mirage-outcome"), "allowed");
    assert.equal(quote?.headers.get("x-mirage-route"), "get_quote");
    assert.equal(suppliers?.status, 200);
    assert.equal((suppliers?.body as { suppliers: unknown[] }).suppliers.length, 3);

    assert.equal(bid?.status, 403);
    assert.equal(bid?.headers.get("content-type"), "application/json");
    assert.equal(bid?.headers.get("x-mirage-outcome"), "policy_violation");
    assert.equal(bid?.headers.get("x-mirage-policy"), "enforce_bid_limit");
    assert.equal(bid?.headers.get("x-mirage-run-id"), "procurement");
    const body = bid?.body as Record<string, unknown>;
    assert.deepEqual(
      { ...body, decisions: undefined },
      {
        error: "policy_violation",
        policy: "enforce_bid_limit",
        message: "Bids above 25,000 need human approval.",
        run_id: "procurement",
        event: 3,
        decisions: undefined,
      },
    );
    assert.deepEqual(
      (body.decisions as { policy: string; passed: boolean }[]).map((d) => [d.policy, d.passed]),
      [
        ["enforce_bid_limit", false],
        ["bid_needs_prior_quote", true],
        ["approved_suppliers_only", true],
      ],
    );

    assert.equal(mirage.outcome, "policy_violation");
    assert.equal(mirage.events.length, 3);
    const trace = mirage.trace;
    assert.equal(trace.side_effect_count, 0);
    assert.equal(trace.policy, "enforce_bid_limit");
    assert.deepEqual(trace.counts, {
      allowed: 2,
      flagged: 0,
      policy_violation: 1,
      unmatched_route: 0,
      error: 0,
    });
    assert.deepEqual(trace.events[2]?.request, {
      method: "POST",
      path: "/v1/submit_bid",
      headers: { "content-type": "application/json" },
      json: { amount: 50000, supplier_id: "SUP-001" },
    });
    assert.deepEqual(trace.events[2]?.decisions[0], {
      policy: "enforce_bid_limit",
      passed: false,
      action: "block",
      field: "amount",
      operator: "max",
      expected: 25000,
      actual: 50000,
      message: "Bids above 25,000 need human approval.",
    });
    assert.deepEqual(
      [trace.events[2]?.route, trace.events[2]?.enforced, trace.events[2]?.response],
      [
        "submit_bid",
        true,
        { status: 403 },
      ],
    );

    const e = thrown(() => mirage.assertClean());
    assert.ok(e instanceof MirageViolationError);
    for (
      const part of ["POST", "/v1/submit_bid", "enforce_bid_limit", "25000", "50000", "procurement"]
    ) {
      assert.ok(e.message.includes(part), `message names ${part}: ${e.message}`);
    }
    assert.equal(e.outcome, "policy_violation");
    assert.equal(mirage.tracePath, `${dir.path}/procurement.json`);
  }
  const onDisk = await readTrace(dir.path, "procurement");
  assert.equal(onDisk?.outcome, "policy_violation");
  assert.equal(onDisk?.side_effect_count, 0);
  assert.equal(onDisk?.events.length, 3);
});

Deno.test("session: a clean run passes assertClean, a flagged one only when asked", async () => {
  await using mirage = await session({ runId: "clean", ...PROCUREMENT, traces: false });
  await postJson(mirage, "/v1/get_quote", { sku: "SKU-1", quantity: 10 });
  mirage.assertClean();
  const flagged = await postJson(mirage, "/v1/get_quote", { sku: "SKU-1", quantity: 5000 });
  assert.equal(flagged.status, 200);
  assert.equal(flagged.headers.get("x-mirage-outcome"), "flagged");
  assert.equal(flagged.headers.get("x-mirage-policy"), "flag_bulk_quotes");
  await flagged.body?.cancel();
  mirage.assertClean();
  assert.throws(() => mirage.assertClean({ failOnFlagged: true }), /flag_bulk_quotes/);
  assert.equal(mirage.outcome, "flagged");
});

Deno.test("session: a request outside the declared mocks is answered 404 unmatched_route", async () => {
  await using mirage = await session({ runId: "unmatched", ...PROCUREMENT, traces: false });
  const res = await mirage.fetch(`${API}/v1/wire_money`, { method: "POST", body: "{}" });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get("x-mirage-outcome"), "unmatched_route");
  assert.equal(res.headers.get("x-mirage-policy"), null);
  const body = await res.json();
  assert.equal(body.error, "unmatched_route");
  assert.match(body.message, /POST \/v1\/wire_money/);
  assert.equal(mirage.outcome, "unmatched_route");
  assert.equal(mirage.trace.side_effect_count, 0);
  assert.throws(() => mirage.assertClean(), /unmatched_route/);
});

Deno.test("session: a relative URL is served from the mocks", async () => {
  await using mirage = await session({ runId: "relative", ...PROCUREMENT, traces: false });
  const res = await mirage.fetch("/v1/orders/ORD-3");
  assert.deepEqual(await res.json(), { order_id: "ORD-3", status: "pending" });
});

Deno.test("session: interceptGlobalFetch routes globalThis.fetch and restores it on dispose", async () => {
  const original = globalThis.fetch;
  {
    await using mirage = await session({
      runId: "intercept",
      ...PROCUREMENT,
      traces: false,
      interceptGlobalFetch: true,
    });
    assert.notEqual(globalThis.fetch, original);
    const res = await fetch(`${API}/v1/budget`);
    assert.deepEqual(await res.json(), { currency: "EUR", remaining: 100000 });
    const blocked = await fetch(`${API}/v1/submit_bid`, { method: "POST", body: '{"amount":1}' });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.headers.get("x-mirage-policy"), "bid_needs_prior_quote");
    await blocked.body?.cancel();
    assert.equal(mirage.events.length, 2);
  }
  assert.equal(globalThis.fetch, original);
});

Deno.test("session: passthrough serves the mock and records the exposure", async () => {
  await using dir = await tempDir();
  {
    await using mirage = await session({
      runId: "shadow",
      ...PROCUREMENT,
      mode: "passthrough",
      traces: dir.path,
    });
    const [, , bid] = await runProcurement(mirage);
    assert.deepEqual([bid?.status, bid?.body], [201, { order_id: "ORD-9" }]);
    assert.equal(bid?.headers.get("x-mirage-outcome"), "policy_violation");
    assert.equal(bid?.headers.get("location"), "/v1/orders/ORD-9");
    const event = mirage.events[2];
    assert.deepEqual([event?.outcome, event?.enforced, event?.response.status], [
      "policy_violation",
      false,
      201,
    ]);
    assert.equal(mirage.trace.side_effect_count, 1);
    assert.throws(() => mirage.assertClean(), MirageViolationError);
  }
  const onDisk = await readTrace(dir.path, "shadow");
  assert.equal(onDisk?.side_effect_count, 1);
  assert.equal(onDisk?.events[2]?.enforced, false);
});

Deno.test("session: passthrough has no mock to serve for an unmatched route", async () => {
  await using mirage = await session({
    runId: "p",
    ...PROCUREMENT,
    mode: "passthrough",
    traces: false,
  });
  const res = await mirage.fetch(`${API}/v1/nowhere`, { method: "DELETE" });
  assert.equal(res.status, 404);
  await res.body?.cancel();
  assert.deepEqual([mirage.events[0]?.outcome, mirage.events[0]?.enforced], [
    "unmatched_route",
    true,
  ]);
  assert.equal(mirage.trace.side_effect_count, 0);
});

Deno.test("session: an x-mirage-run-id header overrides the session's run id", async () => {
  await using dir = await tempDir();
  {
    await using mirage = await session({ runId: "main", ...PROCUREMENT, traces: dir.path });
    const res = await mirage.fetch(`${API}/v1/suppliers`, {
      headers: { "x-mirage-run-id": "agent-b" },
    });
    assert.equal(res.headers.get("x-mirage-run-id"), "agent-b");
    await res.body?.cancel();
    await (await mirage.fetch(`${API}/v1/suppliers`)).body?.cancel();
    assert.equal(mirage.events.length, 1);
  }
  const other = await readTrace(dir.path, "agent-b");
  assert.equal(other?.run_id, "agent-b");
  assert.equal(other?.events.length, 1);
  assert.equal(other?.events[0]?.request.headers, undefined, "the run id header is not recorded");
  assert.equal((await readTrace(dir.path, "main"))?.events.length, 1);
});

Deno.test("session: an empty x-mirage-run-id header counts as absent, as on the servers", async () => {
  await using mirage = await session({ runId: "main", ...PROCUREMENT, traces: false });
  const res = await mirage.fetch(`${API}/v1/suppliers`, { headers: { "x-mirage-run-id": "" } });
  assert.equal(res.headers.get("x-mirage-run-id"), "main");
  await res.body?.cancel();
  assert.equal(mirage.events.length, 1);
  mirage.assertClean();
});

Deno.test("session: the run id comes from MIRAGE_RUN_ID when no option is given", async () => {
  Deno.env.set("MIRAGE_RUN_ID", "from-env");
  try {
    await using mirage = await session({ ...PROCUREMENT, traces: false });
    assert.equal(mirage.runId, "from-env");
  } finally {
    Deno.env.delete("MIRAGE_RUN_ID");
  }
  await using fallback = await session({ ...PROCUREMENT, traces: false });
  assert.equal(fallback.runId, "default");
});

Deno.test("session: assertClean covers requests sent under another run id", async () => {
  await using mirage = await session({ runId: "main", ...PROCUREMENT, traces: false });
  const res = await mirage.fetch(`${API}/v1/submit_bid`, {
    method: "POST",
    headers: { "x-mirage-run-id": "other" },
    body: JSON.stringify({ amount: 50000 }),
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.equal(mirage.events.length, 0);
  const error = thrown(() => mirage.assertClean());
  assert.ok(error instanceof MirageViolationError);
  assert.match(error.message, /submit_bid/);
});

Deno.test("session: a fetch after close is refused and the trace keeps its violation", async () => {
  await using dir = await tempDir();
  const mirage = await session({ runId: "closed", ...PROCUREMENT, traces: dir.path });
  await (await mirage.fetch(`${API}/v1/submit_bid`, {
    method: "POST",
    body: JSON.stringify({ amount: 50000 }),
  })).body?.cancel();
  await mirage.close();
  await assert.rejects(mirage.fetch(`${API}/v1/suppliers`), /closed/);
  assert.equal((await readTrace(dir.path, "closed"))?.outcome, "policy_violation");
});
