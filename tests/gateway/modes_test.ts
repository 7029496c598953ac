/**
 * Both modes as docs/outcomes.md says: enforce stops violations (403) and off-surface requests (404) with the
 * CI proxy's answers; passthrough forwards them and records `enforced: false`. Decision headers
 * are on every answer; every decision is one JSON line on stdout and one event in the trace.
 */

import assert from "node:assert/strict";
import { json, readTraceFile, SURFACE, withGateway } from "./harness.ts";
import { headerValues, rawRequest } from "./raw_client.ts";

const RUN = [["x-mirage-run-id", "modes"]] as Array<[string, string]>;

function post(url: string, body: unknown) {
  return rawRequest(url, {
    method: "POST",
    headers: [...RUN, ["content-type", "application/json"]],
    body: json(body),
  });
}

Deno.test("enforce: a violation gets the 403 JSON answer and never reaches the upstream", async () => {
  await withGateway({ mode: "enforce" }, async ({ gateway, upstream, traces }) => {
    const res = await post(`${gateway.url}/echo`, { amount: 500 });
    assert.equal(res.status, 403);
    assert.deepEqual(headerValues(res, "content-type"), ["application/json"]);
    assert.deepEqual(headerValues(res, "x-mirage-outcome"), ["policy_violation"]);
    assert.deepEqual(headerValues(res, "x-mirage-policy"), ["cap_amount"]);
    assert.deepEqual(headerValues(res, "x-mirage-run-id"), ["modes"]);
    const body = JSON.parse(new TextDecoder().decode(res.body));
    assert.equal(body.error, "policy_violation");
    assert.equal(body.policy, "cap_amount");
    assert.equal(body.message, "Amounts above 100 need approval.");
    assert.equal(body.event, 1);
    assert.equal(body.decisions[0].actual, 500);
    assert.deepEqual(upstream.seen, []);
    await gateway.stop();
    const trace = await readTraceFile(traces, "modes");
    assert.equal(trace.mode, "enforce");
    assert.equal(trace.outcome, "policy_violation");
    assert.equal(trace.side_effect_count, 0);
    const [event] = trace.events as Record<string, unknown>[];
    assert.deepEqual(event?.response, { status: 403 });
    assert.equal(event?.enforced, true);
  });
});

Deno.test("enforce: allowed and flagged requests are forwarded with decision headers", async () => {
  await withGateway({ mode: "enforce" }, async ({ gateway, upstream }) => {
    const allowed = await post(`${gateway.url}/echo`, { amount: 10 });
    assert.equal(allowed.status, 200);
    assert.deepEqual(headerValues(allowed, "x-mirage-outcome"), ["allowed"]);
    const flagged = await post(`${gateway.url}/echo`, { amount: 80 });
    assert.equal(flagged.status, 200);
    assert.deepEqual(headerValues(flagged, "x-mirage-outcome"), ["flagged"]);
    assert.deepEqual(headerValues(flagged, "x-mirage-policy"), ["flag_large_amount"]);
    assert.deepEqual(upstream.seen, ["/echo", "/echo"]);
  });
});

Deno.test("passthrough: a violation is forwarded, answered by the upstream and recorded enforced: false", async () => {
  await withGateway({ mode: "passthrough" }, async ({ gateway, upstream, traces }) => {
    const res = await post(`${gateway.url}/echo`, { amount: 500 });
    assert.equal(res.status, 200);
    assert.deepEqual(headerValues(res, "x-upstream"), ["yes"]);
    assert.deepEqual(headerValues(res, "x-mirage-outcome"), ["policy_violation"]);
    assert.deepEqual(headerValues(res, "x-mirage-policy"), ["cap_amount"]);
    assert.deepEqual(upstream.seen, ["/echo"]);
    await gateway.stop();
    const trace = await readTraceFile(traces, "modes");
    assert.equal(trace.mode, "passthrough");
    assert.equal(trace.outcome, "policy_violation");
    assert.equal(trace.side_effect_count, 1);
    const [event] = trace.events as Record<string, unknown>[];
    assert.equal(event?.enforced, false);
    assert.deepEqual(event?.response, { status: 200 });
  });
});

Deno.test("--surface, enforce: a request outside the declared routes gets the proxy's 404", async () => {
  await withGateway(
    { mode: "enforce", args: ["--surface", SURFACE] },
    async ({ gateway, upstream }) => {
      const res = await rawRequest(`${gateway.url}/admin/delete`, {
        method: "DELETE",
        headers: RUN,
      });
      assert.equal(res.status, 404);
      assert.deepEqual(headerValues(res, "x-mirage-outcome"), ["unmatched_route"]);
      const body = JSON.parse(new TextDecoder().decode(res.body));
      assert.equal(body.error, "unmatched_route");
      assert.equal(body.message, "no declared route matches DELETE /admin/delete");
      const inside = await rawRequest(`${gateway.url}/echo`, { headers: RUN });
      assert.equal(inside.status, 200);
      assert.deepEqual(headerValues(inside, "x-mirage-route"), ["echo"]);
      assert.deepEqual(upstream.seen, ["/echo"]);
    },
  );
});

Deno.test("--surface, passthrough: a request outside the declared routes is forwarded and recorded", async () => {
  await withGateway(
    { mode: "passthrough", args: ["--surface", SURFACE] },
    async ({ gateway, upstream, traces }) => {
      const res = await rawRequest(`${gateway.url}/elsewhere`, {
        method: "POST",
        headers: RUN,
        body: json({}),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(headerValues(res, "x-mirage-outcome"), ["unmatched_route"]);
      assert.deepEqual(upstream.seen, ["/elsewhere"]);
      await gateway.stop();
      const trace = await readTraceFile(traces, "modes");
      const [event] = trace.events as Record<string, unknown>[];
      assert.equal(event?.outcome, "unmatched_route");
      assert.equal(event?.enforced, false);
    },
  );
});

Deno.test("one JSON decision line per request on stdout; --no-decision-log turns it off", async () => {
  await withGateway({ mode: "enforce" }, async ({ gateway }) => {
    await post(`${gateway.url}/echo?x=1`, { amount: 10 });
    await post(`${gateway.url}/echo`, { amount: 500 });
    await gateway.stop();
    const lines = gateway.decisionLines();
    assert.equal(lines.length, 2);
    const [allowed, blocked] = lines;
    assert.deepEqual(Object.keys(allowed ?? {}), [
      "ts",
      "run_id",
      "method",
      "host",
      "path",
      "outcome",
      "policy",
      "status",
      "decide_us",
      "upstream_us",
    ]);
    assert.equal(allowed?.run_id, "modes");
    assert.equal(allowed?.path, "/echo");
    assert.equal(allowed?.host, "127.0.0.1");
    assert.equal(allowed?.status, 200);
    assert.equal(typeof allowed?.upstream_us, "number");
    assert.equal(blocked?.outcome, "policy_violation");
    assert.equal(blocked?.policy, "cap_amount");
    assert.equal(blocked?.status, 403);
    assert.equal(blocked?.upstream_us, null);
  });
  await withGateway({ args: ["--no-decision-log"] }, async ({ gateway }) => {
    await post(`${gateway.url}/echo`, { amount: 10 });
    await gateway.stop();
    assert.equal(gateway.stdout, "");
  });
});

Deno.test("run id: the header wins over MIRAGE_RUN_ID, then --run-id, then 'default'", async () => {
  await withGateway({ env: { MIRAGE_RUN_ID: "from-env" } }, async ({ gateway }) => {
    const fromEnv = await rawRequest(`${gateway.url}/echo`);
    assert.deepEqual(headerValues(fromEnv, "x-mirage-run-id"), ["from-env"]);
    const fromHeader = await rawRequest(`${gateway.url}/echo`, { headers: RUN });
    assert.deepEqual(headerValues(fromHeader, "x-mirage-run-id"), ["modes"]);
  });
  const flag = ["--run-id", "from-flag"];
  await withGateway({ env: { MIRAGE_RUN_ID: "from-env" }, args: flag }, async ({ gateway }) => {
    const res = await rawRequest(`${gateway.url}/echo`);
    assert.deepEqual(headerValues(res, "x-mirage-run-id"), ["from-env"]);
  });
  await withGateway({ args: flag }, async ({ gateway }) => {
    const res = await rawRequest(`${gateway.url}/echo`);
    assert.deepEqual(headerValues(res, "x-mirage-run-id"), ["from-flag"]);
  });
  await withGateway({}, async ({ gateway }) => {
    const res = await rawRequest(`${gateway.url}/echo`);
    assert.deepEqual(headerValues(res, "x-mirage-run-id"), ["default"]);
  });
});
