/**
 * The gate's report for a terminal or a CI log.
 *
 * @module
 */

import { painter } from "../log/colour.ts";
import type { GatedRun, GateReport } from "./gate_runs.ts";

function counts(run: GatedRun): string {
  return Object.entries(run.counts).map(([outcome, n]) => `${n} ${outcome}`).join(" · ");
}

function runLines(run: GatedRun, colour: boolean): string[] {
  const paint = painter(colour);
  const mark = run.passed ? paint("green", "✓") : paint("red", "✗");
  const policy = run.policy !== undefined ? ` · ${run.policy}` : "";
  const lines = [
    `${mark} run ${run.run_id} · ${run.outcome}${policy}`,
    `  counts: ${counts(run)}`,
    `  side_effect_count: ${run.side_effect_count}`,
    `  trace: ${run.trace}`,
  ];
  for (const e of run.events) {
    if (e.outcome === "allowed") continue;
    lines.push(`  ${e.fails ? paint("red", "✗") : paint("yellow", "⚑")} ${e.description}`);
    if (e.next) lines.push(`    ${e.next}`);
  }
  const { events, failing } = run.omitted;
  if (events > 0) {
    lines.push(`  … ${events} more events not listed (${failing} failing): see the trace`);
  }
  return lines;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function verdict(report: GateReport, colour: boolean): string {
  const paint = painter(colour);
  const runs = count(report.runs.length, "run");
  if (report.passed) return paint("green", `[mirage] gate passed · ${runs} clean`);
  const failed = report.runs.filter((r) => !r.passed).length;
  const parts = [`${failed} of ${runs} not clean`];
  if (report.problems.length) parts.push(count(report.problems.length, "problem"));
  return paint("red", `[mirage] gate failed · ${parts.join(" · ")}`);
}

/**
 * Formats a gate report: each run with its outcome, counts, side effects, trace path and
 * non-allowed events with their "Next:" hint, then problems and a verdict line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatReport } from "./text_report.ts";
 * const text = formatReport({ passed: false, traces: "t", runs: [], problems: ["no traces in t"] }, false);
 * assert.equal(text, "✗ no traces in t\n[mirage] gate failed · 0 of 0 runs not clean · 1 problem");
 * ```
 */
export function formatReport(report: GateReport, colour: boolean): string {
  const paint = painter(colour);
  const lines = report.runs.flatMap((r) => runLines(r, colour));
  for (const p of report.problems) lines.push(`${paint("red", "✗")} ${p}`);
  lines.push(verdict(report, colour));
  return lines.join("\n");
}
