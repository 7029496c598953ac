/**
 * Declared faults in `session()`: each kind answers as it says (a status with its own body, a
 * rejected fetch for a reset, a held call for a timeout, a later answer for a delay, an error
 * result for a tool), is recorded as what it is, and fires the same way for the same run, seed
 * and sequence — and never without a chaos switch.
 */

import assert from "node:assert/strict";
import { ChaosNetworkError, MirageError, session, type TraceEvent } from "@mirage/core";
import { tempDir } from "../support/fixtures.ts";

const POLICIES = `policies:
  - name: refund_cap
    tool: issue_refund
    field: amount
    operator: max
    value: 500
    message: Refunds above 500 need a supervisor.
`;

/** Every kind once, on its own route (rate 1), plus a 30% route and a tool fault. */
const MOCKS = `mocks:
  - name: busy
    method: POST
    path: /v1/busy/{id}
    response: { json: { ok: true } }
    faults:
      - fault: status
        status: 503
        headers: { retry-after: "2", x-order: "{{ params.id }}" }
        body: { error: "busy {{ params.id }}" }
  - name: text_busy
    method: GET
    path: /v1/text
    faults: [{ fault: status, status: 429, body: slow down }]
  - name: gone
    method: POST
    path: /v1/gone
    response: { json: { ok: true } }
    faults: [{ fault: reset }]
  - name: hangs
    method: GET
    path: /v1/hangs
    faults: [{ fault: timeout, after_ms: 50 }]
  - name: slow
    method: GET
    path: /v1/slow
    response: { json: { ok: true }, delay_ms: 5 }
    faults: [{ fault: delay, delay_ms: [10, 30] }]
  - name: pay
    method: POST
    path: /v1/pay
    response: { status_code: 201, json: { paid: true } }
    faults: [{ fault: status, rate: 0.3, status: 503 }]
tools:
  - name: issue_refund
    result: { json: { refunded: true } }
    faults: [{ fault: error, error: "refund of {{ args.amount }} failed" }]
  - name: lookup
    result: { text: found }
    faults: [{ fault: timeout, after_ms: 20 }]
  - name: search
    result: { text: results }
    faults: [{ fault: delay, delay_ms: 15 }]
chaos:
  payments_down:
    - { route: pay, fault: status, status: 502, body: { error: gateway } }
`;

const API = "http://api.test";

function responses(events: readonly TraceEvent[]): unknown[] {
  return events.map((e) => e.response);
}

Deno.test("chaos: a status fault answers its own status, headers and body, templated", async () => {
  await using mirage = await session({
    policies: POLICIES,
    mocks: MOCKS,
    traces: false,
    chaos: "1",
  });
  const res = await mirage.fetch(`${API}/v1/busy/O-7`, { method: "POST", body: "{}" });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "2");
  assert.equal(res.headers.get("x-order"), "O-7");
  assert.equal(res.headers.get("x-mirage-fault"), "status");
  assert.equal(res.headers.get("x-mirage-outcome"), "allowed");
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(await res.json(), { error: "busy O-7" });

  const text = await mirage.fetch(`${API}/v1/text`);
  assert.equal(text.status, 429);
  assert.equal(text.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await text.text(), "slow down");

  assert.deepEqual(responses(mirage.events), [
    { status: 503, fault: "status" },
    { status: 429, fault: "status" },
  ]);
  assert.deepEqual(mirage.events.map((e) => e.outcome), ["allowed", "allowed"]);
  mirage.assertClean();
});

Deno.test("chaos: a reset rejects the fetch with a TypeError, as a dropped connection does", async () => {
  await using mirage = await session({
    policies: POLICIES,
    mocks: MOCKS,
    traces: false,
    chaos: { seed: 1 },
  });
  const err = await mirage.fetch(`${API}/v1/gone`, { method: "POST", body: "{}" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof TypeError, String(err));
  assert.ok(err instanceof ChaosNetworkError);
  assert.equal(err.name, "TypeError");
  assert.equal(err.code, "reset");
  assert.deepEqual(responses(mirage.events), [{ fault: "reset" }]);
  assert.equal(mirage.outcome, "allowed", "the outcome stays the policy's");
});

Deno.test("chaos: a timeout holds the call until the caller gives up, or until after_ms", async () => {
  await using mirage = await session({
    policies: POLICIES,
    mocks: MOCKS,
    traces: false,
    chaos: "0",
  });
  const gaveUp = await mirage.fetch(`${API}/v1/hangs`, { signal: AbortSignal.timeout(10) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(gaveUp instanceof DOMException, String(gaveUp));
  assert.equal(gaveUp.name, "TimeoutError", "the caller's own reason, as fetch gives it");

  const bounded = await mirage.fetch(`${API}/v1/hangs`).then(() => undefined, (e: unknown) => e);
  assert.ok(bounded instanceof ChaosNetworkError);
  assert.equal(bounded.code, "timeout");
  assert.match(bounded.message, /no answer within 50 ms/);
  assert.deepEqual(responses(mirage.events), [{ fault: "timeout" }, { fault: "timeout" }]);
});

Deno.test("chaos: closing the session ends a call that a timeout holds", async () => {
  const mocks = `mocks:
  - name: hangs
    method: GET
    path: /v1/hangs
    faults: [{ fault: timeout, after_ms: 600000 }]
`;
  const mirage = await session({ policies: POLICIES, mocks, traces: false, chaos: "0" });
  const held = mirage.fetch(`${API}/v1/hangs`).then(() => undefined, (e: unknown) => e);
  while (mirage.events.length === 0) await new Promise((r) => setTimeout(r, 1));
  await mirage.close();
  const err = await held;
  assert.ok(err instanceof ChaosNetworkError, String(err));
  assert.match(err.message, /closed/);
});

Deno.test("chaos: a delay serves the mock later and records the drawn delay", async () => {
  await using mirage = await session({
    policies: POLICIES,
    mocks: MOCKS,
    traces: false,
    chaos: "3",
  });
  const res = await mirage.fetch(`${API}/v1/slow`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-mirage-fault"), "delay");
  assert.deepEqual(await res.json(), { ok: true });
  const [event] = mirage.events;
  assert.equal(event?.response.fault, "delay");
  const drawn = event?.response.delay_ms as number;
  assert.ok(Number.isInteger(drawn) && drawn >= 10 && drawn <= 30, String(drawn));
});

Deno.test("chaos: tool faults answer with an error result, after a timeout, or later", async () => {
  await using mirage = await session({
    policies: POLICIES,
    mocks: MOCKS,
    traces: false,
    chaos: "0",
  });
  const refund = await mirage.decideTool({ tool: "issue_refund", args: { amount: 20 } });
  assert.equal(refund.allowed, true);
  assert.deepEqual(refund.mock, {
    name: "issue_refund",
    result: { kind: "error", error: "refund of 20 failed" },
  });
  const lookup = await mirage.decideTool({ tool: "lookup", args: {} });
  assert.deepEqual(lookup.mock?.result, { kind: "error", error: "lookup timed out after 20 ms" });
  const search = await mirage.decideTool({ tool: "search", args: {} });
  assert.deepEqual(search.mock?.result, { kind: "text", text: "results" });
  const blocked = await mirage.decideTool({ tool: "issue_refund", args: { amount: 900 } });
  assert.equal(blocked.allowed, false);
  assert.equal(blocked.mock, undefined, "a stopped call is not answered, faulted or not");
  assert.deepEqual(responses(mirage.events), [
    { mock: "issue_refund", fault: "error" },
    { mock: "lookup", fault: "timeout" },
    { mock: "search", fault: "delay", delay_ms: 15 },
    {},
  ]);
  assert.equal(mirage.outcome, "policy_violation", "the refund cap, not the faults");
});

Deno.test("chaos: without a chaos switch, declared faults never fire", async () => {
  await using mirage = await session({ policies: POLICIES, mocks: MOCKS, traces: false });
  const res = await mirage.fetch(`${API}/v1/gone`, { method: "POST", body: "{}" });
  assert.deepEqual(await res.json(), { ok: true });
  const refund = await mirage.decideTool({ tool: "issue_refund", args: { amount: 20 } });
  assert.deepEqual(refund.mock?.result, { kind: "json", json: { refunded: true } });
  assert.deepEqual(responses(mirage.events), [{ status: 200 }, { mock: "issue_refund" }]);
});

Deno.test("chaos: a named profile turns on its faults only", async () => {
  await using mirage = await session({
    policies: POLICIES,
    mocks: MOCKS,
    traces: false,
    chaos: "payments_down",
  });
  const pay = await mirage.fetch(`${API}/v1/pay`, { method: "POST", body: "{}" });
  assert.equal(pay.status, 502);
  assert.deepEqual(await pay.json(), { error: "gateway" });
  const gone = await mirage.fetch(`${API}/v1/gone`, { method: "POST", body: "{}" });
  assert.equal(gone.status, 200, "the default profile's reset is off");
  await gone.body?.cancel();
});

/** Which of `n` payments a run's faults hit, by sequence number. */
async function faultedPayments(runId: string, chaos: string, n: number): Promise<number[]> {
  await using mirage = await session({
    runId,
    policies: POLICIES,
    mocks: MOCKS,
    traces: false,
    chaos,
  });
  for (let i = 0; i < n; i++) {
    await (await mirage.fetch(`${API}/v1/pay`, { method: "POST", body: "{}" })).body?.cancel();
  }
  return mirage.events.filter((e) => e.response.fault === "status").map((e) => e.seq);
}

Deno.test("chaos: a rate is a share of the run's calls, drawn the same way for the same run", async () => {
  const hit = await faultedPayments("checkout", "7", 1000);
  // The draw is a hash: fixed for this run and seed, and near the declared 30%.
  assert.ok(hit.length > 250 && hit.length < 350, String(hit.length));
  assert.deepEqual(await faultedPayments("checkout", "7", 1000), hit, "same run, same faults");
  assert.notDeepEqual(await faultedPayments("checkout", "8", 1000), hit, "another seed");
  assert.notDeepEqual(await faultedPayments("checkout-2", "7", 1000), hit, "another run");
});

Deno.test("chaos: the same run gives a byte-identical trace, faults included", async () => {
  await using dir = await tempDir();
  async function run(): Promise<string> {
    {
      await using mirage = await session({
        runId: "chaotic",
        policies: POLICIES,
        mocks: MOCKS,
        traces: dir.path,
        chaos: "11",
      });
      for (const path of ["/v1/busy/1", "/v1/gone", "/v1/pay", "/v1/pay", "/v1/pay"]) {
        await mirage.fetch(`${API}${path}`, { method: "POST", body: "{}" }).then(
          (r) => r.body?.cancel(),
          () => {},
        );
      }
      await mirage.decideTool({ tool: "issue_refund", args: { amount: 5 } });
    }
    return await Deno.readTextFile(`${dir.path}/chaotic.json`);
  }
  const first = await run();
  assert.equal(await run(), first);
  assert.match(first, /"fault": "reset"/);
});

Deno.test("chaos: a profile the mocks do not declare is an error, with a suggestion", async () => {
  await assert.rejects(
    session({ policies: POLICIES, mocks: MOCKS, traces: false, chaos: "payment_down" }),
    (e: unknown) =>
      e instanceof MirageError && e.code === "unknown_chaos_profile" &&
      /did you mean 'payments_down'/.test(e.message),
  );
  await assert.rejects(
    session({ policies: POLICIES, mocks: "mocks: []\n", traces: false, chaos: "7" }),
    /no faults are declared on the mocks/,
  );
  await assert.rejects(
    session({ policies: POLICIES, mocks: MOCKS, traces: false, chaos: "flaky:x" }),
    (e: unknown) => e instanceof MirageError && e.code === "invalid_chaos",
  );
});
