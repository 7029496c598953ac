import assert from "node:assert/strict";
import { join } from "node:path";
import { Hono } from "hono";
import { AdminGuard } from "../../src/http/admin_guard.ts";
import { adminRoutes } from "../../src/http/admin_routes.ts";
import { ADMIN_PREFIX } from "../../src/http/reserved_path.ts";
import { Metrics } from "../../src/http/metrics.ts";
import { tempDir } from "../support/fixtures.ts";
import { allowed, violation, writeRun } from "../support/trace_events.ts";

/** The connection info a server passes: a loopback client. */
const LOOPBACK = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 } };

function app(traces: string | undefined): { request: (path: string) => Promise<Response> } {
  const metrics = new Metrics();
  metrics.observe({ outcome: "allowed", failedPolicies: [], decideSeconds: 0.00001 });
  const app = new Hono();
  app.route(
    ADMIN_PREFIX,
    adminRoutes({
      health: () => ({ mode: "enforce", routes: 3 }),
      metrics,
      traces,
      guard: new AdminGuard(),
    }),
  );
  app.all("*", () => new Response("agent route", { status: 418 }));
  return { request: async (path) => await app.request(path, {}, LOOPBACK) };
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
  const at = "2026-01-01T00:00:00.000Z";
  const listing = await (await a.request("/_mirage/v1/runs")).json();
  assert.deepEqual(listing, {
    total: 2,
    offset: 0,
    limit: 100,
    runs: [
      {
        run_id: "bids",
        mode: "ci",
        outcome: "policy_violation",
        policy: "enforce_bid_limit",
        side_effect_count: 0,
        counts: { allowed: 1, flagged: 0, policy_violation: 1, unmatched_route: 0, error: 0 },
        events: 2,
        first_at: at,
        last_at: at,
        trace: join(dir.path, "bids.json"),
      },
      {
        run_id: "clean",
        mode: "ci",
        outcome: "allowed",
        side_effect_count: 0,
        counts: { allowed: 1, flagged: 0, policy_violation: 0, unmatched_route: 0, error: 0 },
        events: 1,
        first_at: at,
        last_at: at,
        trace: join(dir.path, "clean.json"),
      },
    ],
  });
  const page = await (await a.request("/_mirage/v1/runs/bids")).json();
  assert.equal(page.run.outcome, "policy_violation");
  assert.deepEqual(page.events.map((e: { seq: number }) => e.seq), [1, 2]);
  assert.equal(page.next_offset, null);
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
  assert.deepEqual(await (await a.request("/_mirage/v1/runs")).json(), {
    runs: [],
    total: 0,
    offset: 0,
    limit: 100,
  });
  const res = await a.request("/_mirage/v1/runs/x");
  assert.equal(res.status, 404);
  await res.body?.cancel();
});

Deno.test("admin: runs are paged newest first and filtered by outcome and mode", async () => {
  await using dir = await tempDir();
  for (const [id, events] of [["a", [allowed]], ["b", [violation]], ["c", [allowed, allowed]]]) {
    await writeRun(dir.path, id as string, events as typeof allowed[]);
    await new Promise((r) => setTimeout(r, 5));
  }
  const a = app(dir.path);
  const ids = async (query: string) =>
    (await (await a.request(`/_mirage/v1/runs${query}`)).json()).runs.map(
      (r: { run_id: string }) => r.run_id,
    );
  assert.deepEqual(await ids(""), ["a", "b", "c"], "same wall time: by run id");
  assert.deepEqual(await ids("?limit=2"), ["a", "b"]);
  assert.deepEqual(await ids("?offset=2&limit=2"), ["c"]);
  assert.deepEqual(await ids("?outcome=policy_violation"), ["b"]);
  assert.deepEqual(await ids("?mode=enforce"), []);
  const bad = await a.request("/_mirage/v1/runs?outcome=nope");
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error, "invalid_query");
  const tooMany = await a.request("/_mirage/v1/runs?limit=5000");
  assert.equal(tooMany.status, 400);
  await tooMany.body?.cancel();
});

Deno.test("admin: a run's events come a page at a time, and nothing is written", async () => {
  await using dir = await tempDir();
  await writeRun(
    dir.path,
    "long",
    Array.from({ length: 2_500 }, (_, i) => i % 3 ? allowed : violation),
  );
  const a = app(dir.path);
  const first = await (await a.request("/_mirage/v1/runs/long?limit=3")).json();
  assert.deepEqual(first.events.map((e: { seq: number }) => e.seq), [1, 2, 3]);
  assert.equal(first.next_offset, 3);
  assert.equal(first.run.events, 2_500);
  const deep = await (await a.request("/_mirage/v1/runs/long?offset=2498&limit=10")).json();
  assert.deepEqual(deep.events.map((e: { seq: number }) => e.seq), [2499, 2500]);
  assert.equal(deep.next_offset, null);
  assert.deepEqual(
    deep.events.map((e: { outcome: string }) => e.outcome),
    ["allowed", "policy_violation"],
  );
  const names = [];
  for await (const entry of Deno.readDir(dir.path)) names.push(entry.name);
  assert.ok(names.includes("long.json"), "writeRun's store materialised on close");
  const before = (await Deno.stat(join(dir.path, "long.json"))).mtime?.getTime();
  await (await a.request("/_mirage/v1/runs")).body?.cancel();
  await (await a.request("/_mirage/v1/runs/long")).body?.cancel();
  assert.equal((await Deno.stat(join(dir.path, "long.json"))).mtime?.getTime(), before);
});
