/**
 * The regression check as a table for the report.
 */

import type { CheckResult } from "./regression.ts";
import { TOLERANCE } from "./regression.ts";
import { fmt, type Table } from "./report.ts";

/** The comparison of every baseline ratio this run measured. */
export function checkTable(result: CheckResult): Table {
  return {
    title: `Regression check against bench/baseline.json (fails when a ratio is > ${
      TOLERANCE * 100
    }% worse)`,
    columns: ["ratio", "baseline", "this run", "worse by", "status"],
    rows: result.comparisons.map((c) => [
      c.key,
      fmt(c.baseline, 4),
      fmt(c.current, 4),
      `${fmt(c.worse * 100, 1)}%`,
      c.regressed ? "REGRESSED" : "ok",
    ]),
    notes: result.notMeasured.length > 0
      ? [`Not measured in this run: ${result.notMeasured.join(", ")}.`]
      : [],
  };
}
