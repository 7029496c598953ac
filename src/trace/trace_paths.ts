/**
 * Where a run's files live in a trace directory: the journal `<run>.jsonl`, the deterministic
 * trace `<run>.json` and the timing sidecar `<run>.timing.json`, named by the sanitised run id.
 *
 * @module
 */

import { join } from "node:path";
import { sanitiseRunId } from "./run_id.ts";

/** The three files of one run. */
export interface TracePaths {
  /** The deterministic trace. */
  readonly trace: string;
  /** The timing sidecar. */
  readonly timing: string;
  /** The append-only journal. */
  readonly journal: string;
}

/**
 * Paths of a run's files in a directory.
 *
 * @example
 * ```ts
 * import { tracePaths } from "./trace_paths.ts";
 * console.log(tracePaths("artifacts/traces", "r1").journal); // artifacts/traces/r1.jsonl
 * ```
 */
export function tracePaths(dir: string, runId: string): TracePaths {
  const base = join(dir, sanitiseRunId(runId));
  return { trace: `${base}.json`, timing: `${base}.timing.json`, journal: `${base}.jsonl` };
}
