/**
 * The benchmark harness: `deno run -A bench/run.ts [scenario|suite ...] [--check]
 * [--write-baseline] [--seed N]`. No names runs every suite. Writes bench/results/<timestamp>.json
 * and .md, keeps bench/results/latest.md, prints the tables; `--check` compares the ratios with
 * bench/baseline.json and exits 1 when one got worse than its tolerance (25% unless the ratio names
 * its own; bench/README.md, "The regression check"). Each suite runs in a process of its own
 * (`suite_process.ts`).
 *
 * @module
 */

import { parseBenchArgs, type SuiteName } from "./lib/cli_args.ts";
import { readBaseline, writeBaseline } from "./lib/baseline_file.ts";
import { checkTable } from "./lib/check_table.ts";
import { machineInfo } from "./lib/machine.ts";
import { renderRun } from "./lib/markdown.ts";
import { progress } from "./lib/progress.ts";
import { type CheckResult, compareRatios } from "./lib/regression.ts";
import type { SuiteResult, Table } from "./lib/report.ts";
import { allRatios, runRecord, stamp, writeResults } from "./lib/results_files.ts";
import { SCENARIOS } from "./scenarios/registry.ts";

/** Runs one suite in a process of its own (`suite_process.ts`) and reads its result. */
async function runSuiteProcess(
  name: SuiteName,
  scenarios: readonly string[],
  seed: number | undefined,
): Promise<SuiteResult> {
  const out = await Deno.makeTempFile({ prefix: `mirage-bench-${name}-`, suffix: ".json" });
  try {
    const args = [
      "run",
      "-A",
      new URL("./suite_process.ts", import.meta.url).pathname,
      out,
      name,
      ...(seed === undefined ? [] : ["--seed", String(seed)]),
      ...(name === "containment" ? scenarios : []),
    ];
    const { code } = await new Deno.Command(Deno.execPath(), {
      args,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (code !== 0) throw new Error(`the ${name} suite failed (its process exited ${code})`);
    return JSON.parse(await Deno.readTextFile(out)) as SuiteResult;
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

async function check(results: readonly SuiteResult[]): Promise<CheckResult> {
  const baseline = await readBaseline();
  return compareRatios(baseline.ratios, allRatios(results));
}

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv, SCENARIOS.map((s) => s.name));
  const started = new Date().toISOString();
  const machine = await machineInfo();
  const results: SuiteResult[] = [];
  for (const suite of args.suites) {
    progress(suite, "start");
    results.push(await runSuiteProcess(suite, args.scenarios, args.seed));
  }
  const checked = args.check ? await check(results) : undefined;
  const extra: Table[] = checked ? [checkTable(checked)] : [];
  const markdown = renderRun(started, machine, results, extra);
  const files = await writeResults(runRecord(started, argv, machine, results), markdown);
  console.log(markdown);
  for (const f of files) progress("run", `wrote ${f}`);
  if (args.writeBaseline) {
    progress("run", `wrote ${await writeBaseline(`${stamp(started)}.json`, allRatios(results))}`);
  }
  if (checked && checked.regressions.length > 0) {
    for (const r of checked.regressions) {
      console.error(
        `regressed: ${r.key} ${r.baseline} → ${r.current} (${(r.worse * 100).toFixed(1)}% worse)`,
      );
    }
    return 1;
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(2);
  }
}
