/**
 * `mirage proxy` as a user runs it: a subprocess on a free port, a real HTTP client, signals.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, startProxyProcess } from "../support/cli_process.ts";
import { POLICIES_YAML, postJson, type Workspace, workspace } from "../support/fixtures.ts";

async function json(response: Response): Promise<Record<string, unknown>> {
  return await response.json() as Record<string, unknown>;
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

/** The proxy flags serving a workspace's files into its trace directory, then `extra`. */
function served(ws: Workspace, ...extra: string[]): string[] {
  return ["--mocks", ws.mocks, "--policies", ws.policies, "--traces", ws.traces, ...extra];
}

Deno.test("proxy: allowed, flagged, policy_violation and unmatched_route answers", async () => {
  await using ws = await workspace();
  const proxy = await startProxyProcess(served(ws));
  try {
    const allowed = await fetch(
      `${proxy.url}/v1/get_quote`,
      postJson({ sku: "SKU-1", quantity: 10 }),
    );
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get("x-mirage-outcome"), "allowed");
    assert.equal(allowed.headers.get("x-mirage-run-id"), "default");
    assert.deepEqual(await json(allowed), { quote_id: "Q-001", price: 24500 });

    const flagged = await fetch(`${proxy.url}/v1/get_quote`, postJson({ quantity: 5000 }));
    assert.equal(flagged.status, 200);
    assert.equal(flagged.headers.get("x-mirage-outcome"), "flagged");
    assert.equal(flagged.headers.get("x-mirage-policy"), "flag_bulk_quotes");
    assert.deepEqual(await json(flagged), { quote_id: "Q-001", price: 24500 });

    const blocked = await fetch(
      `${proxy.url}/v1/submit_bid`,
      postJson({ amount: 50000 }, { "x-mirage-run-id": "bids" }),
    );
    assert.equal(blocked.status, 403);
    assert.equal(blocked.headers.get("content-type"), "application/json");
    assert.equal(blocked.headers.get("x-mirage-outcome"), "policy_violation");
    assert.equal(blocked.headers.get("x-mirage-policy"), "enforce_bid_limit");
    assert.equal(blocked.headers.get("x-mirage-run-id"), "bids");
    const body = await json(blocked);
    assert.equal(body.error, "policy_violation");
    assert.equal(body.policy, "enforce_bid_limit");
    assert.equal(body.message, "Bids above 25,000 need human approval.");
    assert.equal(body.run_id, "bids");
    assert.equal(body.event, 1);
    assert.deepEqual((body.decisions as { actual: unknown }[])[0]?.actual, 50000);

    const unmatched = await fetch(`${proxy.url}/v1/nope`);
    assert.equal(unmatched.status, 404);
    assert.equal(unmatched.headers.get("x-mirage-outcome"), "unmatched_route");
    assert.equal((await json(unmatched)).error, "unmatched_route");

    await proxy.process.waitFor(/agent → GET \/v1\/nope unmatched_route/);
    assert.match(proxy.process.stdout, /agent → POST \/v1\/get_quote allowed · \d+\.\dms/);
    assert.match(
      proxy.process.stdout,
      /agent → POST \/v1\/submit_bid policy_violation ✗ enforce_bid_limit \(max: 25000\) · \d+\.\dms/,
    );
  } finally {
    const result = await proxy.stop();
    assert.equal(result.code, 0, result.stderr);
  }
  const main = await readJson(join(ws.traces, "default.json"));
  assert.deepEqual(main.counts, {
    allowed: 1,
    flagged: 1,
    policy_violation: 0,
    unmatched_route: 1,
    error: 0,
  });
  const bids = await readJson(join(ws.traces, "bids.json"));
  assert.equal(bids.outcome, "policy_violation");
  assert.equal(bids.side_effect_count, 0);
});

Deno.test("proxy: admin routes report health, metrics and runs", async () => {
  await using ws = await workspace();
  const proxy = await startProxyProcess(served(ws));
  try {
    await (await fetch(`${proxy.url}/v1/submit_bid`, postJson({ amount: 50000 }))).body?.cancel();
    const health = await json(await fetch(`${proxy.url}/_mirage/health`));
    assert.equal(health.ok, true);
    assert.equal(health.routes, 4);
    assert.equal(health.policies, 2);
    assert.equal(health.mode, "enforce");
    assert.equal(typeof health.uptime, "number");

    const metrics = await fetch(`${proxy.url}/_mirage/metrics`);
    assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await metrics.text();
    assert.match(text, /^mirage_requests_total\{outcome="policy_violation"\} 1$/m);
    assert.match(text, /^mirage_policy_failures_total\{policy="enforce_bid_limit"\} 1$/m);
    assert.match(text, /^mirage_decision_seconds_count 1$/m);

    const runs = await json(await fetch(`${proxy.url}/_mirage/v1/runs`));
    assert.deepEqual(
      (runs.runs as { run_id: string; outcome: string }[]).map((r) => [r.run_id, r.outcome]),
      [
        ["default", "policy_violation"],
      ],
    );
    const page = await json(await fetch(`${proxy.url}/_mirage/v1/runs/default`));
    assert.equal((page.run as { policy: string }).policy, "enforce_bid_limit");
    assert.equal((page.events as unknown[]).length, 1);
    const missing = await fetch(`${proxy.url}/_mirage/v1/runs/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const unknownAdmin = await fetch(`${proxy.url}/_mirage/nope`);
    assert.equal(unknownAdmin.status, 404);
    await unknownAdmin.body?.cancel();
  } finally {
    assert.equal((await proxy.stop()).code, 0);
  }
  // Admin requests are not agent actions: the run holds the one bid only.
  const trace = await readJson(join(ws.traces, "default.json"));
  assert.equal((trace.events as unknown[]).length, 1);
});

Deno.test("proxy: run id comes from the header, then MIRAGE_RUN_ID, then --run-id", async () => {
  await using ws = await workspace();
  const flags = served(ws, "--run-id", "from-flag");
  for (
    const [env, expected] of [[{}, "from-flag"], [
      { MIRAGE_RUN_ID: "from-env" },
      "from-env",
    ]] as const
  ) {
    const proxy = await startProxyProcess(flags, env);
    try {
      const plain = await fetch(`${proxy.url}/v1/suppliers`);
      await plain.body?.cancel();
      assert.equal(plain.headers.get("x-mirage-run-id"), expected);
      const headed = await fetch(`${proxy.url}/v1/suppliers`, {
        headers: { "x-mirage-run-id": "from-header" },
      });
      await headed.body?.cancel();
      assert.equal(headed.headers.get("x-mirage-run-id"), "from-header");
    } finally {
      assert.equal((await proxy.stop()).code, 0);
    }
  }
});

Deno.test("proxy: passthrough serves the mock for a violation and records enforced: false", async () => {
  await using ws = await workspace();
  const proxy = await startProxyProcess(served(ws, "--mode", "passthrough"));
  try {
    const res = await fetch(`${proxy.url}/v1/submit_bid`, postJson({ amount: 50000 }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("x-mirage-outcome"), "policy_violation");
    assert.deepEqual(await json(res), { order_id: "ORD-9" });
    const health = await json(await fetch(`${proxy.url}/_mirage/health`));
    assert.equal(health.mode, "passthrough");
    await proxy.process.waitFor(
      /policy_violation ✗ enforce_bid_limit \(max: 25000\) \(not enforced\)/,
    );
  } finally {
    assert.equal((await proxy.stop()).code, 0);
  }
  const trace = await readJson(join(ws.traces, "default.json"));
  const [event] = trace.events as { enforced: boolean; response: { status: number } }[];
  assert.equal(event?.enforced, false);
  assert.equal(event?.response.status, 201);
  assert.equal(trace.side_effect_count, 1);
});

async function bidStatus(url: string, amount: number): Promise<number> {
  const res = await fetch(`${url}/v1/submit_bid`, postJson({ amount }));
  await res.body?.cancel();
  return res.status;
}

Deno.test("proxy: SIGHUP with a broken file keeps the old policies; a fixed file takes over", async () => {
  await using ws = await workspace();
  const proxy = await startProxyProcess(served(ws, "--no-watch"));
  try {
    assert.equal(await bidStatus(proxy.url, 30000), 403);
    await Deno.writeTextFile(ws.policies, POLICIES_YAML.replace("operator: max", "operator: maxx"));
    proxy.process.kill("SIGHUP");
    await proxy.process.waitFor(/reload \(SIGHUP\) failed; still serving the previous files/);
    await proxy.process.waitFor(/policies\.yaml:\d+:\d+: .*maxx/);
    assert.equal(await bidStatus(proxy.url, 30000), 403);

    await Deno.writeTextFile(ws.policies, POLICIES_YAML.replace("value: 25000", "value: 40000"));
    proxy.process.kill("SIGHUP");
    await proxy.process.waitFor(/\[mirage\] reloaded · 4 routes · 2 policies/);
    assert.equal(await bidStatus(proxy.url, 30000), 201);
    assert.equal(await bidStatus(proxy.url, 50000), 403);
  } finally {
    assert.equal((await proxy.stop()).code, 0);
  }
});

Deno.test("proxy: a changed policies file is reloaded without a signal", async () => {
  await using ws = await workspace();
  const proxy = await startProxyProcess(served(ws));
  try {
    assert.equal(await bidStatus(proxy.url, 30000), 403);
    await Deno.writeTextFile(ws.policies, POLICIES_YAML.replace("value: 25000", "value: 40000"));
    await proxy.process.waitFor(/\[mirage\] reloaded · 4 routes · 2 policies/);
    assert.equal(await bidStatus(proxy.url, 30000), 201);
  } finally {
    assert.equal((await proxy.stop()).code, 0);
  }
});

Deno.test("proxy: SIGTERM finishes the in-flight request, writes every event, exits 0", async () => {
  await using ws = await workspace();
  const proxy = await startProxyProcess(served(ws));
  await (await fetch(`${proxy.url}/v1/suppliers`)).body?.cancel();
  const slow = fetch(`${proxy.url}/v1/slow`);
  // The mock waits 800 ms before answering: stop the proxy while it does. A second SIGTERM
  // would end it at once, so only this one is sent.
  await new Promise((r) => setTimeout(r, 250));
  proxy.process.kill("SIGTERM");
  const res = await slow;
  assert.equal(res.status, 200);
  assert.deepEqual(await json(res), { done: true });
  const result = await proxy.process.finished();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /SIGTERM: finishing in-flight requests/);
  const trace = await readJson(join(ws.traces, "default.json"));
  const events = trace.events as { request: { path: string } }[];
  assert.deepEqual(events.map((e) => e.request.path), ["/v1/suppliers", "/v1/slow"]);
});

Deno.test("proxy: bad flags exit 2 with usage; --help exits 0", async () => {
  await using ws = await workspace();
  const cases = [
    ["proxy", "--policies", ws.policies],
    ["proxy", "--mocks", ws.mocks, "--policies", ws.policies, "--mode", "block"],
    ["proxy", "--mocks", ws.mocks, "--policies", ws.policies, "--port", "http"],
    ["proxy", "--mocks", ws.mocks, "--policies", ws.policies, "--bogus"],
  ];
  for (const args of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /usage: mirage proxy/);
  }
  const help = await runCli(["proxy", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--mode M/);
});

Deno.test("proxy: a broken or missing file at startup exits 1 with file:line:col", async () => {
  await using ws = await workspace(POLICIES_YAML.replace("operator: max", "operator: maxx"));
  const broken = await runCli([
    "proxy",
    "--mocks",
    ws.mocks,
    "--policies",
    ws.policies,
    "--port",
    "0",
  ]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /policies\.yaml:6:15: .*'maxx'.*did you mean 'max'/);
  const missing = await runCli([
    "proxy",
    "--mocks",
    join(ws.dir, "nope.yaml"),
    "--policies",
    ws.policies,
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /mocks file not found: .*nope\.yaml/);
});
