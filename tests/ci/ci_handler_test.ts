/**
 * The CI request path shared by `session().fetch` and `mirage proxy`, and the readable event
 * lines of `assertClean()`.
 */

import assert from "node:assert/strict";
import {
  compileMocks,
  compilePolicies,
  type MocksDocument,
  type PolicyDocument,
  type TraceEvent,
} from "@mirage/core";
import { type CiContext, handleCiRequest } from "../../src/ci/ci_handler.ts";
import { describeEvent } from "../../src/trace/describe_event.ts";
import { redisStore } from "../../src/state/redis_store.ts";
import { type RecordedEvent, Recorder } from "../../src/trace/recorder.ts";
import { compileRedactor } from "../../src/trace/redact.ts";

const POLICIES: PolicyDocument = {
  policies: [{
    name: "cap",
    path: "/v1/bids",
    field: "amount",
    operator: "max",
    value: 10,
    message: "too much",
  }],
};
const MOCKS: MocksDocument = {
  mocks: [
    {
      name: "bid",
      method: "POST",
      path: "/v1/bids",
      response: { status_code: 201, json: { ok: true } },
    },
    {
      name: "gone",
      method: "DELETE",
      path: "/v1/bids/{id}",
      response: { status_code: 204, body: "ignored" },
    },
    { name: "slow", method: "GET", path: "/slow", response: { body: "late", delay_ms: 40 } },
  ],
};

function context(enforce = true): CiContext {
  const policies = compilePolicies(POLICIES);
  return {
    mode: enforce ? "enforce" : "passthrough",
    policies,
    mocks: compileMocks(MOCKS),
    redactor: compileRedactor(policies.redact),
    maxBody: 1024 * 1024,
  };
}

/** A recorder without a trace store, and what it recorded. */
function recording(): { recorder: Recorder; recorded: RecordedEvent[] } {
  const recorded: RecordedEvent[] = [];
  return { recorder: new Recorder({ observers: [(r) => recorded.push(r)] }), recorded };
}

function request(method: string, path: string, json?: unknown): Request {
  return new Request(`http://api.test${path}`, {
    method,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}

Deno.test("ci handler: without a trace store, the recorder numbers events per run", async () => {
  const ctx = context();
  const { recorder, recorded } = recording();
  const first = await handleCiRequest(
    ctx,
    recorder,
    request("POST", "/v1/bids", { amount: 1 }),
    "r",
  );
  const second = await handleCiRequest(
    ctx,
    recorder,
    request("POST", "/v1/bids", { amount: 99 }),
    "r",
  );
  assert.deepEqual([recorded[0]?.event.seq, first.status], [1, 201]);
  assert.deepEqual(await first.json(), { ok: true });
  assert.deepEqual([recorded[1]?.event.seq, second.status], [2, 403]);
  assert.equal((await second.json()).event, 2);
  assert.equal(typeof recorded[1]?.timing.decide_us, "number");
  assert.equal(typeof recorded[1]?.timing.evaluate_us, "number");
});

Deno.test("ci handler: a 204 mock answers with no body, a delayed mock waits", async () => {
  const ctx = context();
  const { recorder } = recording();
  const gone = await handleCiRequest(ctx, recorder, request("DELETE", "/v1/bids/3"), "r");
  assert.equal(gone.status, 204);
  assert.equal(gone.body, null);
  const start = performance.now();
  const slow = await handleCiRequest(ctx, recorder, request("GET", "/slow"), "r");
  assert.ok(performance.now() - start >= 35);
  assert.equal(slow.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await slow.text(), "late");
});

Deno.test("ci handler: passthrough serves the mock to a violation and records enforced false", async () => {
  const { recorder, recorded } = recording();
  const response = await handleCiRequest(
    context(false),
    recorder,
    request("POST", "/v1/bids", { amount: 99 }),
    "r",
  );
  assert.equal(response.status, 201);
  await response.body?.cancel();
  const event = recorded[0]?.event;
  assert.deepEqual([event?.outcome, event?.enforced, event?.policy], [
    "policy_violation",
    false,
    "cap",
  ]);
});

Deno.test("ci handler: an evaluation that fails is an error answered 503 in both modes", async () => {
  for (const enforce of [true, false]) {
    // A real Redis store with nothing listening: every call fails within its bound.
    const store = redisStore("redis://127.0.0.1:1", { timeoutMs: 200 });
    const policies = compilePolicies(
      {
        policies: [{
          name: "twice",
          path: "/v1/bids",
          operator: "count_lte",
          value: 1,
          message: "m",
        }],
      },
      { store },
    );
    const ctx: CiContext = { ...context(enforce), policies };
    const { recorder, recorded } = recording();
    const res = await handleCiRequest(
      ctx,
      recorder,
      request("POST", "/v1/bids", { amount: 1 }),
      "r",
    );
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.error, "evaluation_failed");
    assert.match(body.message, /redis:\/\/127\.0\.0\.1:1/);
    assert.deepEqual([recorded[0]?.event.outcome, recorded[0]?.event.response.status], [
      "error",
      503,
    ]);
    await store.close();
  }
});

Deno.test("describeEvent: one readable line per event", () => {
  const base: TraceEvent = {
    seq: 3,
    request: { method: "POST", path: "/v1/submit_bid" },
    outcome: "policy_violation",
    enforced: true,
    policy: "cap",
    decisions: [{
      policy: "cap",
      passed: false,
      action: "block",
      field: "amount",
      operator: "max",
      expected: 10,
      actual: 99,
      message: "too much",
    }],
    response: { status: 403 },
  };
  assert.equal(
    describeEvent(base),
    "#3 POST /v1/submit_bid → policy_violation · cap: amount max 10, got 99 — too much",
  );
  const missing = {
    ...base.decisions[0]!,
    actual: undefined,
    missing: true,
    message: "field 'amount' is missing",
  };
  assert.equal(
    describeEvent({ ...base, decisions: [missing] }),
    "#3 POST /v1/submit_bid → policy_violation · cap: amount max 10, missing — field 'amount' is missing",
  );
  assert.equal(
    describeEvent({
      ...base,
      request: { tool: "refund" },
      outcome: "unmatched_route",
      decisions: [],
    }),
    "#3 tool refund → unmatched_route",
  );
  assert.equal(
    describeEvent({ ...base, outcome: "error", decisions: [], error: "upstream timed out" }),
    "#3 POST /v1/submit_bid → error · upstream timed out",
  );
});
