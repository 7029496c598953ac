/**
 * CSV that a spreadsheet opens safely: RFC 4180 (CRLF line ends, a cell with a comma, quote or
 * line break quoted, quotes doubled) and no formulas — a cell that begins with `=`, `+`, `-`,
 * `@`, a tab or a carriage return is prefixed with `'`, so that a spreadsheet shows it as text
 * instead of running it (an actor header or a path comes from the agent).
 *
 * @module
 */

const FORMULA = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One cell: `null` is empty, numbers and booleans as JSON writes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvCell } from "./csv.ts";
 * assert.equal(csvCell("=1+1"), "'=1+1");
 * assert.equal(csvCell('say "hi", then'), '"say ""hi"", then"');
 * assert.equal(csvCell(null), "");
 * ```
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const safe = FORMULA.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * One record, with its CRLF.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvRow } from "./csv.ts";
 * assert.equal(csvRow([1, "a,b", true]), '1,"a,b",true\r\n');
 * ```
 */
export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
