/**
 * `mirage test` through the real CLI: finding test files, output per case and the summary line,
 * a failing step shown with expected and actual, `--junit`, `--json`, `--coverage`, exit codes.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../support/cli_process.ts";
import { tempDir } from "../support/fixtures.ts";
import { parseJunit } from "../support/junit_parse.ts";

const POLICIES = `policies:
  - name: cap
    method: POST
    path: /v1/pay
    field: amount
    operator: max
    value: 10
    message: too much
  - name: untested
    tool: wipe
    field: x
    operator: exists
    message: m
`;

const PASSING = `policies: policies.yaml
cases:
  - name: small is fine
    steps:
      - request: { method: POST, url: "http://api.test/v1/pay", json: { amount: 5 } }
        expect: allowed
`;

const FAILING = `policies: policies.yaml
cases:
  - name: large is stopped
    steps:
      - request: { method: POST, url: "http://api.test/v1/pay", json: { amount: 50 } }
        expect: policy_violation
  - name: a wrong expectation
    steps:
      - request: { method: POST, url: "http://api.test/v1/pay", json: { amount: 50 } }
        expect: { outcome: allowed }
      - request: { method: POST, url: "http://api.test/v1/pay", json: { amount: 1 } }
        expect: allowed
`;

async function project(files: Record<string, string>) {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(join(dir.path, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir.path, name), text);
  }
  return dir;
}

Deno.test("mirage test with no argument runs every *.test.yaml below the folder, skipping node_modules", async () => {
  await using dir = await project({
    "policies.yaml": POLICIES,
    "a.test.yaml": PASSING,
    "sub/b.test.yaml": PASSING.replace("policies.yaml", "../policies.yaml"),
    "node_modules/pkg/c.test.yaml": "not: a test file at all\n",
    "artifacts/d.test.yaml": "nor: this\n",
  });
  const r = await runCli(["test"], { cwd: dir.path });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^running 1 case from a\.test\.yaml$/m);
  assert.match(r.stdout, /^running 1 case from sub\/b\.test\.yaml$/m);
  assert.match(r.stdout, /^small is fine \.\.\. ok \(\d+ms\)$/m);
  assert.match(r.stdout, /^ok \| 2 passed, 0 failed \(\d+ms\)$/m);
  assert.doesNotMatch(r.stdout, /node_modules|artifacts/);
});

Deno.test("a failing step is shown with expected and actual outcome and the decisions; exit 1", async () => {
  await using dir = await project({ "policies.yaml": POLICIES, "f.test.yaml": FAILING });
  const r = await runCli(["test", "f.test.yaml"], { cwd: dir.path });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^large is stopped \.\.\. ok/m);
  assert.match(r.stdout, /^a wrong expectation \.\.\. FAILED \(\d+ms\)$/m);
  assert.match(r.stdout, /^ {2}step 1 \(f\.test\.yaml:9:9\): POST http:\/\/api\.test\/v1\/pay$/m);
  assert.match(r.stdout, /^ {4}expected: allowed$/m);
  assert.match(r.stdout, /^ {4}actual: {3}policy_violation · cap · status 403$/m);
  assert.match(r.stdout, /^ {6}✗ cap: amount max 10, got 50 — too much$/m);
  assert.match(r.stdout, /^ {4}event: #1 POST \/v1\/pay → policy_violation · cap/m);
  assert.match(r.stdout, /\(1 later step not run\)/);
  assert.match(r.stdout, /^FAILED \| 1 passed, 1 failed/m);
});

Deno.test("--junit writes a suite per file and a case per case; --json prints the run", async () => {
  await using dir = await project({
    "policies.yaml": POLICIES,
    "a.test.yaml": PASSING,
    "f.test.yaml": FAILING,
  });
  const junit = join(dir.path, "out", "junit.xml");
  const r = await runCli(["test", "--junit", junit, "--json", "."], { cwd: dir.path });
  assert.equal(r.code, 1, r.stderr);
  const run = JSON.parse(r.stdout);
  assert.equal(run.ok, false);
  assert.equal(run.passed, 2);
  assert.equal(run.failed, 1);
  const failing = run.files[1].cases[1];
  assert.equal(failing.name, "a wrong expectation");
  assert.deepEqual(failing.steps[0].expected, { outcome: "allowed" });
  assert.deepEqual(failing.steps[0].actual, {
    outcome: "policy_violation",
    policy: "cap",
    status: 403,
  });
  const suites = parseJunit(await Deno.readTextFile(junit));
  assert.deepEqual(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures]), [
    ["a.test.yaml", "1", "0"],
    ["f.test.yaml", "2", "1"],
  ]);
  const failure = suites[1]?.cases[1]?.failure;
  assert.equal(
    failure?.message,
    "step 1: expected allowed, got policy_violation · cap · status 403",
  );
  assert.match(failure?.text ?? "", /✗ cap: amount max 10, got 50/);
});

Deno.test("--coverage lists, per rule, what applied and failed, and the rules never exercised", async () => {
  await using dir = await project({ "policies.yaml": POLICIES, "a.test.yaml": PASSING });
  const text = await runCli(["test", "--coverage"], { cwd: dir.path });
  assert.equal(text.code, 0, text.stdout + text.stderr);
  assert.match(text.stdout, /^coverage of policies\.yaml$/m);
  assert.match(text.stdout, /^ {2}cap {13}1 {7}0$/m);
  assert.match(text.stdout, /^ {2}never applied: untested$/m);
  assert.match(text.stdout, /^ {2}never failed: cap$/m);
  const json = await runCli(["test", "--coverage", "--json"], { cwd: dir.path });
  assert.deepEqual(JSON.parse(json.stdout).coverage, [{
    policies: "policies.yaml",
    rules: [
      { name: "cap", action: "block", applied: 1, failed: 0 },
      { name: "untested", action: "block", applied: 0, failed: 0 },
    ],
    never_applied: ["untested"],
    never_failed: ["cap"],
  }]);
});

Deno.test("a test file with mistakes fails with file:line:col errors and a suggestion", async () => {
  await using dir = await project({
    "policies.yaml": POLICIES,
    "bad.test.yaml": `policies: policies.yaml
cases:
  - name: typo
    steps:
      - request: { method: POST, url: "http://api.test/v1/pay", jsn: { amount: 5 } }
        expect: alowed
`,
  });
  const r = await runCli(["test"], { cwd: dir.path });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^error: cannot run bad\.test\.yaml$/m);
  assert.match(
    r.stdout,
    /^ {2}bad\.test\.yaml:5:65: unknown key 'jsn' \(did you mean 'json'\?\)$/m,
  );
  assert.match(
    r.stdout,
    /^ {2}bad\.test\.yaml:6:17: expect must be an outcome .*\(did you mean 'allowed'\?\)$/m,
  );
  assert.match(r.stdout, /^FAILED \| 0 passed, 1 failed/m);
});

Deno.test("usage errors exit 2; no test files exits 1", async () => {
  await using dir = await project({ "policies.yaml": POLICIES });
  const flag = await runCli(["test", "--covrage"], { cwd: dir.path });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /usage: mirage test/);
  const missing = await runCli(["test", "nowhere/"], { cwd: dir.path });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file or folder: nowhere\//);
  const none = await runCli(["test"], { cwd: dir.path });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no \*\.test\.yaml files in \./);
  const help = await runCli(["test", "--help"], { cwd: dir.path });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--coverage/);
});

Deno.test("mirage --help lists test, replay and init, and each answers --help", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^ {2}test +run policy tests/m);
  assert.match(r.stdout, /^ {2}replay +re-decide recorded traces/m);
  assert.match(r.stdout, /^ {2}init +write starter policies/m);
  for (
    const [command, flag] of [["test", "--junit"], ["replay", "--fail-on-change"], [
      "init",
      "--action",
    ]]
  ) {
    const help = await runCli([command as string, "--help"]);
    assert.equal(help.code, 0, command);
    assert.match(help.stdout, new RegExp(`^usage: mirage ${command} `, "m"));
    assert.match(help.stdout, new RegExp(flag as string));
  }
});
