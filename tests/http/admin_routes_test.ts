import assert from "node:assert/strict";
import { join } from "node:path";
import { Hono } from "hono";
import { ADMIN_PREFIX, adminRoutes } from "../../src/http/admin_routes.ts";
import { Metrics } from "../../src/http/metrics.ts";
import { tempDir } from "../support/fixtures.ts";
import { allowed, violation, writeRun } from "../support/trace_events.ts";

function app(traces: string | undefined): Hono {
  const metrics = new Metrics();
  metrics.observe({ outcome: "allowed", failedPolicies: [], decideSeconds: 0.00001 });
  const app = new Hono();
  app.route(
    ADMIN_PREFIX,
    adminRoutes({ health: () => ({ mode: "enforce", routes: 3 }), metrics, traces }),
  );
  app.all("*", () => new Response("agent route", { status: 418 }));
  return app;
}

Deno.test("admin: health merges the server's fields with ok and uptime", async () => {
  const res = await app(undefined).request("/_mirage/health");
  const body = await res.json();
  assert.equal(body.ok, true);
  assert.equal(body.mode, "enforce");
  assert.equal(body.routes, 3);
  assert.equal(typeof body.uptime, "number");
});

Deno.test("admin: metrics as Prometheus text", async () => {
  const res = await app(undefined).request("/_mirage/metrics");
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  assert.match(await res.text(), /mirage_requests_total\{outcome="allowed"\} 1/);
});

Deno.test("admin: runs with summaries, one run's trace, 404s", async () => {
  await using dir = await tempDir();
  await writeRun(dir.path, "bids", [allowed, violation]);
  await writeRun(dir.path, "clean", [allowed]);
  const a = app(dir.path);
  const { runs } = await (await a.request("/_mirage/v1/runs")).json();
  assert.deepEqual(runs, [
    {
      run_id: "bids",
      outcome: "policy_violation",
      policy: "enforce_bid_limit",
      side_effect_count: 0,
      counts: { allowed: 1, flagged: 0, policy_violation: 1, unmatched_route: 0, error: 0 },
      events: 2,
      trace: join(dir.path, "bids.json"),
    },
    {
      run_id: "clean",
      outcome: "allowed",
      side_effect_count: 0,
      counts: { allowed: 1, flagged: 0, policy_violation: 0, unmatched_route: 0, error: 0 },
      events: 1,
      trace: join(dir.path, "clean.json"),
    },
  ]);
  const trace = await (await a.request("/_mirage/v1/runs/bids")).json();
  assert.equal(trace.mirage_trace, 1);
  assert.equal(trace.events.length, 2);
  const missing = await a.request("/_mirage/v1/runs/nope");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error, "not_found");
  const unknown = await a.request("/_mirage/nope");
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
  assert.equal((await a.request("/v1/anything")).status, 418);
});

Deno.test("admin: without a trace dir there are no runs", async () => {
  const a = app(undefined);
  assert.deepEqual(await (await a.request("/_mirage/v1/runs")).json(), { runs: [] });
  const res = await a.request("/_mirage/v1/runs/x");
  assert.equal(res.status, 404);
  await res.body?.cancel();
});
