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
    enforce,
    policies,
    mocks: compileMocks(MOCKS),
    redactor: compileRedactor(policies.redact),
    traces: undefined,
  };
}

function request(method: string, path: string, json?: unknown): Request {
  return new Request(`http://api.test${path}`, {
    method,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}

Deno.test("ci handler: without a trace store, events are numbered by the counter", async () => {
  let n = 0;
  const counter = () => ++n;
  const ctx = context();
  const first = await handleCiRequest(
    ctx,
    request("POST", "/v1/bids", { amount: 1 }),
    "r",
    counter,
  );
  const second = await handleCiRequest(
    ctx,
    request("POST", "/v1/bids", { amount: 99 }),
    "r",
    counter,
  );
  assert.deepEqual([first.event.seq, first.response.status], [1, 201]);
  assert.deepEqual(await first.response.json(), { ok: true });
  assert.deepEqual([second.event.seq, second.response.status], [2, 403]);
  assert.equal((await second.response.json()).event, 2);
  assert.equal(typeof second.timing.decide_us, "number");
});

Deno.test("ci handler: a 204 mock answers with no body, a delayed mock waits", async () => {
  const ctx = context();
  const gone = await handleCiRequest(ctx, request("DELETE", "/v1/bids/3"), "r", () => 1);
  assert.equal(gone.response.status, 204);
  assert.equal(gone.response.body, null);
  const start = performance.now();
  const slow = await handleCiRequest(ctx, request("GET", "/slow"), "r", () => 1);
  assert.ok(performance.now() - start >= 35);
  assert.equal(slow.response.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await slow.response.text(), "late");
});

Deno.test("ci handler: passthrough serves the mock to a violation and records enforced false", async () => {
  const handled = await handleCiRequest(
    context(false),
    request("POST", "/v1/bids", { amount: 99 }),
    "r",
    () => 1,
  );
  assert.equal(handled.response.status, 201);
  await handled.response.body?.cancel();
  assert.deepEqual([handled.event.outcome, handled.event.enforced, handled.event.policy], [
    "policy_violation",
    false,
    "cap",
  ]);
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
