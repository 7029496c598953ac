/**
 * A comparison with `normalize:` steps: it holds only when it holds for the value as sent and
 * for every form the steps make of it, so that normalisation can only make a rule stricter
 * (an allowlist is never passed by a folded look-alike; a blocklist catches the decoded text).
 *
 * What is normalised: a string value (the condition hands it each element of a list of
 * scalars); for the text operators, an object's JSON text as well, and a list's when it holds
 * an object (`contains` on a list compares elements as sent). String operands of the
 * equality and text operators are rewritten by the same steps once, at compile time, so that
 * `not_contains: Password` with `case_fold` catches `PASSWORD`; regex patterns are not: write
 * them for the normalised text.
 */

import {
  type Canonical,
  canonicalOperator,
  operatorSpec,
  type ValueOperator,
} from "../config/operators.ts";
import type { NormalizeStep } from "../config/normalize_steps.ts";
import type { NormalizedView, Normalizer } from "./normalize.ts";
import { compilePredicate, type PredicateOptions } from "./operators.ts";
import type { Report } from "./condition.ts";

/**
 * A compiled comparison of one value; records the steps that decided it in the report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileNormalizedTest, type NormalizedTest } from "./normalized_test.ts";
 * import { compileNormalizer } from "./normalize.ts";
 * import type { Report } from "./condition.ts";
 * const test: NormalizedTest = compileNormalizedTest(
 *   "not_contains",
 *   "<script",
 *   {},
 *   compileNormalizer(["html_decode"]),
 * );
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * assert.equal(test("&lt;script&gt;", report), false);
 * assert.deepEqual(report.normalized, ["html_decode"]);
 * ```
 */
export type NormalizedTest = (value: unknown, report: Report) => boolean;

/** Operators whose string operand is compared as text with the value. */
const TEXT_OPERANDS: ReadonlySet<Canonical<ValueOperator>> = new Set(
  [
    "eq",
    "neq",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "starts_with",
    "not_starts_with",
    "ends_with",
    "not_ends_with",
  ] as const,
);

function rewriteOperand(operator: ValueOperator, value: unknown, norm: Normalizer): unknown {
  if (!TEXT_OPERANDS.has(canonicalOperator(operator))) return value;
  if (typeof value === "string") return norm.operand(value);
  if (Array.isArray(value)) return value.map((x) => typeof x === "string" ? norm.operand(x) : x);
  return value;
}

/** The text the steps read of a value, or undefined when they read none. */
function textReader(operator: ValueOperator): (value: unknown) => string | undefined {
  const json = operatorSpec(operator).group === "text";
  const lists = json && !canonicalOperator(operator).includes("contains");
  return (value) => {
    if (typeof value === "string") return value;
    if (!json || value === null || typeof value !== "object") return undefined;
    return Array.isArray(value) && !lists ? undefined : JSON.stringify(value);
  };
}

function stepsOf(views: readonly NormalizedView[]): NormalizeStep[] {
  const out: NormalizeStep[] = [];
  for (const view of views) {
    for (const step of view.changed) if (!out.includes(step)) out.push(step);
  }
  return out;
}

/**
 * Compiles a comparison that also holds for the forms `norm` makes of the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileNormalizedTest } from "./normalized_test.ts";
 * import { compileNormalizer } from "./normalize.ts";
 * import type { Report } from "./condition.ts";
 * // The operand is folded too, so `Password` catches `PASSWORD`.
 * const test = compileNormalizedTest("not_contains", "Password", {}, compileNormalizer(["case_fold"]));
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * assert.equal(test("my PASSWORD", report), false);
 * assert.equal(test("hello", report), true);
 * ```
 */
export function compileNormalizedTest(
  operator: ValueOperator,
  value: unknown,
  options: PredicateOptions,
  norm: Normalizer,
): NormalizedTest {
  const raw = compilePredicate(operator, value, options);
  const operand = rewriteOperand(operator, value, norm);
  const folded = JSON.stringify(operand) === JSON.stringify(value)
    ? raw
    : compilePredicate(operator, operand, options);
  const read = textReader(operator);
  return (v, report) => {
    if (!raw(v, report)) return false;
    const text = read(v);
    if (text === undefined) return true;
    const views = norm(text);
    if (views.length === 0) return true;
    for (const view of views) {
      if (!folded(view.text, report)) {
        report.normalized = view.changed;
        return false;
      }
    }
    report.normalized = stepsOf(views);
    return true;
  };
}
