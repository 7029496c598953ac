/**
 * `mirage gate-run` as CI runs it: exit codes per outcome, the report, JUnit, the GitHub step
 * summary and annotations, and a command run under the in-process proxy.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runCli } from "../support/cli_process.ts";
import { tempDir, workspace } from "../support/fixtures.ts";
import { parseJunit } from "../support/junit_parse.ts";
import {
  allowed,
  failed,
  flagged,
  unmatched,
  violation,
  writeRun,
} from "../support/trace_events.ts";

const PROCUREMENT = [
  "--mocks",
  "mocks/procurement.yaml",
  "--policies",
  "policies/procurement.yaml",
];

Deno.test("gate-run: exit code for each outcome", async (t) => {
  const cases = [
    ["allowed", [allowed, allowed], [], 0],
    ["flagged", [allowed, flagged], [], 0],
    ["flagged with --fail-on flagged", [allowed, flagged], ["--fail-on", "flagged"], 1],
    ["policy_violation", [allowed, violation], [], 1],
    ["unmatched_route", [unmatched], [], 1],
    ["error", [allowed, failed], [], 1],
  ] as const;
  for (const [name, events, flags, code] of cases) {
    await t.step(name, async () => {
      await using dir = await tempDir();
      await writeRun(dir.path, "run-1", events);
      const r = await runCli(["gate-run", "--traces", dir.path, ...flags]);
      assert.equal(r.code, code, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        code === 0 ? /gate passed · 1 run clean/ : /gate failed · 1 of 1 run not clean/,
      );
    });
  }
});

Deno.test("gate-run: no traces, or a missing run, fails", async () => {
  await using dir = await tempDir();
  const empty = await runCli(["gate-run", "--traces", join(dir.path, "none")]);
  assert.equal(empty.code, 1);
  assert.match(empty.stdout, /no traces in .*none/);
  await writeRun(dir.path, "present", [allowed]);
  const missing = await runCli([
    "gate-run",
    "--traces",
    dir.path,
    "--run-id",
    "present",
    "--run-id",
    "absent",
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /no trace for run 'absent'/);
  const present = await runCli(["gate-run", "--traces", dir.path, "--run-id", "present"]);
  assert.equal(present.code, 0, present.stdout);
});

Deno.test("gate-run: the report shows counts, side effects, trace path and a Next hint", async () => {
  await using dir = await tempDir();
  await writeRun(dir.path, "bids", [allowed, violation]);
  await writeRun(dir.path, "calls", [unmatched, failed]);
  await writeRun(dir.path, "clean", [allowed]);
  const r = await runCli([
    "gate-run",
    "--traces",
    dir.path,
    "--policies",
    "p.yaml",
    "--mocks",
    "m.yaml",
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✗ run bids · policy_violation · enforce_bid_limit/);
  assert.match(
    r.stdout,
    /counts: 1 allowed · 0 flagged · 1 policy_violation · 0 unmatched_route · 0 error/,
  );
  assert.match(r.stdout, /side_effect_count: 0/);
  assert.match(r.stdout, new RegExp(`trace: ${join(dir.path, "bids.json")}`));
  assert.match(
    r.stdout,
    /#2 POST \/v1\/submit_bid → policy_violation · enforce_bid_limit: amount max 25000, got 50000/,
  );
  assert.match(
    r.stdout,
    /Next: fix the agent, or change policy enforce_bid_limit in p\.yaml if the limit is wrong/,
  );
  assert.match(r.stdout, /Next: declare a mock for DELETE \/v1\/orders in m\.yaml/);
  assert.match(
    r.stdout,
    /Next: check the upstream — Mirage answered 504 \(upstream timed out after 30000 ms\)/,
  );
  assert.match(r.stdout, /✓ run clean · allowed/);
  assert.match(r.stdout, /gate failed · 2 of 3 runs not clean/);
});

Deno.test("gate-run: JUnit XML has one suite per run and one case per event", async () => {
  await using dir = await tempDir();
  await writeRun(dir.path, "bids", [allowed, violation]);
  await writeRun(dir.path, "clean", [allowed]);
  const junit = join(dir.path, "reports", "mirage.xml");
  const r = await runCli(["gate-run", "--traces", dir.path, "--junit", junit]);
  assert.equal(r.code, 1);
  const xml = await Deno.readTextFile(junit);
  const suites = parseJunit(xml);
  assert.deepEqual(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures]), [
    ["bids", "2", "1"],
    ["clean", "1", "0"],
  ]);
  const [ok, bad] = suites[0]?.cases ?? [];
  assert.deepEqual(ok, { name: "#1 GET /v1/suppliers", classname: "mirage.bids" });
  assert.equal(bad?.name, "#2 POST /v1/submit_bid");
  assert.equal(bad?.failure?.type, "policy_violation");
  // The message has <, >, & and quotes: they must survive escaping.
  assert.match(
    bad?.failure?.message ?? "",
    /Bids above 25,000 need <human> approval & "sign-off"\.$/,
  );
  assert.match(bad?.failure?.text ?? "", /\nNext: fix the agent/);
  assert.doesNotMatch(xml, /<human>/);
});

Deno.test("gate-run: GitHub step summary and ::error annotations", async () => {
  await using dir = await tempDir();
  await writeRun(dir.path, "bids", [allowed, violation]);
  const summary = join(dir.path, "summary.md");
  await Deno.writeTextFile(summary, "# earlier step\n");
  const r = await runCli(["gate-run", "--traces", dir.path], {
    env: { GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: "true" },
  });
  assert.equal(r.code, 1);
  const md = await Deno.readTextFile(summary);
  assert.match(md, /^# earlier step\n## Mirage gate: failed ❌/);
  assert.match(
    md,
    /\| bids \| ❌ policy_violation \(enforce_bid_limit\) \| 1 \| 0 \| 1 \| 0 \| 0 \| 0 \| `.*bids\.json` \|/,
  );
  assert.match(
    md,
    /### Failing events\n\n- \*\*bids\*\* #2 POST \/v1\/submit_bid → policy_violation/,
  );
  assert.match(md, /&lt;human&gt;/);
  const annotation = r.stdout.split("\n").find((l) => l.startsWith("::error "));
  assert.ok(annotation, r.stdout);
  assert.match(
    annotation,
    /^::error title=Mirage policy_violation in run bids::#2 POST \/v1\/submit_bid/,
  );
  assert.match(annotation, /%0ANext: fix the agent/);
});

Deno.test("gate-run --json prints a machine-readable result", async () => {
  await using dir = await tempDir();
  await writeRun(dir.path, "bids", [allowed, violation]);
  const r = await runCli(["gate-run", "--traces", dir.path, "--json"]);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout);
  assert.equal(report.passed, false);
  assert.equal(report.runs[0].run_id, "bids");
  assert.equal(report.runs[0].outcome, "policy_violation");
  assert.deepEqual(report.runs[0].events.map((e: { fails: boolean }) => e.fails), [false, true]);
});

Deno.test("gate-run -- COMMAND runs the agent under the proxy and gates its run", async () => {
  await using dir = await tempDir();
  const junit = join(dir.path, "junit.xml");
  const r = await runCli([
    "gate-run",
    ...PROCUREMENT,
    "--traces",
    dir.path,
    "--run-id",
    "procurement",
    "--junit",
    junit,
    "--",
    Deno.execPath(),
    "run",
    "--allow-net",
    "--allow-env",
    join(ROOT, "scripts/procurement_agent.ts"),
  ]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /proxy listening on :\d+ · 12 routes · 4 policies/);
  assert.match(
    r.stderr,
    /agent → POST \/v1\/submit_bid policy_violation ✗ enforce_bid_limit \(max: 25000\)/,
  );
  assert.match(r.stdout, /✗ run procurement · policy_violation · enforce_bid_limit/);
  assert.match(r.stdout, /policies\/procurement\.yaml if the limit is wrong/);
  const trace = JSON.parse(await Deno.readTextFile(join(dir.path, "procurement.json")));
  assert.deepEqual(trace.counts, {
    allowed: 2,
    flagged: 0,
    policy_violation: 1,
    unmatched_route: 0,
    error: 0,
  });
  assert.equal(parseJunit(await Deno.readTextFile(junit))[0]?.attrs.failures, "1");
});

/** A command that makes one clean request through the proxy, then exits with `code`. */
function cleanAgent(code: number): string[] {
  const script = `const r = await fetch(Deno.env.get("MIRAGE_PROXY_URL") + "/v1/suppliers", ` +
    `{ headers: { "x-mirage-run-id": Deno.env.get("MIRAGE_RUN_ID") } }); await r.body?.cancel(); Deno.exit(${code});`;
  return [Deno.execPath(), "eval", script];
}

Deno.test("gate-run -- COMMAND: a failing command fails the gate with its exit code", async () => {
  await using ws = await workspace();
  const flags = ["--mocks", ws.mocks, "--policies", ws.policies, "--traces", ws.traces];
  const passing = await runCli(["gate-run", ...flags, "--json", "--", ...cleanAgent(0)]);
  assert.equal(passing.code, 0, passing.stdout + passing.stderr);
  const report = JSON.parse(passing.stdout);
  assert.equal(report.command.exit_code, 0);
  assert.match(report.runs[0].run_id, /^gate-/);

  const failing = await runCli(["gate-run", ...flags, "--", ...cleanAgent(3)]);
  assert.equal(failing.code, 1);
  assert.match(failing.stdout, /✓ run gate-\w+ · allowed/);
  assert.match(failing.stdout, /command exited with code 3/);
});

Deno.test("gate-run -- COMMAND: an agent that never reaches the proxy fails, whatever was there", async () => {
  await using ws = await workspace();
  await writeRun(ws.traces, "nightly", [allowed]);
  const flags = [
    "--mocks",
    ws.mocks,
    "--policies",
    ws.policies,
    "--traces",
    ws.traces,
    "--run-id",
    "nightly",
  ];
  const r = await runCli(["gate-run", ...flags, "--", Deno.execPath(), "eval", "Deno.exit(0)"]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /no trace for run 'nightly'/);
});

Deno.test("gate-run: bad flags exit 2", async () => {
  for (
    const args of [
      ["gate-run", "--fail-on", "allowed"],
      ["gate-run", "--", "true"],
      ["gate-run", ...PROCUREMENT, "--run-id", "a", "--run-id", "b", "--", "true"],
      ["gate-run", "--nope"],
    ]
  ) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /usage: mirage gate-run/);
  }
});
