import assert from "node:assert/strict";
import { join } from "node:path";
import { watchReload } from "../../src/http/reload_trigger.ts";
import { tempDir } from "../support/fixtures.ts";

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("reload: a burst of writes to a watched file triggers once; other files do not", async () => {
  await using dir = await tempDir();
  const watched = join(dir.path, "policies.yaml");
  await Deno.writeTextFile(watched, "a");
  const causes: string[] = [];
  const trigger = watchReload({
    files: [watched],
    signal: false,
    debounceMs: 50,
    onTrigger: (c) => causes.push(c),
  });
  try {
    await Deno.writeTextFile(join(dir.path, "other.yaml"), "x");
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(causes, []);
    for (const text of ["b", "c", "d"]) await Deno.writeTextFile(watched, text);
    await until(() => causes.length > 0);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(causes, ["file change"]);
    // An editor that saves by renaming a new file into place.
    await Deno.writeTextFile(`${watched}.tmp`, "e");
    await Deno.rename(`${watched}.tmp`, watched);
    await until(() => causes.length > 1);
  } finally {
    await trigger.close();
  }
});

Deno.test({
  name: "reload: SIGHUP triggers a reload until closed",
  async fn() {
    const causes: string[] = [];
    const trigger = watchReload({ files: [], onTrigger: (c) => causes.push(c) });
    try {
      Deno.kill(Deno.pid, "SIGHUP");
      await until(() => causes.length > 0);
      assert.deepEqual(causes, ["SIGHUP"]);
    } finally {
      await trigger.close();
    }
  },
});

Deno.test("reload: a ConfigMap-style symlink swap (..data) triggers a reload", async () => {
  await using dir = await tempDir();
  const at = (name: string) => join(dir.path, name);
  await Deno.mkdir(at("..v1"));
  await Deno.writeTextFile(at("..v1/policies.yaml"), "a");
  await Deno.symlink("..v1", at("..data"));
  await Deno.symlink("..data/policies.yaml", at("policies.yaml"));
  const causes: string[] = [];
  const trigger = watchReload({
    files: [at("policies.yaml")],
    signal: false,
    debounceMs: 50,
    onTrigger: (c) => causes.push(c),
  });
  try {
    await new Promise((r) => setTimeout(r, 100));
    await Deno.mkdir(at("..v2"));
    await Deno.writeTextFile(at("..v2/policies.yaml"), "b");
    await Deno.symlink("..v2", at("..data_tmp"));
    await Deno.rename(at("..data_tmp"), at("..data"));
    await until(() => causes.length > 0);
    assert.deepEqual(causes, ["file change"]);
  } finally {
    await trigger.close();
  }
});
