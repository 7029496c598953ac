/**
 * What `mirage replay` reports: each event whose outcome, deciding rule or enforcement changes,
 * the events it could not decide (and why), and per rule how many events it blocks and flags
 * now against when recorded — as text, as JSON, and as Markdown for a GitHub step summary.
 *
 * @module
 */

import { cell } from "../gate_run/step_summary.ts";
import { type Paint, painter } from "../log/colour.ts";
import type { Decision } from "../engine/compile_policies.ts";
import { describeDecision } from "../trace/describe_event.ts";
import type { Decided, ReplayedEvent, RunReplay } from "./replay_run.ts";

/**
 * Events a rule failed, by what it did.
 *
 * @example
 * ```ts
 * import type { RuleTally } from "./replay_report.ts";
 * const t: RuleTally = { block: 1, flag: 0 };
 * ```
 */
export interface RuleTally {
  /** Events it failed as a blocking rule. */
  readonly block: number;
  /** Events it failed as a flag rule. */
  readonly flag: number;
}

/**
 * One rule, before and after.
 *
 * @example
 * ```ts
 * import type { RuleCounts } from "./replay_report.ts";
 * const r: RuleCounts = { rule: "enforce_bid_limit", before: { block: 1, flag: 0 }, after: { block: 0, flag: 0 }, undecidable: 0 };
 * ```
 */
export interface RuleCounts {
  /** The rule's name. */
  readonly rule: string;
  /** Events it failed when recorded. */
  readonly before: RuleTally;
  /** Events it fails under the new file (decided events only). */
  readonly after: RuleTally;
  /** Undecidable events it applies to under the new file. */
  readonly undecidable: number;
}

/**
 * An event of a run, for the report.
 *
 * @example
 * ```ts
 * import type { ReportedEvent } from "./replay_report.ts";
 * const e: ReportedEvent = {
 *   run_id: "procurement", seq: 3, action: "POST /v1/submit_bid", changed: true, decisions: [],
 *   before: { outcome: "policy_violation", policy: "enforce_bid_limit", enforced: true },
 *   after: { outcome: "allowed", enforced: true },
 * };
 * ```
 */
export interface ReportedEvent extends ReplayedEvent {
  /** The run it belongs to. */
  readonly run_id: string;
}

/**
 * A whole replay.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replayReport } from "./replay_report.ts";
 * const r = replayReport({ traces: "t", policies: "p.yaml" }, []);
 * assert.deepEqual(r.changed, []);
 * ```
 */
export interface ReplayReport {
  /** The trace folder. */
  readonly traces: string;
  /** The policy file replayed under. */
  readonly policies: string;
  /** The mocks file routed with, if any. */
  readonly mocks?: string;
  /** Each run: its id, modes and number of events. */
  readonly runs: readonly {
    readonly run_id: string;
    readonly recorded_mode: string;
    readonly mode: string;
    readonly events: number;
    readonly changed: number;
    readonly undecidable: number;
  }[];
  /** Events replayed. */
  readonly events: number;
  /** Events whose outcome, deciding rule or enforcement changed. */
  readonly changed: readonly ReportedEvent[];
  /** Events the trace cannot replay honestly. */
  readonly undecidable: readonly ReportedEvent[];
  /** Every rule of the new file, and rules that decided when recorded and are gone. */
  readonly rules: readonly RuleCounts[];
}

interface MutableTally {
  block: number;
  flag: number;
}

interface MutableCounts {
  before: MutableTally;
  after: MutableTally;
  undecidable: number;
}

function tallyFailures(decisions: readonly Decision[], side: "before" | "after", counts: Counts) {
  for (const d of decisions) {
    if (!d.passed) counts.of(d.policy)[side][d.action]++;
  }
}

class Counts {
  readonly #rules = new Map<string, MutableCounts>();

  constructor(names: readonly string[]) {
    for (const name of names) this.of(name);
  }

  of(name: string): MutableCounts {
    let c = this.#rules.get(name);
    if (!c) {
      c = { before: { block: 0, flag: 0 }, after: { block: 0, flag: 0 }, undecidable: 0 };
      this.#rules.set(name, c);
    }
    return c;
  }

  list(): RuleCounts[] {
    return [...this.#rules].map(([rule, c]) => ({ rule, ...c }));
  }
}

/**
 * The report of a replay of `runs` (each event's recorded decisions are in `recorded`, by run
 * and seq, for the per-rule counts before).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replayReport } from "./replay_report.ts";
 * const r = replayReport({ traces: "t", policies: "p.yaml", rules: ["cap"] }, []);
 * assert.deepEqual(r.rules, [{ rule: "cap", before: { block: 0, flag: 0 }, after: { block: 0, flag: 0 }, undecidable: 0 }]);
 * ```
 */
export function replayReport(
  where: {
    traces: string;
    policies: string;
    mocks?: string | undefined;
    rules?: readonly string[];
  },
  runs: readonly { replay: RunReplay; recorded: ReadonlyMap<number, readonly Decision[]> }[],
): ReplayReport {
  const counts = new Counts(where.rules ?? []);
  const changed: ReportedEvent[] = [];
  const undecidable: ReportedEvent[] = [];
  for (const { replay, recorded } of runs) {
    for (const e of replay.events) {
      const reported = { run_id: replay.run_id, ...e };
      tallyFailures(recorded.get(e.seq) ?? [], "before", counts);
      tallyFailures(e.decisions, "after", counts);
      if (e.undecidable) {
        undecidable.push(reported);
        for (const rule of e.rules ?? []) counts.of(rule).undecidable++;
      }
      if (e.changed) changed.push(reported);
    }
  }
  return {
    traces: where.traces,
    policies: where.policies,
    ...(where.mocks === undefined ? {} : { mocks: where.mocks }),
    runs: runs.map(({ replay }) => ({
      run_id: replay.run_id,
      recorded_mode: replay.recorded_mode,
      mode: replay.mode,
      events: replay.events.length,
      changed: replay.events.filter((e) => e.changed).length,
      undecidable: replay.events.filter((e) => e.undecidable).length,
    })),
    events: runs.reduce((n, r) => n + r.replay.events.length, 0),
    changed,
    undecidable,
    rules: counts.list(),
  };
}

function side(d: Decided): string {
  const notes = [d.policy, d.enforced ? undefined : "not enforced"].filter((x) => x);
  return notes.length ? `${d.outcome} (${notes.join(", ")})` : d.outcome;
}

/** The decision that decides an event now, when a rule failed. */
function deciding(e: ReplayedEvent): Decision | undefined {
  return e.decisions.find((d) => d.policy === e.after?.policy && !d.passed);
}

function changeLine(e: ReportedEvent, paint: Paint): string {
  const d = deciding(e);
  const why = d ? paint("dim", ` · ${describeDecision(d)}`) : "";
  return `  #${e.seq} ${e.action}: ${side(e.before)} → ${
    paint("bold", side(e.after as Decided))
  }${why}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function tally(before: number, after: number): string {
  return `${before} → ${after}`;
}

function ruleLines(rules: readonly RuleCounts[]): string[] {
  const active = rules.filter((r) =>
    r.before.block + r.before.flag + r.after.block + r.after.flag + r.undecidable > 0
  );
  if (!active.length) return ["rules: none failed, before or now"];
  const width = Math.max(4, ...active.map((r) => r.rule.length));
  return [
    "rules (events failed, recorded → now):",
    `  ${"rule".padEnd(width)}  blocks     flags      undecidable`,
    ...active.map((r) =>
      `  ${r.rule.padEnd(width)}  ${tally(r.before.block, r.after.block).padEnd(9)}  ${
        tally(r.before.flag, r.after.flag).padEnd(9)
      }  ${r.undecidable}`
    ),
  ];
}

/**
 * The report for a terminal or a CI log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatReplay, replayReport } from "./replay_report.ts";
 * const text = formatReplay(replayReport({ traces: "t", policies: "p.yaml" }, []), false);
 * assert.match(text, /^replay of 0 runs \(0 events\) from t under p\.yaml\n/);
 * assert.match(text, /no event changed, 0 undecidable$/);
 * ```
 */
export function formatReplay(report: ReplayReport, colour: boolean): string {
  const paint = painter(colour);
  const lines = [
    `replay of ${plural(report.runs.length, "run")} (${
      plural(report.events, "event")
    }) from ${report.traces} under ${report.policies}${
      report.mocks ? ` with ${report.mocks}` : ""
    }`,
    "",
  ];
  for (const run of report.runs) {
    const modes = run.recorded_mode === run.mode ? run.mode : `${run.recorded_mode} → ${run.mode}`;
    const what = run.changed || run.undecidable
      ? `${plural(run.changed, "change")}, ${run.undecidable} undecidable`
      : "no change";
    lines.push(`run ${run.run_id} (${modes}, ${plural(run.events, "event")}): ${what}`);
    for (const e of report.changed.filter((c) => c.run_id === run.run_id)) {
      lines.push(changeLine(e, paint));
    }
  }
  if (report.undecidable.length) {
    lines.push("", paint("yellow", `undecidable (${report.undecidable.length}):`));
    for (const e of report.undecidable) {
      lines.push(`  run ${e.run_id} #${e.seq} ${e.action} (recorded ${side(e.before)})`);
      for (const reason of e.undecidable ?? []) lines.push(paint("dim", `    - ${reason}`));
    }
  }
  lines.push("", ...ruleLines(report.rules), "");
  const verdict = report.changed.length
    ? paint("yellow", `${plural(report.changed.length, "event")} changed`)
    : paint("green", "no event changed");
  lines.push(`${verdict}, ${report.undecidable.length} undecidable`);
  return lines.join("\n");
}

/**
 * The report as Markdown for `GITHUB_STEP_SUMMARY`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replayReport, replaySummary } from "./replay_report.ts";
 * const md = replaySummary(replayReport({ traces: "t", policies: "p.yaml" }, []));
 * assert.match(md, /^## Mirage replay: no changes ✅\n/);
 * ```
 */
export function replaySummary(report: ReplayReport): string {
  const n = report.changed.length;
  const lines = [
    `## Mirage replay: ${n ? `${plural(n, "change")} ⚠️` : "no changes ✅"}`,
    "",
    `Replayed ${plural(report.events, "event")} of ${plural(report.runs.length, "run")} from \`${
      cell(report.traces)
    }\` under \`${
      cell(report.policies)
    }\`: ${n} changed, ${report.undecidable.length} undecidable.`,
    "",
  ];
  if (n) {
    lines.push("| run | event | action | recorded | now |", "|---|---:|---|---|---|");
    for (const e of report.changed) {
      lines.push(
        `| ${cell(e.run_id)} | ${e.seq} | ${cell(e.action)} | ${cell(side(e.before))} | ${
          cell(side(e.after as Decided))
        } |`,
      );
    }
    lines.push("");
  }
  const rules = report.rules.filter((r) =>
    r.before.block + r.before.flag + r.after.block + r.after.flag + r.undecidable > 0
  );
  if (rules.length) {
    lines.push(
      "| rule | blocks (recorded → now) | flags (recorded → now) | undecidable |",
      "|---|---|---|---:|",
      ...rules.map((r) =>
        `| ${cell(r.rule)} | ${tally(r.before.block, r.after.block)} | ${
          tally(r.before.flag, r.after.flag)
        } | ${r.undecidable} |`
      ),
      "",
    );
  }
  if (report.undecidable.length) {
    lines.push("### Undecidable events", "");
    for (const e of report.undecidable) {
      lines.push(
        `- **${cell(e.run_id)}** #${e.seq} ${cell(e.action)}: ${
          cell((e.undecidable ?? []).join("; "))
        }`,
      );
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}
