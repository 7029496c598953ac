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

/** Writes the baseline from a run's ratios. */
export async function writeBaseline(
  from: string,
  ratios: Readonly<Record<string, Ratio>>,
): Promise<string> {
  const rounded = Object.fromEntries(
    Object.entries(ratios).map((
      [k, r],
    ) => [k, { value: Math.round(r.value * 10_000) / 10_000, better: r.better }]),
  );
  await Deno.writeTextFile(
    repoUrl(PATH),
    JSON.stringify({ from, ratios: rounded }, null, 2) + "\n",
  );
  return PATH;
}
