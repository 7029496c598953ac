/**
 * Reading trace directories: the runs there, and each run's trace, materialised from its
 * journal (atomically: a temporary file, then a rename) so that nothing recorded is missed.
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import { canonicalJson } from "./canonical_json.ts";
import type { TraceEvent } from "./event.ts";
import { type JournalLine, parseJournal } from "./journal.ts";
import { buildTrace, type Trace } from "./trace.ts";
import { tracePaths } from "./trace_paths.ts";

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

async function readJournal(path: string): Promise<JournalLine[] | undefined> {
  try {
    return parseJournal(await Deno.readTextFile(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new MirageError("trace_io", `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Writes a run's `<run>.json` and `<run>.timing.json` from its journal, and returns the trace;
 * `undefined` when the run has no journal.
 *
 * @example
 * ```ts
 * import { materialiseTrace } from "@mirage/core";
 * const trace = await materialiseTrace("artifacts/traces", "procurement");
 * ```
 */
export async function materialiseTrace(dir: string, runId: string): Promise<Trace | undefined> {
  const paths = tracePaths(dir, runId);
  const lines = await readJournal(paths.journal);
  if (!lines) return undefined;
  const id = lines[0]?.run_id ?? runId;
  const events = lines.map((l, i) => ({ seq: i + 1, ...l.event }) as TraceEvent);
  const trace = buildTrace(id, lines[0]?.mode ?? "ci", events);
  await writeAtomically(paths.trace, `${canonicalJson(trace, 2)}\n`);
  const timings = lines.map((l, i) => ({ seq: i + 1, ...l.timing }));
  await writeAtomically(
    paths.timing,
    `${JSON.stringify({ run_id: id, events: timings }, null, 2)}\n`,
  );
  return trace;
}

/**
 * Reads a run's trace, materialising it from the journal first so that nothing recorded is
 * missed; `undefined` when the run does not exist.
 *
 * @example
 * ```ts
 * import { readTrace } from "@mirage/core";
 * const t = await readTrace("artifacts/traces", "procurement");
 * ```
 */
export async function readTrace(dir: string, runId: string): Promise<Trace | undefined> {
  const fromJournal = await materialiseTrace(dir, runId);
  if (fromJournal) return fromJournal;
  try {
    return JSON.parse(await Deno.readTextFile(tracePaths(dir, runId).trace)) as Trace;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new MirageError("trace_io", `cannot read trace '${runId}': ${(e as Error).message}`);
  }
}

/**
 * The run ids that have traces in a directory, sorted.
 *
 * @example
 * ```ts
 * import { listRuns } from "@mirage/core";
 * console.log(await listRuns("artifacts/traces"));
 * ```
 */
export async function listRuns(dir: string): Promise<string[]> {
  const ids = new Set<string>();
  try {
    for await (const entry of Deno.readDir(dir)) {
      const m = /^(.+?)(?:\.timing)?\.jsonl?$/.exec(entry.name);
      if (m && entry.isFile && !entry.name.endsWith(".timing.json")) ids.add(m[1] as string);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return [...ids].sort();
}
