/**
 * How the console writes numbers, durations, shares, times and recorded values as text.
 *
 * @module
 */

/**
 * A count with thousands separators.
 *
 * @example
 * ```ts
 * import { count } from "./format.ts";
 * console.log(count(1234567)); // 1,234,567
 * ```
 */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * A duration in microseconds, in the unit that reads best; `—` when unknown.
 *
 * @example
 * ```ts
 * import { duration } from "./format.ts";
 * console.log(duration(3.24), duration(1520), duration(undefined)); // 3.2 µs 1.52 ms —
 * ```
 */
export function duration(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return "—";
  if (us < 10) return `${us.toFixed(1)} µs`;
  if (us < 1_000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1_000).toPrecision(3)} ms`;
  return `${(us / 1_000_000).toPrecision(3)} s`;
}

/**
 * A share as a percentage; `—` when there is nothing to divide.
 *
 * @example
 * ```ts
 * import { percent } from "./format.ts";
 * console.log(percent(1, 3), percent(0, 0)); // 33.3% —
 * ```
 */
export function percent(part: number, whole: number): string {
  if (whole === 0) return "—";
  const p = (part / whole) * 100;
  return `${p === 100 || p === 0 ? p : p.toFixed(1)}%`;
}

/**
 * A wall-clock time (ISO or ms since the epoch) as `2026-01-01 00:00:10 UTC`; `—` when unknown.
 *
 * @example
 * ```ts
 * import { time } from "./format.ts";
 * console.log(time("2026-01-01T00:00:10.250Z")); // 2026-01-01 00:00:10 UTC
 * ```
 */
export function time(at: string | number | undefined): string {
  if (at === undefined) return "—";
  const ms = typeof at === "number" ? at : Date.parse(at);
  if (Number.isNaN(ms)) return String(at);
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * A recorded value as it reads in a table cell: strings as they are, anything else as JSON.
 *
 * @example
 * ```ts
 * import { value } from "./format.ts";
 * console.log(value("SUP-001"), value(25000), value(["a", 1]), value(undefined)); // SUP-001 25000 ["a",1] —
 * ```
 */
export function value(v: unknown): string {
  if (v === undefined) return "—";
  if (typeof v === "string") return v;
  return JSON.stringify(v) ?? String(v);
}

/**
 * A recorded value as a readable block: JSON, indented.
 *
 * @example
 * ```ts
 * import { pretty } from "./format.ts";
 * console.log(pretty({ amount: 50000 }));
 * ```
 */
export function pretty(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 2) ?? String(v);
}

/**
 * An argument as a POSIX shell reads it back unchanged: bare when safe, else single-quoted.
 *
 * @example
 * ```ts
 * import { shellWord } from "./format.ts";
 * console.log(shellWord("procurement-run"), shellWord("it's mine")); // procurement-run 'it'\''s mine'
 * ```
 */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
