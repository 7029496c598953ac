/**
 * The GitHub Action's script, run as the runner would run it: inputs as INPUT_* variables, a
 * step summary file, GITHUB_ACTIONS=true. MIRAGE_CLI points it at this checkout's CLI.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { CONFIG, MAIN, ROOT } from "../support/cli_process.ts";
import { tempDir } from "../support/fixtures.ts";
import { allowed, flagged, violation, writeRun } from "../support/trace_events.ts";
import { parse } from "yaml";

const SCRIPT = join(ROOT, "scripts/action.sh");
const CLI = `${Deno.execPath()} run -A --config ${CONFIG} ${MAIN}`;

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
}

async function runAction(
  dir: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
) {
  const summary = join(dir, "step_summary.md");
  const out = await new Deno.Command("bash", {
    args: [SCRIPT],
    cwd: ROOT,
    env: {
      NO_COLOR: "1",
      GITHUB_ACTIONS: "true",
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: dir,
      MIRAGE_CLI: CLI,
      ...Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
      ),
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  const written = await Deno.readTextFile(summary).catch(() => "");
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
    summary: written,
  };
}

Deno.test("action: a clean trace dir passes, with a summary and no annotations", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await writeRun(traces, "clean", [allowed, allowed]);
  const r: ActionRun = await runAction(dir.path, { traces, fail_on: "" });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /\[mirage-action\] using MIRAGE_CLI/);
  assert.match(r.summary, /## Mirage gate: passed ✅/);
  assert.match(r.summary, /\| clean \| ✅ allowed \| 2 \| 0 \| 0 \| 0 \| 0 \| 0 \|/);
  assert.doesNotMatch(r.stdout, /::error/);
});

Deno.test("action: fail-on flagged fails a flagged run", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await writeRun(traces, "review", [allowed, flagged]);
  assert.equal((await runAction(dir.path, { traces })).code, 0);
  const r = await runAction(dir.path, { traces, fail_on: "flagged" });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^::error title=Mirage flagged in run review::/m);
});

Deno.test("action: a violating trace dir fails with annotations and a summary", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await writeRun(traces, "bids", [allowed, violation]);
  const r = await runAction(dir.path, { traces, policies: "policies/procurement.yaml" });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.summary, /## Mirage gate: failed ❌/);
  assert.match(r.summary, /\| bids \| ❌ policy_violation \(enforce_bid_limit\) \|/);
  assert.match(
    r.stdout,
    /^::error title=Mirage policy_violation in run bids::#2 POST \/v1\/submit_bid/m,
  );
  assert.match(
    r.stdout,
    /Next: fix the agent, or change policy enforce_bid_limit in policies\/procurement\.yaml/,
  );
});

Deno.test("action: the command input runs under the proxy; a bad input is a usage error", async () => {
  await using dir = await tempDir();
  const agent = `"${Deno.execPath()}" run --allow-net --allow-env scripts/procurement_agent.ts`;
  const inputs = {
    traces: join(dir.path, "traces"),
    mocks: "mocks/procurement.yaml",
    policies: "policies/procurement.yaml",
    command: agent,
    junit: join(dir.path, "junit.xml"),
  };
  const r = await runAction(dir.path, inputs);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /agent → POST \/v1\/submit_bid policy_violation/);
  assert.match(await Deno.readTextFile(inputs.junit), /<failure message="#3 POST \/v1\/submit_bid/);

  const usage = await runAction(dir.path, { traces: inputs.traces, fail_on: "everything" });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--fail-on takes 'flagged'/);
});

Deno.test("action: without MIRAGE_CLI or a release, it runs the CLI from the action's checkout", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await writeRun(traces, "clean", [allowed]);
  const r = await runAction(dir.path, { traces }, {
    MIRAGE_CLI: "",
    GITHUB_ACTION_PATH: ROOT,
    MIRAGE_ACTION_REPOSITORY: "",
    PATH: `${join(Deno.execPath(), "..")}:/usr/bin:/bin`,
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /running the CLI from .* with Deno/);
  assert.match(r.summary, /passed/);
});

Deno.test("action: the test input runs the policy tests, with a summary, and no gate", async () => {
  await using dir = await tempDir();
  const r = await runAction(dir.path, { test: "scenarios/payments scenarios/devops_tools" });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^running \d+ cases from scenarios\/payments\/payments\.test\.yaml$/m);
  assert.match(r.summary, /^## Mirage test: \d+ passed, 0 failed ✅$/m);
  assert.doesNotMatch(r.summary, /Mirage gate/);

  const failing = join(dir.path, "bad.test.yaml");
  await Deno.writeTextFile(
    failing,
    `policies: ${join(ROOT, "policies/procurement.yaml")}
cases:
  - name: a bid over the limit passes
    steps:
      - request: { method: POST, url: "http://api.acme.internal/v1/submit_bid", json: { amount: 50000 } }
        expect: allowed
`,
  );
  const bad = await runAction(dir.path, { test: failing });
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(
    bad.summary,
    /^- ❌ \*\*a bid over the limit passes\*\* .*: step 1: expected allowed, got policy_violation · enforce_bid_limit/m,
  );
});

Deno.test("action: replay inputs replay the traces under another policy file, with what changes", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await writeRun(traces, "bids", [allowed, violation]);
  const raised = join(dir.path, "raised.yaml");
  const shipped = await Deno.readTextFile(join(ROOT, "policies/procurement.yaml"));
  await Deno.writeTextFile(raised, shipped.replace("value: 25000", "value: 60000"));
  const r = await runAction(dir.path, { replay_policies: raised, replay_traces: traces });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.summary, /^## Mirage replay: 1 change ⚠️$/m);
  assert.match(
    r.summary,
    /^\| bids \| 2 \| POST \/v1\/submit_bid \| policy_violation \(enforce_bid_limit\) \| policy_violation \(bid_needs_prior_quote\) \|$/m,
  );
  assert.match(r.summary, /^\| enforce_bid_limit \| 1 → 0 \| 0 → 0 \| 0 \|$/m);
  assert.doesNotMatch(r.summary, /Mirage gate/);

  const gate = await runAction(dir.path, {
    replay_policies: raised,
    traces,
    replay_fail_on_change: "true",
  });
  assert.equal(gate.code, 1, gate.stdout + gate.stderr);

  const both = await runAction(dir.path, {
    replay_policies: join(ROOT, "policies/procurement.yaml"),
    traces,
    command: "true",
    mocks: "mocks/procurement.yaml",
    policies: "policies/procurement.yaml",
  });
  assert.match(both.summary, /## Mirage replay: no changes ✅/);
  assert.match(both.summary, /## Mirage gate: /);
});

Deno.test("action: the console input exports the console beside the JUnit file, also when the gate fails", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "traces");
  await writeRun(traces, "bids", [allowed, violation]);
  const site = join(dir.path, "reports", "console");
  const junit = join(dir.path, "reports", "junit.xml");
  const r = await runAction(dir.path, {
    traces,
    junit,
    console: site,
    policies: "policies/procurement.yaml",
  });
  assert.equal(r.code, 1, "the gate's failure is the step's");
  assert.match(r.stdout, /^exported 1 runs \(\d+ files\) to .*console: open .*index\.html$/m);
  assert.match(await Deno.readTextFile(junit), /<failure/);
  const run = await Deno.readTextFile(join(site, "runs", "bids.html"));
  assert.match(run, /enforce_bid_limit/);
  const policies = await Deno.readTextFile(join(site, "policies.html"));
  assert.match(policies, /data-rule="bid_needs_prior_quote"/, "the policies input's rules");
  const action = parse(await Deno.readTextFile(join(ROOT, "action.yml")));
  const upload = action.runs.steps.find((s: { uses?: string }) =>
    s.uses?.startsWith("actions/upload-artifact@")
  );
  assert.equal(upload?.if, "always() && inputs.console != ''");
  assert.equal(upload?.with?.path, "${{ inputs.console }}");
});
