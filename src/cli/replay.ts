/**
 * `mirage replay`: re-decides recorded traffic (CI or gateway traces) under another policy file
 * and mode, and reports what would change (docs/policy-workflow.md#replay). Exits 1 with
 * `--fail-on-change` when an event changes, 2 on a usage error.
 *
 * @module
 */

import { ConfigError, MirageError } from "../errors.ts";
import { loadMocks, loadPolicies } from "../config/load.ts";
import { requireFile } from "../config/require_file.ts";
import type { Mode } from "../engine/outcome.ts";
import { wantsColour } from "../log/colour.ts";
import { arrivalTimes } from "../replay/arrival_times.ts";
import {
  formatReplay,
  type ReplayReport,
  replayReport,
  replaySummary,
} from "../replay/replay_report.ts";
import { Replayer } from "../replay/replay_run.ts";
import { listRuns, readTrace } from "../trace/trace_reader.ts";
import type { Trace } from "../trace/trace.ts";
import { type CommandSpec, parseCommandArgs, usageError } from "./output.ts";

const SPEC: CommandSpec = {
  name: "replay",
  usage: "--traces DIR --policies P [--mocks M] [--run ID ...] [--mode enforce|passthrough] " +
    "[--json] [--fail-on-change]",
  details: [
    "Re-decides every recorded event of the chosen runs, in order and with state rebuilt from",
    "the replayed decisions, under another policy file; reports each event whose outcome,",
    "deciding rule or enforcement changes, and per rule the events it blocks and flags.",
    "",
    "  --traces DIR       trace directory (CI or gateway traces)",
    "  -p, --policies P   the policy file to decide with",
    "  -m, --mocks M      route with this mocks file (default: the routing each event recorded)",
    "  --run ID           replay only this run (repeatable; default: every run in DIR)",
    "  --mode M           enforce or passthrough (default: the recorded mode; CI traces enforce)",
    "  --json             print the report as JSON",
    "  --fail-on-change   exit 1 when any event changes",
    "",
    "An event whose decision would read what the trace does not hold (a redacted value, an",
    "unrecorded header or host, an uninspected body) is reported as undecidable, never guessed.",
    "On GitHub Actions it appends a summary to GITHUB_STEP_SUMMARY.",
    "Exit codes: 0 done, 1 a change with --fail-on-change (or no traces), 2 bad usage.",
  ],
  options: {
    traces: { type: "string" },
    policies: { type: "string", short: "p" },
    mocks: { type: "string", short: "m" },
    run: { type: "string", multiple: true },
    mode: { type: "string" },
    json: { type: "boolean" },
    "fail-on-change": { type: "boolean" },
  },
};

async function tracesOf(dir: string, ids: readonly string[]): Promise<Trace[]> {
  const wanted = ids.length ? ids : await listRuns(dir);
  const traces: Trace[] = [];
  for (const id of wanted) {
    const trace = await readTrace(dir, id);
    if (!trace) throw new MirageError("run_not_found", `no trace for run '${id}' in ${dir}`);
    traces.push(trace);
  }
  if (!traces.length) throw new MirageError("no_traces", `no traces in ${dir}`);
  return traces;
}

/**
 * Runs `mirage replay`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { run } from "./replay.ts";
 * const code = await run(["--help"]); // prints the usage; `run(["--traces", DIR, "--policies", P])` replays DIR under P
 * assert.equal(code, 0);
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs(SPEC, args);
  if (typeof flags === "number") return flags;
  const { traces, policies, mocks, mode } = flags;
  if (typeof traces !== "string" || typeof policies !== "string") {
    return usageError(SPEC, "give --traces and --policies");
  }
  if (mode !== undefined && mode !== "enforce" && mode !== "passthrough") {
    return usageError(SPEC, `--mode takes 'enforce' or 'passthrough', got '${mode}'`);
  }
  let report: ReplayReport;
  try {
    const loaded = await loadPolicies(await requireFile(policies, "policies"));
    const replayer = new Replayer({
      policies: loaded,
      mocks: typeof mocks === "string"
        ? await loadMocks(await requireFile(mocks, "mocks"))
        : undefined,
      mode: mode as Mode | undefined,
    });
    const runs = [];
    for (const trace of await tracesOf(traces, (flags.run as string[] | undefined) ?? [])) {
      const replay = await replayer.replay(trace, await arrivalTimes(traces, trace.run_id));
      runs.push({ replay, recorded: new Map(trace.events.map((e) => [e.seq, e.decisions])) });
    }
    const rules = loaded.document.policies.map((r) => r.name);
    report = replayReport({ traces, policies, mocks: mocks as string | undefined, rules }, runs);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  const summary = Deno.env.get("GITHUB_STEP_SUMMARY");
  if (summary) await Deno.writeTextFile(summary, replaySummary(report), { append: true });
  if (flags.json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatReplay(report, wantsColour(Deno.stdout)));
  return flags["fail-on-change"] && report.changed.length > 0 ? 1 : 0;
}
