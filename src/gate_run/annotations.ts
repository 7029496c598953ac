/**
 * GitHub Actions workflow commands (`::error title=…::message`) for failing events, so that
 * each one shows up as an annotation on the run.
 *
 * @module
 */

import type { GateReport } from "./gate_runs.ts";

/** Escapes a workflow command's message. */
function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Escapes a workflow command's property value (also `:` and `,`). */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

function error(title: string, message: string): string {
  return `::error title=${escapeProperty(title)}::${escapeData(message)}`;
}

/**
 * One `::error` line per failing event and per problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { annotations } from "./annotations.ts";
 * const lines = annotations({ passed: false, traces: "t", runs: [], problems: ["no traces in t"] });
 * assert.deepEqual(lines, ["::error title=Mirage gate::no traces in t"]);
 * ```
 */
export function annotations(report: GateReport): string[] {
  const lines: string[] = [];
  for (const run of report.runs) {
    for (const e of run.events.filter((e) => e.fails)) {
      const message = e.next ? `${e.description}\n${e.next}` : e.description;
      lines.push(error(`Mirage ${e.outcome} in run ${run.run_id}`, message));
    }
  }
  for (const p of report.problems) lines.push(error("Mirage gate", p));
  return lines;
}
