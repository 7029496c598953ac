/**
 * The admin routes on the gateway: `v1/decide` decides with the same evaluator, records the
 * decision and never reaches the upstream; runs, health and metrics; `--admin-token`.
 */

import assert from "node:assert/strict";
import { json, withGateway } from "./harness.ts";
import { rawRequest } from "./raw_client.ts";

async function decide(url: string, action: unknown, headers: Array<[string, string]> = []) {
  const res = await rawRequest(`${url}/_mirage/v1/decide`, {
    method: "POST",
    headers: [["content-type", "application/json"], ...headers],
    body: json(action),
  });
  return { status: res.status, body: JSON.parse(new TextDecoder().decode(res.body)) };
}

Deno.test("v1/decide answers the evaluation of HTTP and tool actions and never reaches the upstream", async () => {
  await withGateway({ mode: "enforce" }, async ({ gateway, upstream }) => {
    const blocked = await decide(gateway.url, {
      method: "POST",
      url: "http://api.test/echo",
      json: { amount: 500 },
      run_id: "sdk",
    });
    assert.equal(blocked.status, 200);
    assert.equal(blocked.body.outcome, "policy_violation");
    assert.equal(blocked.body.policy, "cap_amount");
    assert.equal(blocked.body.run_id, "sdk");
    assert.equal(blocked.body.event, 1);
    assert.equal(blocked.body.decisions[0].actual, 500);
    const allowed = await decide(gateway.url, {
      method: "POST",
      url: "http://api.test/echo",
      body: '{"amount":1}',
    }, [
      ["x-mirage-run-id", "sdk"],
    ]);
    assert.equal(allowed.body.outcome, "allowed");
    assert.equal(allowed.body.event, 2);
    const tool = await decide(gateway.url, { tool: "lookup", args: { q: "x" }, run_id: "sdk" });
    assert.equal(tool.body.outcome, "allowed");
    const invalid = await decide(gateway.url, { nothing: true });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error, "invalid_action");
    assert.deepEqual(upstream.seen, [], "a decide call must never be forwarded");

    const run = await rawRequest(`${gateway.url}/_mirage/v1/runs/sdk`);
    const trace = JSON.parse(new TextDecoder().decode(run.body));
    assert.equal(trace.run.events, 3);
    assert.equal(trace.events.length, 3);
    assert.deepEqual(trace.events.map((e: { outcome: string }) => e.outcome), [
      "policy_violation",
      "allowed",
      "allowed",
    ]);
    assert.equal(trace.events[2].request.tool, "lookup");
    const runs = JSON.parse(
      new TextDecoder().decode((await rawRequest(`${gateway.url}/_mirage/v1/runs`)).body),
    );
    assert.deepEqual(runs.runs.map((r: { run_id: string }) => r.run_id), ["sdk"]);
  });
});

Deno.test("health and Prometheus metrics: requests by outcome and policy, three latency histograms", async () => {
  await withGateway({}, async ({ gateway }) => {
    await rawRequest(`${gateway.url}/echo`, { method: "POST", body: json({ amount: 500 }) });
    await rawRequest(`${gateway.url}/echo`);
    const health = JSON.parse(
      new TextDecoder().decode((await rawRequest(`${gateway.url}/_mirage/health`)).body),
    );
    assert.equal(health.ok, true);
    assert.equal(health.mode, "enforce");
    assert.equal(health.policies, 3);
    const metrics = await rawRequest(`${gateway.url}/_mirage/metrics`);
    const text = new TextDecoder().decode(metrics.body);
    assert.match(text, /^mirage_requests_total\{outcome="allowed"\} 1$/m);
    assert.match(text, /^mirage_requests_total\{outcome="policy_violation"\} 1$/m);
    assert.match(text, /^mirage_policy_failures_total\{policy="cap_amount"\} 1$/m);
    assert.match(text, /^mirage_decision_seconds_count 2$/m);
    assert.match(text, /^mirage_time_to_decide_seconds_count 2$/m);
    assert.match(text, /^mirage_upstream_seconds_count 1$/m);
  });
});

Deno.test("--admin-token: admin routes need the bearer token; health and proxied routes do not", async () => {
  await withGateway({ args: ["--admin-token", "s3cret-token"] }, async ({ gateway }) => {
    const none = await rawRequest(`${gateway.url}/_mirage/metrics`);
    assert.equal(none.status, 401);
    const wrong = await rawRequest(`${gateway.url}/_mirage/metrics`, {
      headers: [["authorization", "Bearer nope"]],
    });
    assert.equal(wrong.status, 401);
    const right = await rawRequest(`${gateway.url}/_mirage/metrics`, {
      headers: [["authorization", "Bearer s3cret-token"]],
    });
    assert.equal(right.status, 200);
    assert.equal((await rawRequest(`${gateway.url}/_mirage/health`)).status, 200);
    const proxied = await rawRequest(`${gateway.url}/echo`);
    assert.equal(proxied.status, 200);
  });
});
