/**
 * What triggers a reload: SIGHUP, and a change of any watched file. File events are debounced
 * (editors write in several steps) and watched through the parent directory, so that an editor
 * that saves by renaming a new file into place, or a deployment that swaps a symlink, is seen.
 *
 * @module
 */

import { dirname, resolve } from "node:path";

/**
 * Options of {@link watchReload}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ReloadTriggerOptions, watchReload } from "./reload_trigger.ts";
 * const causes: string[] = [];
 * const options: ReloadTriggerOptions = {
 *   files: [], // SIGHUP only
 *   signal: false, // …and not even that: nothing triggers
 *   onTrigger: (cause) => causes.push(cause),
 * };
 * await watchReload(options).close();
 * assert.deepEqual(causes, []);
 * ```
 */
export interface ReloadTriggerOptions {
  /** Files whose change triggers a reload; none = SIGHUP only. */
  readonly files: readonly string[];
  /** Reload on SIGHUP; default true. */
  readonly signal?: boolean;
  /** Called once per (debounced) trigger, with what caused it. */
  readonly onTrigger: (cause: "SIGHUP" | "file change") => void;
  /** Quiet time after the last file event before reloading; default 100 ms. */
  readonly debounceMs?: number;
}

/**
 * Running triggers; `close()` removes the signal listener and stops watching.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ReloadTrigger, watchReload } from "./reload_trigger.ts";
 * const dir = await Deno.makeTempDir();
 * const file = `${dir}/policies.yaml`;
 * await Deno.writeTextFile(file, "policies: []\n");
 * let fired = 0;
 * const trigger: ReloadTrigger = watchReload({
 *   files: [file],
 *   signal: false,
 *   debounceMs: 10,
 *   onTrigger: () => fired++,
 * });
 * await trigger.close();
 * await Deno.writeTextFile(file, "policies: [] # edited after close\n");
 * await new Promise((r) => setTimeout(r, 100)); // ten debounce periods
 * assert.equal(fired, 0); // nothing fires once closed
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface ReloadTrigger {
  /** Stops both triggers; resolves once the file watch has ended (nothing fires after that). */
  close(): Promise<void>;
}

function listenForHangup(onHangup: () => void): () => void {
  // SIGHUP does not exist on Windows; there, only file changes reload.
  if (Deno.build.os === "windows") return () => {};
  Deno.addSignalListener("SIGHUP", onHangup);
  return () => Deno.removeSignalListener("SIGHUP", onHangup);
}

async function realPaths(files: readonly string[]): Promise<string> {
  const targets = await Promise.all(files.map((f) => Deno.realPath(f).catch(() => "")));
  return targets.join("\u0000");
}

/**
 * Watches the files' directories. An event names a watched file when it is edited in place or
 * renamed into place; a deployment that swaps a symlink (a Kubernetes ConfigMap swaps `..data`)
 * names only the link, so any other event counts when a file's resolved target has changed.
 */
function watchFiles(
  files: readonly string[],
  onChange: () => void,
): { watcher: Deno.FsWatcher; ended: Promise<void> } | undefined {
  if (files.length === 0) return undefined;
  const wanted = new Set(files.map((f) => resolve(f)));
  const dirs = [...new Set([...wanted].map((f) => dirname(f)))];
  const watcher = Deno.watchFs(dirs, { recursive: false });
  const ended = (async () => {
    let targets = await realPaths([...wanted]);
    for await (const event of watcher) {
      const named = event.paths.some((p) => wanted.has(resolve(p)));
      const now = named ? targets : await realPaths([...wanted]);
      if (named || now !== targets) onChange();
      targets = now;
    }
  })().catch((e) => console.error(`[mirage] file watch stopped: ${e}`));
  return { watcher, ended };
}

/**
 * Calls `onTrigger` on SIGHUP and when a watched file changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { watchReload } from "./reload_trigger.ts";
 * const dir = await Deno.makeTempDir();
 * const file = `${dir}/policies.yaml`;
 * await Deno.writeTextFile(file, "policies: []\n");
 * const changed = Promise.withResolvers<string>();
 * const trigger = watchReload({ files: [file], signal: false, debounceMs: 10, onTrigger: changed.resolve });
 * await Deno.writeTextFile(file, "policies: [] # edited\n");
 * assert.equal(await changed.promise, "file change");
 * await trigger.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function watchReload(options: ReloadTriggerOptions): ReloadTrigger {
  const debounceMs = options.debounceMs ?? 100;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const changed = () => {
    // An event the watcher had queued before it was closed must not start a reload after.
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      options.onTrigger("file change");
    }, debounceMs);
  };
  const stopHangup = options.signal === false
    ? () => {}
    : listenForHangup(() => options.onTrigger("SIGHUP"));
  const watch = watchFiles(options.files, changed);
  return {
    async close() {
      closed = true;
      stopHangup();
      clearTimeout(timer);
      watch?.watcher.close();
      await watch?.ended;
    },
  };
}
