/**
 * The Markdown a GitHub job shows on its summary page (`GITHUB_STEP_SUMMARY`).
 *
 * @module
 */

import type { GatedRun, GateReport } from "./gate_runs.ts";

/**
 * Escapes text for a Markdown table cell or list item.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cell } from "./step_summary.ts";
 * assert.equal(cell("a|b"), "a\\|b");
 * ```
 */
export function cell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll("\n", " ")
    .replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function row(run: GatedRun): string {
  const c = run.counts;
  const outcome = `${run.passed ? "✅" : "❌"} ${run.outcome}${
    run.policy ? ` (${run.policy})` : ""
  }`;
  return `| ${
    [
      run.run_id,
      outcome,
      c.allowed,
      c.flagged,
      c.policy_violation,
      c.unmatched_route,
      c.error,
      run.side_effect_count,
    ]
      .map((v) => cell(String(v))).join(" | ")
  } | \`${cell(run.trace)}\` |`;
}

function failingEvents(report: GateReport): string[] {
  const lines: string[] = [];
  for (const run of report.runs) {
    for (const e of run.events.filter((e) => e.fails)) {
      lines.push(`- **${cell(run.run_id)}** ${cell(e.description)}`);
      if (e.next) lines.push(`  - ${cell(e.next)}`);
    }
  }
  return lines;
}

/**
 * Renders a gate report as Markdown: a verdict, a table of runs and the failing events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepSummary } from "./step_summary.ts";
 * const md = stepSummary({ passed: false, traces: "t", runs: [], problems: ["no traces in t"] });
 * assert.equal(md, "## Mirage gate: failed ❌\n\n### Problems\n\n- no traces in t\n\n");
 * ```
 */
export function stepSummary(report: GateReport): string {
  const lines = [
    `## Mirage gate: ${report.passed ? "passed ✅" : "failed ❌"}`,
    "",
  ];
  if (report.runs.length) {
    lines.push(
      "| run | outcome | allowed | flagged | policy_violation | unmatched_route | error | side effects | trace |",
      "|---|---|---:|---:|---:|---:|---:|---:|---|",
      ...report.runs.map(row),
      "",
    );
  }
  const failing = failingEvents(report);
  if (failing.length) lines.push("### Failing events", "", ...failing, "");
  if (report.problems.length) {
    lines.push(
      "### Problems",
      "",
      ...report.problems.map((p) => `- ${cell(p)}`),
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}
