/**
 * Condition trees and CEL expressions, compiled once into closures.
 *
 * A condition is tri-state: it passes, fails, or cannot be decided because a field is missing.
 * Missing propagates through `all`/`any`/`not`, so that `not` of a missing field is still
 * missing (and the rule's `on_missing` decides), never a silent pass.
 *
 * A comparison reads every value it selects — the values of a `[*]`, and the elements of a
 * list of scalars — and must hold for each of them (for none, under an odd number of `not`s):
 * an upstream reads one of them, and a rule cannot know which.
 */

import { Environment, EvaluationError } from "@marcbachmann/cel-js";
import type { Condition, FieldCondition, NormalizeStep } from "../config/types.ts";
import {
  type Canonical,
  canonicalOperator,
  isPresenceOperator,
  type OperatorIn,
  type ValueOperator,
} from "../config/operators.ts";
import { compileFieldGetter, MISSING } from "./field_getter.ts";
import { compilePredicate, type Predicate } from "./operators.ts";
import { compileNormalizedTest, type NormalizedTest } from "./normalized_test.ts";
import { NormalizerPool } from "./normalize.ts";
import type { Action } from "./action.ts";

/**
 * The result of a condition that holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFieldCondition, PASS, type Report } from "./condition.ts";
 * import { httpAction } from "./action.ts";
 * const isGet = compileFieldCondition({ field: "method", operator: "eq", value: "GET" });
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * assert.equal(isGet(httpAction({ method: "GET", url: "http://x.test/" }), report), PASS);
 * ```
 */
export const PASS = 0;
/**
 * The result of a condition that does not hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFieldCondition, FAIL, type Report } from "./condition.ts";
 * import { httpAction } from "./action.ts";
 * const isGet = compileFieldCondition({ field: "method", operator: "eq", value: "GET" });
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * assert.equal(isGet(httpAction({ method: "POST", url: "http://x.test/" }), report), FAIL);
 * assert.equal(report.actual, "POST");
 * ```
 */
export const FAIL = 1;
/**
 * The result of a condition whose field is absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileCondition, MISSED, type Report } from "./condition.ts";
 * import { httpAction } from "./action.ts";
 * // `not` of a missing field is still missing, never a silent pass.
 * const notBig = compileCondition({ not: { field: "payload.amount", operator: "gt", value: 10 } });
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * const action = httpAction({ method: "POST", url: "http://x.test/", json: {} });
 * assert.equal(notBig(action, report), MISSED);
 * assert.equal(report.field, "payload.amount");
 * ```
 */
export const MISSED = 2;
/**
 * One of {@link PASS}, {@link FAIL}, {@link MISSED}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileExpr, FAIL, MISSED, PASS, type Report, type Tri } from "./condition.ts";
 * import { toolAction } from "./action.ts";
 * const small = compileExpr("payload.n < 3");
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * const results: Tri[] = [1, 5].map((n) => small(toolAction({ tool: "t", args: { n } }), report));
 * results.push(small(toolAction({ tool: "t", args: {} }), report));
 * assert.deepEqual(results, [PASS, FAIL, MISSED]);
 * ```
 */
export type Tri = typeof PASS | typeof FAIL | typeof MISSED;

/**
 * Filled by a condition with the comparison that decided it, for the decision record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFieldCondition, type Report } from "./condition.ts";
 * import { httpAction } from "./action.ts";
 * const cap = compileFieldCondition({ field: "payload.amount", operator: "max", value: 10 });
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * cap(httpAction({ method: "POST", url: "http://x.test/", json: { amount: 11 } }), report);
 * assert.deepEqual(
 *   { field: report.field, operator: report.operator, expected: report.expected, actual: report.actual },
 *   { field: "payload.amount", operator: "max", expected: 10, actual: 11 },
 * );
 * ```
 */
export interface Report {
  field: string;
  operator: string;
  expected: unknown;
  actual: unknown;
  /** The normalisation steps that changed the value the comparison was decided on. */
  normalized?: readonly NormalizeStep[] | undefined;
  /** Why the value could not be compared at all, when that decided the comparison. */
  unreadable?: string | undefined;
}

/**
 * A compiled condition.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CompiledCondition, compileCondition, PASS, type Report } from "./condition.ts";
 * import { toolAction } from "./action.ts";
 * const readOnly: CompiledCondition = compileCondition({
 *   any: [
 *     { field: "tool", operator: "eq", value: "read" },
 *     { field: "tool", operator: "eq", value: "list" },
 *   ],
 * });
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * assert.equal(readOnly(toolAction({ tool: "list" }), report), PASS);
 * ```
 */
export type CompiledCondition = (action: Action, report: Report) => Tri;

/**
 * What a condition is compiled with: the `normalize` default, and the pipelines to share.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConditionContext, compileFieldCondition, FAIL, type Report } from "./condition.ts";
 * import { NormalizerPool } from "./normalize.ts";
 * import { toolAction } from "./action.ts";
 * const context: ConditionContext = { normalize: ["case_fold"], pipelines: new NormalizerPool() };
 * const noSecret = compileFieldCondition(
 *   { field: "payload.text", operator: "not_contains", value: "password" },
 *   context,
 * );
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * assert.equal(noSecret(toolAction({ tool: "say", args: { text: "my PassWord" } }), report), FAIL);
 * ```
 */
export interface ConditionContext {
  /** The steps of a condition that sets none. */
  readonly normalize: readonly NormalizeStep[];
  /** Where conditions find their compiled pipelines. */
  readonly pipelines: NormalizerPool;
}

function freshContext(): ConditionContext {
  return { normalize: [], pipelines: new NormalizerPool() };
}

function record(report: Report, c: FieldCondition, actual: unknown): void {
  report.field = c.field;
  report.operator = c.operator;
  report.expected = c.value;
  report.actual = actual === MISSING ? undefined : actual;
  report.normalized = undefined;
  report.unreadable = undefined;
}

/**
 * How a comparison quantifies over the values it reads — the values a `[*]` selects, the
 * elements of a list of scalars: each must pass, or, under an odd number of `not`s, one passing
 * suffices, so that the negation is what holds for each (`not: {ends_with: .exe}` stops a list
 * with one `.exe` in it, whatever the other elements are).
 */
type Quantifier = "each" | "some";

/** Over `[*]`, `exists` needs every element to have the field and `not_exists` none to. */
function compilePresence(
  c: FieldCondition,
  wanted: boolean,
  quantifier: Quantifier,
): CompiledCondition {
  const get = compileFieldGetter(c.field);
  if (!get.wildcard) {
    return (action, report) => {
      const v = get(action);
      record(report, c, v);
      return (v !== MISSING) === wanted ? PASS : FAIL;
    };
  }
  const holds = (v: unknown) => (v !== MISSING) === wanted;
  return (action, report) => {
    const values = get(action) as unknown[];
    record(report, c, values.filter((v) => v !== MISSING));
    const result = quantifier === "some"
      ? values.some(holds)
      : values.every(holds) && (values.length > 0 || !wanted);
    return result ? PASS : FAIL;
  };
}

/** A comparison of one value that is there (not {@link MISSING}). */
type ValueTest = (value: unknown, report: Report) => Tri;

/**
 * The scalars of a list of scalars (nested lists flattened), or undefined for any other value:
 * a list holding an object is compared as the operator compares it whole.
 */
function scalarElements(value: unknown): readonly unknown[] | undefined {
  if (!Array.isArray(value)) return undefined;
  let flat = true;
  for (const v of value) {
    if (Array.isArray(v)) flat = false;
    else if (v !== null && typeof v === "object") return undefined;
  }
  if (flat) return value;
  const out: unknown[] = [];
  for (const v of value) {
    const inner = Array.isArray(v) ? scalarElements(v) : [v];
    if (inner === undefined) return undefined;
    out.push(...inner);
  }
  return out;
}

function mergeSteps(
  into: NormalizeStep[] | undefined,
  steps: Report["normalized"],
): NormalizeStep[] | undefined {
  if (!steps?.length) return into;
  const out = into ?? [];
  for (const s of steps) if (!out.includes(s)) out.push(s);
  return out;
}

/**
 * Applies `one` to each value: under `each` the first failure decides, under `some` the first
 * pass; otherwise a missing value (or no value at all) makes the result missing. The report
 * names the value that decided, as `actual`, or else the whole it was read from.
 */
function quantify(
  values: readonly unknown[],
  one: ValueTest,
  quantifier: Quantifier,
  report: Report,
  whole: unknown,
): Tri {
  const decisive = quantifier === "each" ? FAIL : PASS;
  let missed = values.length === 0;
  let steps: NormalizeStep[] | undefined;
  for (const v of values) {
    if (v === MISSING) {
      missed = true;
      continue;
    }
    report.actual = v;
    report.normalized = undefined;
    const r = one(v, report);
    if (r === decisive) return r;
    if (r === MISSED) missed = true;
    steps = mergeSteps(steps, report.normalized);
  }
  report.actual = missed ? undefined : whole;
  report.normalized = steps;
  return missed ? MISSED : decisive === FAIL ? PASS : FAIL;
}

/**
 * How each value operator reads a list of scalars (a repeated query parameter or form field, a
 * JSON array): `whole`, as the list (membership, length); `each`, element by element, so that
 * `["evil.exe"]` and `filename=evil.exe&filename=evil.exe` are read as the `evil.exe` an upstream takes
 * from them; an equality operator also compares the list whole with its operand (`eq: [a, b]`),
 * `eq`/`in` passing when the whole or the elements do, `neq`/`not_in` only when both do. A
 * mapped type over the table: an operator without a reading here fails `deno check`.
 */
const LIST_READING: {
  readonly [K in Canonical<ValueOperator>]: "whole" | "each" | "whole_or_each" | "whole_and_each";
} = {
  eq: "whole_or_each",
  neq: "whole_and_each",
  in: "whole_or_each",
  not_in: "whole_and_each",
  lt: "each",
  lte: "each",
  gt: "each",
  gte: "each",
  between: "each",
  regex_match: "each",
  not_regex_match: "each",
  contains: "whole",
  // Each element's text: stricter than membership, which an element equal to the value fails too.
  not_contains: "each",
  starts_with: "each",
  not_starts_with: "each",
  ends_with: "each",
  not_ends_with: "each",
  length_lte: "whole",
  length_gte: "whole",
  host_in: "each",
  host_not_in: "each",
  cidr_in: "each",
  cidr_not_in: "each",
};

/** The test of one value, lists of scalars read as {@link LIST_READING} says. */
function compileValueTest(
  operator: ValueOperator,
  test: NormalizedTest,
  quantifier: Quantifier,
): ValueTest {
  // A value that cannot be read fails the rule whatever the polarity: under `not`, it passes here.
  const unreadable = quantifier === "each" ? FAIL : PASS;
  const holds: ValueTest = (v, report) => {
    report.unreadable = undefined;
    return test(v, report) ? PASS : report.unreadable === undefined ? FAIL : unreadable;
  };
  const reading = LIST_READING[canonicalOperator(operator)];
  if (reading === "whole") return holds;
  const wholeDecides = reading === "whole_or_each"
    ? PASS
    : reading === "whole_and_each"
    ? FAIL
    : undefined;
  return (v, report) => {
    const elements = scalarElements(v);
    if (elements === undefined) return holds(v, report);
    if (wholeDecides !== undefined && holds(v, report) === wholeDecides) return wholeDecides;
    return quantify(elements, holds, quantifier, report, v);
  };
}

function compileComparison(
  c: FieldCondition,
  operator: ValueOperator,
  context: ConditionContext,
  quantifier: Quantifier,
): CompiledCondition {
  const get = compileFieldGetter(c.field);
  const options = c.checksum === undefined ? {} : { checksum: c.checksum };
  const steps = c.normalize ?? context.normalize;
  const predicate: Predicate = compilePredicate(operator, c.value, options);
  // A predicate is a test that ignores the report: no wrapper on the path without steps.
  const test: NormalizedTest = steps.length === 0
    ? predicate
    : compileNormalizedTest(operator, c.value, options, context.pipelines.get(steps));
  const one = compileValueTest(operator, test, quantifier);
  if (!get.wildcard) {
    return (action, report) => {
      const v = get(action);
      record(report, c, v);
      return v === MISSING ? MISSED : one(v, report);
    };
  }
  return (action, report) => {
    const values = get(action) as unknown[];
    record(report, c, values);
    return quantify(values, one, quantifier, report, values);
  };
}

/** What each presence operator wants of the field: to be there, or not. */
const PRESENCE: { readonly [K in Canonical<OperatorIn<"presence">>]: boolean } = {
  exists: true,
  not_exists: false,
};

function compileLeaf(
  c: FieldCondition,
  context: ConditionContext,
  quantifier: Quantifier,
): CompiledCondition {
  const op = c.operator;
  if (isPresenceOperator(op)) {
    return compilePresence(c, PRESENCE[canonicalOperator(op)], quantifier);
  }
  return compileComparison(c, op, context, quantifier);
}

/**
 * Compiles a single `field`/`operator`/`value` comparison; the context's `normalize` is the
 * default of a condition that sets none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFieldCondition, FAIL, PASS, type Report } from "./condition.ts";
 * import { httpAction } from "./action.ts";
 * // A comparison holds for each value a `[*]` selects.
 * const eu = compileFieldCondition({
 *   field: "payload.regions[*]",
 *   operator: "in",
 *   value: ["eu-west-1", "eu-central-1"],
 * });
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * const send = (regions: string[]) =>
 *   eu(httpAction({ method: "POST", url: "http://x.test/", json: { regions } }), report);
 * assert.equal(send(["eu-west-1"]), PASS);
 * assert.equal(send(["eu-west-1", "us-east-1"]), FAIL);
 * ```
 */
export function compileFieldCondition(
  c: FieldCondition,
  context: ConditionContext = freshContext(),
): CompiledCondition {
  return compileLeaf(c, context, "each");
}

/** `all` fails on the first failure; otherwise a missing field makes it missing. */
function compileAll(children: CompiledCondition[]): CompiledCondition {
  return (action, report) => {
    let missed: Report | undefined;
    for (const child of children) {
      const r = child(action, report);
      if (r === FAIL) return FAIL;
      if (r === MISSED && !missed) missed = { ...report };
    }
    if (missed) Object.assign(report, missed);
    return missed ? MISSED : PASS;
  };
}

/** `any` passes on the first pass; otherwise a missing field makes it missing. */
function compileAny(children: CompiledCondition[]): CompiledCondition {
  return (action, report) => {
    let missed: Report | undefined;
    for (const child of children) {
      const r = child(action, report);
      if (r === PASS) return PASS;
      if (r === MISSED && !missed) missed = { ...report };
    }
    if (missed) Object.assign(report, missed);
    return missed ? MISSED : FAIL;
  };
}

function compileNot(inner: CompiledCondition): CompiledCondition {
  return (action, report) => {
    const r = inner(action, report);
    report.operator = `not ${report.operator}`;
    return r === PASS ? FAIL : r === FAIL ? PASS : MISSED;
  };
}

function compileTree(
  c: Condition,
  context: ConditionContext,
  quantifier: Quantifier,
): CompiledCondition {
  if ("field" in c) return compileLeaf(c, context, quantifier);
  const inner = c.normalize === undefined ? context : { ...context, normalize: c.normalize };
  if ("not" in c) {
    return compileNot(compileTree(c.not, inner, quantifier === "each" ? "some" : "each"));
  }
  const children = ("all" in c ? c.all : c.any).map((x) => compileTree(x, inner, quantifier));
  return "all" in c ? compileAll(children) : compileAny(children);
}

/**
 * Compiles a condition tree; the context's `normalize` is the default of the conditions that
 * set none, and a group's own `normalize` the default of the conditions inside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileCondition, FAIL, PASS, type Report } from "./condition.ts";
 * import { httpAction } from "./action.ts";
 * const bigOrder = compileCondition({
 *   all: [
 *     { field: "method", operator: "eq", value: "POST" },
 *     { field: "payload.amount", operator: "gt", value: 1000 },
 *   ],
 * });
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * const order = (amount: number) =>
 *   httpAction({ method: "POST", url: "http://x.test/orders", json: { amount } });
 * assert.equal(bigOrder(order(5000), report), PASS);
 * assert.equal(bigOrder(order(5), report), FAIL);
 * ```
 */
export function compileCondition(
  c: Condition,
  context: ConditionContext = freshContext(),
): CompiledCondition {
  return compileTree(c, context, "each");
}

const CEL = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

/**
 * Compiles a CEL expression over the action's fields. A reference to an absent field is
 * missing; any other evaluation error, or a result that is not `true`, fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileExpr, FAIL, PASS, type Report } from "./condition.ts";
 * import { toolAction } from "./action.ts";
 * const twoRecipients = compileExpr("size(payload.to) <= 2");
 * const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
 * assert.equal(twoRecipients(toolAction({ tool: "mail", args: { to: ["a", "b"] } }), report), PASS);
 * assert.equal(twoRecipients(toolAction({ tool: "mail", args: { to: ["a", "b", "c"] } }), report), FAIL);
 * assert.equal(report.actual, false);
 * ```
 */
export function compileExpr(source: string): CompiledCondition {
  const evaluate = CEL.parse(source);
  return (action, report) => {
    report.field = "expr";
    report.operator = "expr";
    report.expected = source;
    report.normalized = undefined;
    report.unreadable = undefined;
    try {
      const result = evaluate(action as unknown as Record<string, unknown>);
      // Only a verdict is recorded: any other value may be a secret the expression read.
      report.actual = typeof result === "boolean"
        ? result
        : `non-boolean result (${typeof result})`;
      return result === true ? PASS : FAIL;
    } catch (e) {
      report.actual = e instanceof Error ? e.message.split("\n")[0] : String(e);
      return e instanceof EvaluationError && /no such key/i.test(String(e)) ? MISSED : FAIL;
    }
  };
}
