/**
 * An evaluation that throws: enforce fails closed (503, nothing forwarded), passthrough forwards
 * and records the error. In-process, with a real Redis state store that nothing answers.
 */

import assert from "node:assert/strict";
import { compilePolicies } from "../../src/engine/compile_policies.ts";
import { redisStore } from "../../src/state/redis_store.ts";
import { type DecisionLine, decisionLogObserver } from "../../src/log/decision_log.ts";
import { Forwarder } from "../../src/gateway/forward.ts";
import { type GatewayContext, handleGatewayRequest } from "../../src/gateway/gateway_handler.ts";
import { Recorder } from "../../src/trace/recorder.ts";
import { compileRedactor } from "../../src/trace/redact.ts";
import { RunIdRule } from "../../src/trace/run_id.ts";
import { IsoTimes } from "../../src/trace/timing.ts";
import { TestUpstream } from "./upstream_server.ts";

async function run(mode: "enforce" | "passthrough") {
  const upstream = new TestUpstream();
  const forwarder = new Forwarder({ upstream: new URL(upstream.url), timeoutMs: 5000 });
  const store = redisStore("redis://127.0.0.1:1", { timeoutMs: 200 });
  const policies = compilePolicies({
    policies: [{ name: "ten", operator: "count_lte", value: 10, message: "at most ten" }],
  }, { store });
  const lines: DecisionLine[] = [];
  const ctx: GatewayContext = {
    mode,
    maxBody: 1024,
    runIds: new RunIdRule({ option: "eval" }),
    config: () => ({ policies, surface: undefined, redactor: compileRedactor([]) }),
    forwarder,
    recorder: new Recorder({ observers: [decisionLogObserver((line) => lines.push(line))] }),
    afterAnswer: () => {},
    times: new IsoTimes(),
  };
  try {
    const res = await handleGatewayRequest(
      ctx,
      new Request("http://gw.test/echo", { method: "POST", body: "{}" }),
      "127.0.0.1",
    );
    const body = await res.text();
    return {
      status: res.status,
      outcome: res.headers.get("x-mirage-outcome"),
      body,
      seen: [...upstream.seen],
      lines,
    };
  } finally {
    forwarder.close();
    await store.close();
    await upstream.close();
  }
}

Deno.test("enforce: an evaluation error answers 503 and forwards nothing", async () => {
  const r = await run("enforce");
  assert.equal(r.status, 503);
  assert.equal(r.outcome, "error");
  assert.equal(JSON.parse(r.body).error, "evaluation_failed");
  assert.match(JSON.parse(r.body).message, /redis:\/\/127\.0\.0\.1:1/);
  assert.deepEqual(r.seen, []);
  assert.equal(r.lines[0]?.outcome, "error");
  assert.equal(r.lines[0]?.status, 503);
});

Deno.test("passthrough: an evaluation error forwards the request and records the error", async () => {
  const r = await run("passthrough");
  assert.equal(r.status, 200);
  assert.equal(r.outcome, "error");
  assert.deepEqual(r.seen, ["/echo"]);
  assert.equal(r.lines[0]?.outcome, "error");
  assert.equal(r.lines[0]?.status, 200);
});
