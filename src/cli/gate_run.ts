/**
 * `mirage gate-run`: the CI gate. Gates the traces in a directory, or runs a command under an
 * in-process proxy first and gates what it did. Exits 1 when a run is not clean, when traces
 * are missing, or when the command failed; 0 only when everything passed.
 *
 * @module
 */

import { dirname } from "node:path";
import { chaosSwitch } from "../engine/chaos_switch.ts";
import { MirageError } from "../errors.ts";
import { annotations } from "../gate_run/annotations.ts";
import {
  type GateOptions,
  type GateReport,
  gateTraces,
  withCommand,
} from "../gate_run/gate_runs.ts";
import { junitXml } from "../gate_run/junit.ts";
import { runUnderProxy } from "../gate_run/run_under_proxy.ts";
import { stepSummary } from "../gate_run/step_summary.ts";
import { formatReport } from "../gate_run/text_report.ts";
import { wantsColour } from "../log/colour.ts";
import { type CommandSpec, type FlagValues, parseCommandArgs, usageError } from "./output.ts";

const SPEC: CommandSpec = {
  name: "gate-run",
  usage: "[--traces DIR] [--run-id ID ...] [--fail-on flagged] [--junit FILE] [--json] " +
    "[--mocks M --policies P] [--chaos C] [-- COMMAND ARGS...]",
  details: [
    "Fails the build when a run has a policy_violation, unmatched_route or error.",
    "",
    "  --traces DIR       trace directory (default artifacts/traces)",
    "  --run-id ID        gate only this run (repeatable); with a command: the command's run id",
    "  --fail-on flagged  also fail on flagged actions",
    "  --junit FILE       write JUnit XML (one testsuite per run, one testcase per event)",
    "  --json             print the result as JSON",
    "  --mocks M          mocks file (required with a command; else used in hints)",
    "  --policies P       policies file (required with a command; else used in hints)",
    "  -- COMMAND ARGS    run COMMAND against a proxy on a free port, with MIRAGE_PROXY_URL and",
    "                     MIRAGE_RUN_ID set, then gate its run; a failing command fails the gate",
    "  --chaos C          with a command: turn a fault profile on (SEED, PROFILE or PROFILE:SEED);",
    "                     a declared fault that fires is the test's intent and fails nothing",
    "",
    "On GitHub Actions it appends a summary to GITHUB_STEP_SUMMARY and prints ::error annotations.",
    "Exit codes: 0 clean, 1 not clean or nothing to gate, 2 bad flags.",
  ],
  options: {
    traces: { type: "string", default: "artifacts/traces" },
    "run-id": { type: "string", multiple: true },
    "fail-on": { type: "string", default: "" },
    junit: { type: "string" },
    json: { type: "boolean" },
    mocks: { type: "string", short: "m" },
    policies: { type: "string", short: "p" },
    chaos: { type: "string" },
  },
};

/** Parsed flags and the command after `--`. */
interface GateFlags {
  readonly traces: string;
  readonly runIds: string[];
  readonly failOnFlagged: boolean;
  readonly junit: string | undefined;
  readonly json: boolean;
  readonly mocks: string | undefined;
  readonly policies: string | undefined;
  readonly chaos: string | undefined;
  readonly argv: string[];
}

function optional(value: FlagValues[string]): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function toGateFlags(flags: FlagValues, argv: string[]): GateFlags | string {
  const failOn = String(flags["fail-on"]);
  if (failOn !== "" && failOn !== "flagged") {
    return `--fail-on takes 'flagged' (or nothing), got '${failOn}'`;
  }
  const runIds = (flags["run-id"] as string[] | undefined) ?? [];
  const gate: GateFlags = {
    traces: String(flags.traces),
    runIds,
    failOnFlagged: failOn === "flagged",
    junit: optional(flags.junit),
    json: flags.json === true,
    mocks: optional(flags.mocks),
    policies: optional(flags.policies),
    chaos: optional(flags.chaos),
    argv,
  };
  if (gate.chaos !== undefined) {
    if (argv.length === 0) return "--chaos needs a command to run under the proxy";
    try {
      chaosSwitch(gate.chaos);
    } catch (e) {
      if (e instanceof MirageError) return `--chaos: ${e.message}`;
      throw e;
    }
  }
  if (argv.length === 0) return gate;
  if (!gate.mocks || !gate.policies) return "a command needs --mocks and --policies";
  if (runIds.length > 1) return "a command takes at most one --run-id";
  return gate;
}

/** The command's run id: `--run-id`, then `MIRAGE_RUN_ID`, then a fresh one. */
function commandRunId(flags: GateFlags): string {
  return flags.runIds[0] ?? (Deno.env.get("MIRAGE_RUN_ID") || `gate-${Date.now().toString(36)}`);
}

async function gateCommand(flags: GateFlags): Promise<GateReport> {
  const result = await runUnderProxy({
    policies: flags.policies as string,
    mocks: flags.mocks as string,
    traces: flags.traces,
    runId: commandRunId(flags),
    argv: flags.argv,
    log: (line) => console.error(line),
    colour: wantsColour(Deno.stderr),
    stdoutToStderr: flags.json,
    ...(flags.chaos === undefined ? {} : { chaos: flags.chaos }),
  });
  const report = await gateTraces({ ...gateOptions(flags), runIds: result.runIds });
  return withCommand(report, { argv: flags.argv, exit_code: result.exitCode });
}

function gateOptions(flags: GateFlags): GateOptions {
  return {
    traces: flags.traces,
    runIds: flags.runIds,
    failOnFlagged: flags.failOnFlagged,
    files: { policies: flags.policies, mocks: flags.mocks },
  };
}

async function publish(report: GateReport, flags: GateFlags): Promise<void> {
  if (flags.junit) {
    await Deno.mkdir(dirname(flags.junit), { recursive: true });
    await Deno.writeTextFile(flags.junit, junitXml(report));
  }
  const summary = Deno.env.get("GITHUB_STEP_SUMMARY");
  if (summary) await Deno.writeTextFile(summary, stepSummary(report), { append: true });
  const print = flags.json
    ? (line: string) => console.error(line)
    : (line: string) => console.log(line);
  if (Deno.env.get("GITHUB_ACTIONS") === "true") annotations(report).forEach(print);
  if (flags.json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatReport(report, wantsColour(Deno.stdout)));
}

/** Splits `args` at the first `--`: flags before, the command after. */
function splitCommand(args: string[]): [string[], string[]] {
  const at = args.indexOf("--");
  return at < 0 ? [args, []] : [args.slice(0, at), args.slice(at + 1)];
}

/**
 * Runs `mirage gate-run`; 0 when every gated run is clean, 1 otherwise, 2 on bad flags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { session } from "@mirage/core";
 * import { run } from "./gate_run.ts";
 * const traces = await Deno.makeTempDir();
 * {
 *   await using mirage = await session({ runId: "quotes", policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", traces });
 *   await mirage.fetch("http://api.acme.internal/v1/get_quote", { method: "POST", body: "{}" });
 * }
 * assert.equal(await run(["--traces", traces]), 0); // 1 when a run is not clean, or there is none
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const [flagArgs, argv] = splitCommand(args);
  const parsed = parseCommandArgs(SPEC, flagArgs);
  if (typeof parsed === "number") return parsed;
  const flags = toGateFlags(parsed, argv);
  if (typeof flags === "string") return usageError(SPEC, flags);
  let report: GateReport;
  try {
    report = flags.argv.length ? await gateCommand(flags) : await gateTraces(gateOptions(flags));
  } catch (e) {
    // A bad file, or a chaos profile the mocks file does not declare.
    if (!(e instanceof MirageError)) throw e;
    console.error(e.message);
    return 1;
  }
  await publish(report, flags);
  return report.passed ? 0 : 1;
}
