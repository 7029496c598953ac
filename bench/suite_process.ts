/**
 * One suite in a process of its own: `deno run -A bench/suite_process.ts <out.json> <suite>
 * [--seed N] [scenario ...]` runs it and writes its result to `out.json`. `bench/run.ts` starts
 * one per suite, so that no suite is timed in a heap and JIT state another suite left behind (in
 * one process, the decide suite's decisions were 2.3× slower after the containment suite than
 * alone).
 *
 * @module
 */

import { parseBenchArgs } from "./lib/cli_args.ts";
import { runSuite } from "./lib/run_suite.ts";
import { DEFAULT_SEED, SCENARIOS } from "./scenarios/registry.ts";

async function main(argv: readonly string[]): Promise<void> {
  const [out, ...rest] = argv;
  if (out === undefined) throw new Error("usage: suite_process.ts <out.json> <suite> [options]");
  const args = parseBenchArgs(rest, SCENARIOS.map((s) => s.name));
  const [suite] = args.suites;
  if (suite === undefined || args.suites.length !== 1) throw new Error("name exactly one suite");
  const result = await runSuite(suite, args.scenarios, args.seed ?? DEFAULT_SEED);
  await Deno.writeTextFile(out, JSON.stringify(result));
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(2);
  }
}
