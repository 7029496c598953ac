/**
 * Markdown rendering of tables and of a whole run.
 */

import type { Goal, SuiteResult, Table } from "./report.ts";
import { verdict } from "./report.ts";
import type { MachineInfo } from "./machine.ts";

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** One table with its title and notes. */
export function renderTable(t: Table): string {
  const lines = [`### ${t.title}`, ""];
  lines.push(`| ${t.columns.map(escapeCell).join(" | ")} |`);
  lines.push(`|${t.columns.map(() => "---").join("|")}|`);
  for (const row of t.rows) lines.push(`| ${row.map(escapeCell).join(" | ")} |`);
  for (const note of t.notes ?? []) lines.push("", `> ${note}`);
  return lines.join("\n");
}

function goalsTable(goals: readonly Goal[]): Table {
  return {
    title: "Goals",
    columns: ["goal", "measured", "status"],
    rows: goals.map((g) => [g.goal, g.measured, verdict(g.met)]),
  };
}

function loads(l: readonly number[]): string {
  return l.map((x) => x.toFixed(2)).join(" / ");
}

function machineLine(m: MachineInfo, endLoad: readonly number[]): string {
  return `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Deno ${m.deno} ` +
    `(V8 ${m.v8}); load average at start ${loads(m.loadAverage)}, at end ${loads(endLoad)}.`;
}

/** The whole run as one markdown document. */
export function renderRun(
  started: string,
  machine: MachineInfo,
  suites: readonly SuiteResult[],
  extra: readonly Table[],
  endLoad: readonly number[] = Deno.loadavg(),
): string {
  const parts = [`# Mirage benchmark — ${started}`, "", machineLine(machine, endLoad)];
  for (const s of suites) {
    parts.push("", `## ${s.suite}`);
    for (const t of s.tables) parts.push("", renderTable(t));
  }
  const goals = suites.flatMap((s) => s.goals);
  if (goals.length > 0) parts.push("", "## goals", "", renderTable(goalsTable(goals)));
  for (const t of extra) parts.push("", renderTable(t));
  return parts.join("\n") + "\n";
}
