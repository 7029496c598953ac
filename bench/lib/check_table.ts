/**
 * The regression check as a table for the report.
 */

import type { CheckResult } from "./regression.ts";
import { TOLERANCE } from "./regression.ts";
import { fmt, type Table } from "./report.ts";

/** The comparison of every baseline ratio this run measured. */
export function checkTable(result: CheckResult): Table {
  const notes: string[] = [];
  if (result.unchecked.length > 0) {
    notes.push(
      "Reported, not checked (runs of the same code on one machine moved them by more than any " +
        `useful tolerance; bench/README.md): ${result.unchecked.join(", ")}.`,
    );
  }
  if (result.notMeasured.length > 0) {
    notes.push(`Not measured in this run: ${result.notMeasured.join(", ")}.`);
  }
  return {
    title: "Regression check against bench/baseline.json (fails when a ratio is worse by more " +
      `than its tolerance; ${TOLERANCE * 100}% unless its row says otherwise)`,
    columns: ["ratio", "baseline", "this run", "worse by", "tolerance", "status"],
    rows: result.comparisons.map((c) => [
      c.key,
      fmt(c.baseline, 4),
      fmt(c.current, 4),
      `${fmt(c.worse * 100, 1)}%`,
      `${fmt(c.tolerance * 100, 0)}%`,
      c.regressed ? "REGRESSED" : "ok",
    ]),
    notes,
  };
}
