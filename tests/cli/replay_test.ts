/**
 * `mirage replay` through the real CLI, on the demo's trace (recorded here with `session()` and
 * the example agent, as `deno task demo` records it with the proxy) and on a real gateway's
 * passthrough traffic.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { session } from "@mirage/core";
import { startGateway } from "../../src/gateway/gateway.ts";
import { runProcurementAgent } from "../../scripts/procurement_agent.ts";
import { runCli } from "../support/cli_process.ts";
import { fromRoot } from "../support/examples.ts";
import { tempDir } from "../support/fixtures.ts";

const PROCUREMENT = await Deno.readTextFile(fromRoot("policies/procurement.yaml"));
const MOCKS = fromRoot("mocks/procurement.yaml");
const LIMIT = "    value: 25000\n";

function withLimit(limit: number): string {
  assert.ok(PROCUREMENT.includes(LIMIT));
  return PROCUREMENT.replace(LIMIT, `    value: ${limit}\n`);
}

/** `mirage replay --traces DIR --policies P ...`. */
function replay(traces: string, policies: string, ...more: string[]) {
  return runCli(["replay", "--traces", traces, "--policies", policies, ...more]);
}

/** The demo's run: the example agent quotes, lists suppliers, then bids 50,000. */
async function recordDemo(traces: string, policies: string): Promise<void> {
  await using mirage = await session({ runId: "procurement-run", policies, mocks: MOCKS, traces });
  await runProcurementAgent((input, init) => mirage.fetch(input, init), "http://api.acme.internal");
}

Deno.test("the demo trace under a raised limit: the blocked bid is now allowed", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await recordDemo(traces, fromRoot("policies/procurement.yaml"));
  const raised = join(dir.path, "raised.yaml");
  await Deno.writeTextFile(raised, withLimit(60000));

  const r = await replay(traces, raised);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^run procurement-run \(ci → enforce, 3 events\): 1 change, 0 undecidable$/m,
  );
  assert.match(
    r.stdout,
    /^ {2}#3 POST \/v1\/submit_bid: policy_violation \(enforce_bid_limit\) → allowed$/m,
  );
  assert.match(r.stdout, /^ {2}enforce_bid_limit +1 → 0 +0 → 0 +0$/m);
  assert.match(r.stdout, /^1 event changed, 0 undecidable$/m);

  const gate = await replay(traces, raised, "--fail-on-change", "--json");
  assert.equal(gate.code, 1);
  const report = JSON.parse(gate.stdout);
  assert.equal(report.events, 3);
  assert.deepEqual(
    report.changed.map((
      e: Record<string, unknown>,
    ) => [e.run_id, e.seq, e.action, e.before, e.after]),
    [[
      "procurement-run",
      3,
      "POST /v1/submit_bid",
      { outcome: "policy_violation", policy: "enforce_bid_limit", enforced: true },
      { outcome: "allowed", enforced: true },
    ]],
  );
  assert.deepEqual(report.rules.find((x: { rule: string }) => x.rule === "enforce_bid_limit"), {
    rule: "enforce_bid_limit",
    before: { block: 1, flag: 0 },
    after: { block: 0, flag: 0 },
    undecidable: 0,
  });

  const same = await replay(traces, "policies/procurement.yaml", "--fail-on-change");
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /^run procurement-run \(ci → enforce, 3 events\): no change$/m);
});

Deno.test("and the reverse: a bid allowed under a raised limit is now blocked under a lowered one", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  const raised = join(dir.path, "raised.yaml");
  await Deno.writeTextFile(raised, withLimit(60000));
  await recordDemo(traces, raised);
  const lowered = join(dir.path, "lowered.yaml");
  await Deno.writeTextFile(lowered, withLimit(10000));

  const r = await replay(traces, lowered, "--run", "procurement-run");
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^ {2}#3 POST \/v1\/submit_bid: allowed → policy_violation \(enforce_bid_limit\) · enforce_bid_limit: amount max 10000, got 50000 — Bids above 25,000 need human approval\.$/m,
  );
  assert.match(r.stdout, /^ {2}enforce_bid_limit +0 → 1 /m);
});

Deno.test("a gateway's passthrough traffic replayed in enforce mode, with what the trace cannot tell", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  const recorded = join(dir.path, "recorded.yaml");
  await Deno.writeTextFile(
    recorded,
    `policies:
  - { name: cap, method: POST, path: /v1/pay, field: amount, operator: max, value: 100, message: too much }
`,
  );
  const upstream = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response("ok"),
  );
  const gateway = await startGateway({
    upstream: new URL(`http://127.0.0.1:${upstream.addr.port}`),
    mode: "passthrough",
    policies: recorded,
    port: 0,
    traces,
    maxBody: 64,
    runId: "traffic",
    watch: false,
    log: () => {},
  });
  try {
    const send = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${gateway.url}${path}`, init);
      await res.body?.cancel();
    };
    const json = (value: unknown) => ({
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "secret" },
      body: JSON.stringify(value),
    });
    await send("/v1/pay", json({ amount: 500 }));
    await send("/v1/pay", json({ amount: 50 }));
    await send("/v1/upload", json({ blob: "x".repeat(200) }));
  } finally {
    await gateway.close();
    await upstream.shutdown();
  }

  const next = join(dir.path, "next.yaml");
  await Deno.writeTextFile(
    next,
    `policies:
  - { name: cap, method: POST, path: /v1/pay, field: amount, operator: max, value: 1000, message: too much }
  - { name: small_uploads, path: /v1/upload, field: blob, operator: length_lte, value: 10, message: too big }
  - { name: loopback_only, host: 127.0.0.1, field: method, operator: eq, value: POST, message: posts only }
  - { name: keyed, field: headers.x-api-key, operator: eq, value: secret, message: wrong key }
`,
  );
  const r = await replay(traces, next, "--mode", "enforce", "--json");
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.runs, [{
    run_id: "traffic",
    recorded_mode: "passthrough",
    mode: "enforce",
    events: 3,
    changed: 0,
    undecidable: 3,
  }]);
  // Every event carries the redacted x-api-key that rule 'keyed' compares.
  assert.match(
    report.undecidable[0].undecidable.join(),
    /rule 'keyed' reads headers\.x-api-key is redacted/,
  );
  assert.match(
    report.undecidable[2].undecidable.join(),
    /rule 'small_uploads' reads blob: the body was not inspected/,
  );

  await Deno.writeTextFile(
    next,
    (await Deno.readTextFile(next)).split("\n").slice(0, 4).join("\n") + "\n",
  );
  const text = await replay(traces, next, "--mode", "enforce");
  assert.match(
    text.stdout,
    /^run traffic \(passthrough → enforce, 3 events\): 1 change, 1 undecidable$/m,
  );
  assert.match(
    text.stdout,
    /^ {2}#1 POST \/v1\/pay: policy_violation \(cap, not enforced\) → allowed$/m,
  );
  assert.match(
    text.stdout,
    /^ {2}run traffic #3 POST \/v1\/upload \(recorded error \(not enforced\)\)$/m,
  );
});

Deno.test("replay usage errors exit 2; a missing run or an empty folder exit 1", async () => {
  await using dir = await tempDir();
  const none = await runCli(["replay", "--traces", dir.path]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /give --traces and --policies/);
  const mode = await replay(dir.path, "policies/procurement.yaml", "--mode", "strict");
  assert.equal(mode.code, 2);
  assert.match(mode.stderr, /--mode takes 'enforce' or 'passthrough', got 'strict'/);
  const empty = await replay(dir.path, "policies/procurement.yaml");
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /no traces in /);
  const run = await replay(dir.path, "policies/procurement.yaml", "--run", "nope");
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no trace for run 'nope'/);
});
