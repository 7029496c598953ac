/**
 * `mirage test [files or dirs]`: runs policy unit tests (`*.test.yaml`, docs/policy-workflow.md).
 * With no argument, every test file under the current folder. Exits 1 when a case fails or a
 * file cannot be run (or none is found), 2 on a usage error.
 *
 * @module
 */

import { dirname } from "node:path";
import { MirageError } from "../errors.ts";
import { wantsColour } from "../log/colour.ts";
import { coverageOf } from "../policy_test/coverage.ts";
import { findTestFiles } from "../policy_test/find_test_files.ts";
import { type FileResult, runTestFile } from "../policy_test/run_test_file.ts";
import {
  formatTestRun,
  summariseTests,
  testJunitXml,
  testSummary,
} from "../policy_test/test_report.ts";
import { type CommandSpec, parseCommandLine, usageError } from "./output.ts";

const SPEC: CommandSpec = {
  name: "test",
  usage: "[FILE|DIR ...] [--coverage] [--junit FILE] [--json]",
  details: [
    "Runs policy tests: each case of a *.test.yaml sends its steps (HTTP requests, tool calls)",
    "through the policies on a fresh state store and checks each outcome.",
    "",
    "  FILE|DIR          test files, or folders searched for *.test.yaml (skipping node_modules,",
    "                    .git and artifacts); default: the current folder",
    "  --coverage        list, per rule, the steps it applied to and failed; rules never applied",
    "  --junit FILE      write JUnit XML (a suite per file, a test case per case)",
    "  --json            print the run as JSON",
    "",
    "On GitHub Actions it appends a summary to GITHUB_STEP_SUMMARY.",
    "Exit codes: 0 every case passed, 1 a case failed or a file could not be run, 2 bad usage.",
  ],
  options: {
    coverage: { type: "boolean" },
    junit: { type: "string" },
    json: { type: "boolean" },
  },
  positionals: true,
};

/**
 * Runs `mirage test`; 0 when every case passed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { run } from "./test.ts";
 * const code = await run(["--help"]); // prints the usage; `run(["scenarios/"])` runs the library's tests
 * assert.equal(code, 0);
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const line = parseCommandLine(SPEC, args);
  if (typeof line === "number") return line;
  const { flags, positionals } = line;
  let files: string[];
  try {
    files = await findTestFiles(positionals.length ? positionals : ["."]);
  } catch (e) {
    if (e instanceof MirageError) return usageError(SPEC, e.message);
    throw e;
  }
  if (files.length === 0) {
    console.error(`mirage test: no *.test.yaml files in ${positionals.join(", ") || "."}`);
    return 1;
  }
  const start = performance.now();
  const results: FileResult[] = [];
  for (const file of files) results.push(await runTestFile(file));
  const coverage = flags.coverage ? coverageOf(results) : undefined;
  const report = summariseTests(results, performance.now() - start, coverage);
  if (typeof flags.junit === "string") {
    await Deno.mkdir(dirname(flags.junit), { recursive: true });
    await Deno.writeTextFile(flags.junit, testJunitXml(report));
  }
  const summary = Deno.env.get("GITHUB_STEP_SUMMARY");
  if (summary) await Deno.writeTextFile(summary, testSummary(report), { append: true });
  if (flags.json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatTestRun(report, wantsColour(Deno.stdout)));
  return report.ok ? 0 : 1;
}
