/**
 * Writing a run: `bench/results/<timestamp>.json` (every raw number and the machine),
 * `<timestamp>.md` (the tables), and `latest.md` as a copy of the newest tables.
 */

import type { MachineInfo } from "./machine.ts";
import type { Ratio, SuiteResult } from "./report.ts";
import { repoUrl } from "./policy_file.ts";

/** The JSON document of a run. */
export interface RunRecord {
  readonly started: string;
  readonly finished: string;
  /** 1, 5 and 15 minute load averages when the run finished (at the start: `machine`). */
  readonly loadAverageAtEnd: number[];
  readonly argv: readonly string[];
  readonly machine: MachineInfo;
  readonly ratios: Readonly<Record<string, Ratio>>;
  readonly suites: Readonly<Record<string, { raw: unknown; ratios: unknown; goals: unknown }>>;
}

/** A file-name-safe timestamp, `2026-05-03T10-11-12Z`. */
export function stamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
}

/** Every ratio of every suite, in one map. */
export function allRatios(suites: readonly SuiteResult[]): Record<string, Ratio> {
  return Object.assign({}, ...suites.map((s) => s.ratios));
}

/** The JSON record of a run. */
export function runRecord(
  started: string,
  argv: readonly string[],
  machine: MachineInfo,
  suites: readonly SuiteResult[],
): RunRecord {
  return {
    started,
    finished: new Date().toISOString(),
    loadAverageAtEnd: Deno.loadavg(),
    argv,
    machine,
    ratios: allRatios(suites),
    suites: Object.fromEntries(
      suites.map((s) => [s.suite, { raw: s.raw, ratios: s.ratios, goals: s.goals }]),
    ),
  };
}

/** Writes the three files; returns their paths relative to the repository root. */
export async function writeResults(record: RunRecord, markdown: string): Promise<string[]> {
  const dir = repoUrl("bench/results/");
  await Deno.mkdir(dir, { recursive: true });
  const name = stamp(record.started);
  // Compact: the raw samples run to tens of thousands of numbers; the .md is the readable form.
  await Deno.writeTextFile(new URL(`${name}.json`, dir), JSON.stringify(record) + "\n");
  await Deno.writeTextFile(new URL(`${name}.md`, dir), markdown);
  await Deno.writeTextFile(new URL("latest.md", dir), markdown);
  return [`bench/results/${name}.json`, `bench/results/${name}.md`, "bench/results/latest.md"];
}
