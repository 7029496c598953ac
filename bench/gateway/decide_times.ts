/**
 * The gateway's own time to decide, as it recorded it: `decide_us` (arrival to allow/block, the
 * body read included) and `evaluate_us` (the policies alone) of the last events of the load run
 * in its journal — the paced part, where a request does not queue behind 31 others as under wrk;
 * and the floor under it, the pooled bare proxy's arrival → body-read times at the same load.
 */

import { tracePaths } from "../../src/trace/trace_paths.ts";
import { BODY_TIMES_PATH } from "../pooled_proxy.ts";
import { percentile } from "../lib/stats.ts";

/** Percentiles of the recorded timings, µs. */
export interface DecideTimes {
  readonly events: number;
  readonly decideP50Us: number;
  readonly decideP99Us: number;
  /** NaN for the floor, which evaluates nothing. */
  readonly evaluateP50Us: number;
}

interface TimingLine {
  readonly timing: { readonly decide_us: number; readonly evaluate_us: number };
}

/** Recorded times of some requests, µs; `evaluate` is empty for the floor. */
export interface TimeSamples {
  readonly decide: number[];
  readonly evaluate: number[];
}

/** The timings of the last `last` events of `runId` in the journal under `dir`. */
export async function decideSamples(
  dir: string,
  runId: string,
  last: number,
): Promise<TimeSamples> {
  const text = await Deno.readTextFile(tracePaths(dir, runId).journal);
  const lines = text.trimEnd().split("\n").slice(-last);
  const timings = lines.map((l) => (JSON.parse(l) as TimingLine).timing);
  return { decide: timings.map((t) => t.decide_us), evaluate: timings.map((t) => t.evaluate_us) };
}

/** The last `last` arrival → body-read times of the pooled bare proxy at `origin`. */
export async function bodySamples(origin: string, last: number): Promise<TimeSamples> {
  const res = await fetch(`${origin}${BODY_TIMES_PATH}?last=${last}`);
  if (!res.ok) throw new Error(`${origin}${BODY_TIMES_PATH}: status ${res.status}`);
  return { decide: await res.json() as number[], evaluate: [] };
}

/** Percentiles of the samples of every paced round together. */
export function decideTimes(rounds: readonly TimeSamples[]): DecideTimes {
  const decide = rounds.flatMap((r) => r.decide);
  const evaluate = rounds.flatMap((r) => r.evaluate);
  return {
    events: decide.length,
    decideP50Us: percentile(decide, 50),
    decideP99Us: percentile(decide, 99),
    evaluateP50Us: percentile(evaluate, 50),
  };
}
