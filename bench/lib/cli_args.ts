/**
 * The harness's command line: `[scenario|suite ...] [--check] [--write-baseline] [--seed N]`.
 */

import { parseArgs } from "node:util";

/** Suite names, in run order. */
export const SUITES = [
  "containment",
  "decide",
  "scale",
  "peers",
  "gateway",
  "state",
  "traces",
  "mcp",
] as const;
/** A suite name. */
export type SuiteName = (typeof SUITES)[number];

/** What to run. */
export interface BenchArgs {
  readonly suites: readonly SuiteName[];
  /** Scenarios for the containment suite (all when none was named). */
  readonly scenarios: readonly string[];
  readonly check: boolean;
  readonly writeBaseline: boolean;
  readonly seed: number | undefined;
}

/** Parses the arguments; names are suites or scenarios, a scenario implies `containment`. */
export function parseBenchArgs(
  argv: readonly string[],
  scenarioNames: readonly string[],
): BenchArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      check: { type: "boolean", default: false },
      "write-baseline": { type: "boolean", default: false },
      seed: { type: "string" },
    },
  });
  const suites = new Set<SuiteName>();
  const scenarios: string[] = [];
  for (const name of positionals) {
    if ((SUITES as readonly string[]).includes(name)) suites.add(name as SuiteName);
    else if (scenarioNames.includes(name)) {
      scenarios.push(name);
      suites.add("containment");
    } else {
      throw new Error(
        `unknown suite or scenario '${name}' (suites: ${SUITES.join(", ")}; ` +
          `scenarios: ${scenarioNames.join(", ")})`,
      );
    }
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new Error(`--seed must be an integer`);
  }
  return {
    suites: suites.size === 0 ? SUITES : SUITES.filter((s) => suites.has(s)),
    scenarios,
    check: values.check,
    writeBaseline: values["write-baseline"],
    seed,
  };
}
