/**
 * The deterministic trace of a run (docs/traces.md).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical_json.ts";
import type { TraceEvent } from "./event.ts";
import { type RunSummary, summariseRun } from "./run_summary.ts";

/**
 * A materialised trace file.
 *
 * @example
 * ```ts
 * import { readTrace } from "@mirage/core";
 * const t = await readTrace("artifacts/traces", "procurement");
 * console.log(t?.outcome, t?.side_effect_count);
 * ```
 */
export interface Trace extends RunSummary {
  /** Format version. */
  mirage_trace: 1;
  /** The run id as given. */
  run_id: string;
  /** `ci`, `enforce` or `passthrough`. */
  mode: string;
  /** Every event, in order. */
  events: TraceEvent[];
  /** `sha256:` of the canonical JSON of everything else. */
  digest: string;
}

/**
 * Builds a run's trace from its events: summary fields, then a digest over the canonical JSON
 * of everything else, so that the same behaviour always gives the same bytes.
 *
 * @example
 * ```ts
 * import { buildTrace } from "@mirage/core";
 * const t = buildTrace("r1", "ci", []);
 * console.log(t.outcome, t.digest.startsWith("sha256:"));
 * ```
 */
export function buildTrace(runId: string, mode: string, events: readonly TraceEvent[]): Trace {
  const body = {
    mirage_trace: 1 as const,
    run_id: runId,
    mode,
    ...summariseRun(events),
    events: [...events],
  };
  const digest = `sha256:${createHash("sha256").update(canonicalJson(body)).digest("hex")}`;
  return { ...body, digest };
}
