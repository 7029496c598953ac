/**
 * `mirage init` through the real CLI: the starter files pass `mirage check` (no warnings) and
 * `mirage test`, point at the published schemas, use inputs the action has, and are never
 * written over.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import config from "../../deno.json" with { type: "json" };
import { ACTION_PLACEHOLDER, schemaUrl, starterFiles } from "../../src/cli/init_templates.ts";
import { runCli } from "../support/cli_process.ts";
import { fromRoot } from "../support/examples.ts";
import { tempDir } from "../support/fixtures.ts";

const FILES = ["policies.yaml", "mocks.yaml", "policies.test.yaml", ".github/workflows/mirage.yml"];

Deno.test("mirage init in an empty folder writes files that pass mirage check and mirage test", async () => {
  await using dir = await tempDir();
  const r = await runCli(["init"], { cwd: dir.path });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const f of FILES) {
    assert.match(r.stdout, new RegExp(`^wrote ${f.replaceAll(".", "\\.")}$`, "m"));
    assert.ok((await Deno.stat(join(dir.path, f))).isFile, f);
  }
  assert.match(r.stdout, /^Next:$/m);
  assert.match(
    r.stdout,
    /^ {2}mirage check --policies policies\.yaml --mocks mocks\.yaml +# validate/m,
  );
  assert.match(r.stdout, /^ {2}mirage test --coverage +# run the policy tests$/m);
  assert.match(r.stdout, /replace <owner>\/mirage@v[\d.]+ with the repository/);

  const check = await runCli(
    ["check", "--json", "--policies", "policies.yaml", "--mocks", "mocks.yaml"],
    { cwd: dir.path },
  );
  assert.equal(check.code, 0, check.stdout + check.stderr);
  for (const file of JSON.parse(check.stdout).files) assert.deepEqual(file.warnings, [], file.file);

  const test = await runCli(["test", "--coverage", "--json"], { cwd: dir.path });
  assert.equal(test.code, 0, test.stdout + test.stderr);
  const run = JSON.parse(test.stdout);
  assert.equal(run.failed, 0);
  assert.ok(run.passed >= 5, `${run.passed} cases`);
  assert.deepEqual(run.coverage[0].never_applied, []);
  assert.deepEqual(run.coverage[0].never_failed, []);
});

Deno.test("mirage init into a new folder, with --action", async () => {
  await using dir = await tempDir();
  const target = join(dir.path, "agent", "mirage");
  const r = await runCli(["init", target, "--action", "acme/mirage@v1.2.3"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^ {2}cd ${target}$`, "m"));
  assert.doesNotMatch(r.stdout, /replace <owner>/);
  const workflow = parse(await Deno.readTextFile(join(target, ".github/workflows/mirage.yml")));
  const steps = workflow.jobs.mirage.steps;
  assert.equal(steps[1].uses, "acme/mirage@v1.2.3");
  assert.deepEqual(steps[1].with, { test: "policies.test.yaml" });
});

Deno.test("if any starter file exists, mirage init writes nothing and names it", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, "mocks.yaml"), "mocks: []\n");
  const r = await runCli(["init", dir.path]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(`mirage init: ${join(dir.path, "mocks.yaml")} already exists; nothing written`),
  );
  const names = [];
  for await (const e of Deno.readDir(dir.path)) names.push(e.name);
  assert.deepEqual(names, ["mocks.yaml"]);
  assert.equal(await Deno.readTextFile(join(dir.path, "mocks.yaml")), "mocks: []\n");
  const usage = await runCli(["init", "a", "b"]);
  assert.equal(usage.code, 2);
});

Deno.test("the starter files point at the schemas published with this version", async () => {
  const files = starterFiles(ACTION_PLACEHOLDER);
  const kinds: Record<string, "policies" | "mocks" | "policy_test"> = {
    "policies.yaml": "policies",
    "mocks.yaml": "mocks",
    "policies.test.yaml": "policy_test",
  };
  for (const [file, kind] of Object.entries(kinds)) {
    assert.equal(files[file]?.split("\n")[0], `# yaml-language-server: $schema=${schemaUrl(kind)}`);
    const url = new URL(schemaUrl(kind));
    assert.equal(url.origin, "https://jsr.io");
    const path = url.pathname.replace(`/${config.name}/${config.version}/`, "");
    assert.equal(path, `schemas/${kind}.schema.json`);
    assert.ok((await Deno.stat(fromRoot(path))).isFile, path);
  }
  assert.ok(config.publish.include.includes("schemas/"));
});

Deno.test("the workflow uses only inputs the action declares", async () => {
  const action = parse(await Deno.readTextFile(fromRoot("action.yml")));
  const declared = Object.keys(action.inputs);
  const text = starterFiles("acme/mirage@v1")[".github/workflows/mirage.yml"] as string;
  const uncommented = text.replace(/^(\s*)# /gm, "$1");
  const keys = [...uncommented.matchAll(/^ {10}(\w[\w-]*):/gm)].map((m) => m[1] as string);
  assert.ok(keys.length >= 4, keys.join(", "));
  for (const key of keys) assert.ok(declared.includes(key), `action.yml has no input '${key}'`);
});
