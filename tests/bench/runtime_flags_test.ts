/**
 * The `mirage` binary's V8 flags have one home, the deno.json `compile` task: the `mirage` task,
 * the release build and every server the bench starts carry the same ones (but the one target
 * that is there to show what they change), and V8 knows them (a misspelt flag makes deno exit
 * before the program starts).
 */

import assert from "node:assert/strict";
import { compiledV8Flags, v8FlagArgs } from "../../bench/lib/runtime_flags.ts";
import { repoUrl } from "../../bench/lib/policy_file.ts";
import { startPooled } from "../../bench/gateway/targets.ts";
import { startDenoServer } from "../../bench/gateway/server_process.ts";
import { TestUpstream } from "../gateway/upstream_server.ts";

async function tasks(): Promise<Record<string, string>> {
  return JSON.parse(await Deno.readTextFile(repoUrl("deno.json"))).tasks;
}

Deno.test("v8FlagArgs: picks the --v8-flags arguments of a command line", () => {
  assert.deepEqual(v8FlagArgs("deno compile --v8-flags=--a,--b --allow-net  main.ts"), [
    "--v8-flags=--a,--b",
  ]);
  assert.deepEqual(v8FlagArgs("deno run main.ts"), []);
});

Deno.test("the compile task, the mirage task and the release build carry the same V8 flags", async () => {
  const flags = await compiledV8Flags();
  assert.ok(flags.length > 0, "the compile task sets V8 flags");
  assert.deepEqual(v8FlagArgs((await tasks()).mirage ?? ""), flags);
  const release = await Deno.readTextFile(repoUrl(".github/workflows/release.yml"));
  assert.deepEqual(release.match(/--v8-flags=\S+/g), flags);
});

Deno.test("V8 recognises the compile task's flags", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", ...await compiledV8Flags(), "console.log('started')"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "started");
});

Deno.test("a server the bench starts runs with the compile task's V8 flags", async () => {
  const upstream = new TestUpstream();
  const proxy = await startPooled(upstream.url, "pooled bare");
  try {
    const cmdline = (await Deno.readTextFile(`/proc/${proxy.process?.pid}/cmdline`)).split("\0");
    for (const flag of await compiledV8Flags()) assert.ok(cmdline.includes(flag), flag);
  } finally {
    await proxy.process?.stop();
    await upstream.close();
  }
});

Deno.test("a server started with v8Defaults runs without them (the bench's comparison target)", async () => {
  const script = repoUrl("bench/gateway/upstream_server.ts").pathname;
  const server = await startDenoServer("upstream", script, [], { v8Defaults: true });
  try {
    const cmdline = (await Deno.readTextFile(`/proc/${server.pid}/cmdline`)).split("\0");
    assert.deepEqual(cmdline.filter((arg) => arg.startsWith("--v8-flags")), []);
    assert.ok(cmdline.includes(script));
  } finally {
    await server.stop();
  }
});
