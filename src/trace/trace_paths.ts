/**
 * Where a run's files live in a trace directory: the journal `<run>.jsonl`, the deterministic
 * trace `<run>.json`, the timing sidecar `<run>.timing.json`, and the readers' summary of the
 * journal `.summaries/<run>.json` (a directory no run id can name: ids never start with a dot),
 * named by the sanitised run id.
 *
 * @module
 */

import { join } from "node:path";
import { sanitiseRunId } from "./run_id.ts";

/**
 * The files of one run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type TracePaths, tracePaths } from "./trace_paths.ts";
 * const paths: TracePaths = tracePaths("artifacts/traces", "r1");
 * assert.deepEqual(paths, {
 *   trace: "artifacts/traces/r1.json",
 *   timing: "artifacts/traces/r1.timing.json",
 *   journal: "artifacts/traces/r1.jsonl",
 *   summary: "artifacts/traces/.summaries/r1.json",
 * });
 * ```
 */
export interface TracePaths {
  /** The deterministic trace. */
  readonly trace: string;
  /** The timing sidecar. */
  readonly timing: string;
  /** The append-only journal. */
  readonly journal: string;
  /** What readers know of the journal: summary, how far they read it, where pages start. */
  readonly summary: string;
}

/** The directory of the summaries, inside a trace directory. */
const SUMMARIES_DIR = ".summaries";

/**
 * Paths of a run's files in a directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dirname } from "node:path";
 * import { tracePaths } from "./trace_paths.ts";
 * assert.equal(tracePaths("artifacts/traces", "r1").journal, "artifacts/traces/r1.jsonl");
 * // A run id is made safe for a file name: it cannot leave the directory.
 * assert.equal(dirname(tracePaths("artifacts/traces", "../../etc/x").trace), "artifacts/traces");
 * ```
 */
export function tracePaths(dir: string, runId: string): TracePaths {
  const name = sanitiseRunId(runId);
  const base = join(dir, name);
  return {
    trace: `${base}.json`,
    timing: `${base}.timing.json`,
    journal: `${base}.jsonl`,
    summary: join(dir, SUMMARIES_DIR, `${name}.json`),
  };
}
