/**
 * What a suite hands back: its raw numbers (kept whole in the JSON file), the tables a reader
 * sees, the ratios the regression guard compares, and the goals it reports against.
 */

/** A markdown table. */
export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Shown under the table: how to read it, what was not measured and why. */
  readonly notes?: readonly string[];
}

/** A ratio the regression guard tracks, and which way is better. */
export interface Ratio {
  readonly value: number;
  readonly better: "higher" | "lower";
  /**
   * How much worse it may get before `--check` fails, as a fraction of the baseline: the
   * default `TOLERANCE` when absent; `0` for a figure the seed alone decides; `null` for one that
   * runs of the same code move by more than any useful tolerance (reported, not checked).
   */
  readonly tolerance?: number | null;
}

/** A published goal and whether this run met it; `null` when it could not be measured. */
export interface Goal {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
}

/** One suite's results. */
export interface SuiteResult {
  readonly suite: string;
  readonly raw: unknown;
  readonly tables: readonly Table[];
  readonly ratios: Readonly<Record<string, Ratio>>;
  readonly goals: readonly Goal[];
}

/** A number with a fixed count of decimals, or `n/a`. */
export function fmt(value: number | null | undefined, decimals = 2): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? "n/a"
    : value.toFixed(decimals);
}

/** `met` / `not met` / `not measured`. */
export function verdict(met: boolean | null): string {
  return met === null ? "not measured" : met ? "met" : "not met";
}
