/**
 * What triggers a reload: SIGHUP, and a change of any watched file. File events are debounced
 * (editors write in several steps) and watched through the parent directory, so that an editor
 * that saves by renaming a new file into place, or a deployment that swaps a symlink, is seen.
 *
 * @module
 */

import { dirname, resolve } from "node:path";

/** Options of {@link watchReload}. */
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

/** Running triggers; `close()` removes the signal listener and stops watching. */
export interface ReloadTrigger {
  close(): void;
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
function watchFiles(files: readonly string[], onChange: () => void): Deno.FsWatcher | undefined {
  if (files.length === 0) return undefined;
  const wanted = new Set(files.map((f) => resolve(f)));
  const dirs = [...new Set([...wanted].map((f) => dirname(f)))];
  const watcher = Deno.watchFs(dirs, { recursive: false });
  (async () => {
    let targets = await realPaths([...wanted]);
    for await (const event of watcher) {
      const named = event.paths.some((p) => wanted.has(resolve(p)));
      const now = named ? targets : await realPaths([...wanted]);
      if (named || now !== targets) onChange();
      targets = now;
    }
  })().catch((e) => console.error(`[mirage] file watch stopped: ${e}`));
  return watcher;
}

/**
 * Calls `onTrigger` on SIGHUP and when a watched file changes.
 *
 * @example
 * ```ts
 * import { watchReload } from "./reload_trigger.ts";
 * const trigger = watchReload({ files: ["policies.yaml"], onTrigger: (cause) => console.log(cause) });
 * trigger.close();
 * ```
 */
export function watchReload(options: ReloadTriggerOptions): ReloadTrigger {
  const debounceMs = options.debounceMs ?? 100;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      options.onTrigger("file change");
    }, debounceMs);
  };
  const stopHangup = options.signal === false
    ? () => {}
    : listenForHangup(() => options.onTrigger("SIGHUP"));
  const watcher = watchFiles(options.files, changed);
  return {
    close() {
      stopHangup();
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
