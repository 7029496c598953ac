/**
 * The scenario library (scenarios/): every pack is complete, passes `mirage check` with no
 * warnings, its tests pass under `mirage test` and apply every rule, and a wrong expectation in
 * a pack fails the run — all through the real CLI.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { SCENARIOS } from "../../bench/scenarios/registry.ts";
import { runCli } from "../support/cli_process.ts";
import { fromRoot, scenarioPacks } from "../support/examples.ts";
import { tempDir } from "../support/fixtures.ts";

const packs = await scenarioPacks();

Deno.test("the library has at least six packs, each with policies, mocks (routes and tools), tests and a README", async () => {
  assert.ok(packs.length >= 6, packs.join(", "));
  for (const pack of packs) {
    const dir = fromRoot(`scenarios/${pack}`);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(
      names.sort(),
      ["README.md", "mocks.yaml", `${pack}.test.yaml`, "policies.yaml"].sort(),
      pack,
    );
    const mocks = parse(await Deno.readTextFile(join(dir, "mocks.yaml")));
    assert.ok(mocks.mocks.length > 0 && mocks.tools.length > 0, `${pack}: routes and tools`);
    const readme = await Deno.readTextFile(join(dir, "README.md"));
    assert.match(readme, /^# .+\n\n/, pack);
    assert.match(readme, new RegExp(`mirage test scenarios/${pack}`), pack);
  }
  const index = await Deno.readTextFile(fromRoot("scenarios/README.md"));
  for (const pack of packs) assert.match(index, new RegExp(`\\[${pack}\\]\\(${pack}/\\)`));
});

Deno.test("each of the bench's scenarios is scored on its pack's own policies file", () => {
  assert.equal(SCENARIOS.length, 3);
  for (const s of SCENARIOS) {
    assert.ok(packs.includes(s.name), s.name);
    assert.equal(s.policyFile, `scenarios/${s.name}/policies.yaml`);
  }
});

Deno.test("every pack passes mirage check with no warnings", async () => {
  for (const pack of packs) {
    const r = await runCli([
      "check",
      "--json",
      "--policies",
      `scenarios/${pack}/policies.yaml`,
      "--mocks",
      `scenarios/${pack}/mocks.yaml`,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.ok, true, pack);
    for (const file of report.files) assert.deepEqual(file.warnings, [], `${pack}: ${file.file}`);
  }
});

Deno.test("mirage test scenarios/ passes, and the packs' tests apply every rule", async () => {
  const text = await runCli(["test", "scenarios/"]);
  assert.equal(text.code, 0, text.stdout + text.stderr);
  for (const pack of packs) {
    assert.match(
      text.stdout,
      new RegExp(`^running \\d+ cases from scenarios/${pack}/${pack}\\.test\\.yaml$`, "m"),
    );
  }
  assert.match(text.stdout, /^ok \| \d+ passed, 0 failed/m);
  const json = await runCli(["test", "--coverage", "--json", "scenarios/"]);
  const run = JSON.parse(json.stdout);
  assert.equal(run.files.length, packs.length);
  assert.ok(run.passed >= packs.length * 10, `${run.passed} cases`);
  for (const c of run.coverage) assert.deepEqual(c.never_applied, [], c.policies);
});

Deno.test("a wrong expectation in a pack fails mirage test", async () => {
  await using dir = await tempDir();
  const pack = join(dir.path, "payments");
  await Deno.mkdir(pack);
  for (const name of ["policies.yaml", "mocks.yaml", "payments.test.yaml"]) {
    await Deno.copyFile(fromRoot(`scenarios/payments/${name}`), join(pack, name));
  }
  const file = join(pack, "payments.test.yaml");
  const text = await Deno.readTextFile(file);
  const wrong = text.replace(
    "expect: { outcome: policy_violation, policy: no_sanctioned_countries }",
    "expect: allowed",
  );
  assert.notEqual(wrong, text);
  await Deno.writeTextFile(file, wrong);
  const r = await runCli(["test", dir.path]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^payouts to sanctioned countries or their banks are refused \.\.\. FAILED/m,
  );
  assert.match(
    r.stdout,
    /^ {4}actual: {3}policy_violation · no_sanctioned_countries · status 403$/m,
  );
  assert.match(r.stdout, /^FAILED \| \d+ passed, 1 failed/m);
});
