/**
 * `bench/baseline.json`: the ratios of a reference run, and nothing absolute.
 */

import type { Ratio } from "./report.ts";
import { repoUrl } from "./policy_file.ts";

/** The baseline document. */
export interface Baseline {
  /** Where the ratios came from (a results file name) — for people, not for the check. */
  readonly from: string;
  readonly ratios: Readonly<Record<string, Ratio>>;
}

const PATH = "bench/baseline.json";

/** Reads the committed baseline. */
export async function readBaseline(): Promise<Baseline> {
  return JSON.parse(await Deno.readTextFile(repoUrl(PATH))) as Baseline;
}

/**
 * The text of a baseline from a run's ratios: each value as measured, not rounded, so that a ratio
 * checked exactly (`tolerance: 0`) compares equal with the run it came from.
 */
export function baselineText(from: string, ratios: Readonly<Record<string, Ratio>>): string {
  const kept = Object.fromEntries(
    Object.entries(ratios).map(([k, r]) => [k, { value: r.value, better: r.better }]),
  );
  return JSON.stringify({ from, ratios: kept }, null, 2) + "\n";
}

/** Writes the baseline from a run's ratios. */
export async function writeBaseline(
  from: string,
  ratios: Readonly<Record<string, Ratio>>,
): Promise<string> {
  await Deno.writeTextFile(repoUrl(PATH), baselineText(from, ratios));
  return PATH;
}
