/**
 * Condition trees and CEL expressions, compiled once into closures.
 *
 * A condition is tri-state: it passes, fails, or cannot be decided because a field is missing.
 * Missing propagates through `all`/`any`/`not`, so that `not` of a missing field is still
 * missing (and the rule's `on_missing` decides), never a silent pass.
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

/** The result of a condition. */
export const PASS = 0;
/** The result of a condition. */
export const FAIL = 1;
/** The result of a condition whose field is absent. */
export const MISSED = 2;
/** One of {@link PASS}, {@link FAIL}, {@link MISSED}. */
export type Tri = typeof PASS | typeof FAIL | typeof MISSED;

/** Filled by a condition with the comparison that decided it, for the decision record. */
export interface Report {
  field: string;
  operator: string;
  expected: unknown;
  actual: unknown;
  /** The normalisation steps that changed the value the comparison was decided on. */
  normalized?: readonly NormalizeStep[] | undefined;
}

/** A compiled condition. */
export type CompiledCondition = (action: Action, report: Report) => Tri;

/** What a condition is compiled with: the `normalize` default, and the pipelines to share. */
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
}

/** Over `[*]`, `exists` needs every element to have the field and `not_exists` none to. */
function compilePresence(c: FieldCondition, wanted: boolean): CompiledCondition {
  const get = compileFieldGetter(c.field);
  if (!get.wildcard) {
    return (action, report) => {
      const v = get(action);
      record(report, c, v);
      return (v !== MISSING) === wanted ? PASS : FAIL;
    };
  }
  return (action, report) => {
    const values = get(action) as unknown[];
    record(report, c, values.filter((v) => v !== MISSING));
    const holds = wanted
      ? values.length > 0 && !values.includes(MISSING)
      : values.every((v) => v === MISSING);
    return holds ? PASS : FAIL;
  };
}

function compileComparison(
  c: FieldCondition,
  operator: ValueOperator,
  context: ConditionContext,
): CompiledCondition {
  const get = compileFieldGetter(c.field);
  const options = c.checksum === undefined ? {} : { checksum: c.checksum };
  const steps = c.normalize ?? context.normalize;
  const predicate: Predicate = compilePredicate(operator, c.value, options);
  // A predicate is a test that ignores the report: no wrapper on the path without steps.
  const test: NormalizedTest = steps.length === 0
    ? predicate
    : compileNormalizedTest(operator, c.value, options, context.pipelines.get(steps));
  if (!get.wildcard) {
    return (action, report) => {
      const v = get(action);
      record(report, c, v);
      return v === MISSING ? MISSED : test(v, report) ? PASS : FAIL;
    };
  }
  return (action, report) => {
    const values = get(action) as unknown[];
    record(report, c, values);
    let missed = values.length === 0;
    for (const v of values) {
      if (v === MISSING) missed = true;
      else if (!test(v, report)) {
        report.actual = v;
        return FAIL;
      }
    }
    if (missed) report.actual = undefined;
    return missed ? MISSED : PASS;
  };
}

/** What each presence operator wants of the field: to be there, or not. */
const PRESENCE: { readonly [K in Canonical<OperatorIn<"presence">>]: boolean } = {
  exists: true,
  not_exists: false,
};

/**
 * Compiles a single `field`/`operator`/`value` comparison; the context's `normalize` is the
 * default of a condition that sets none.
 */
export function compileFieldCondition(
  c: FieldCondition,
  context: ConditionContext = freshContext(),
): CompiledCondition {
  const op = c.operator;
  if (isPresenceOperator(op)) return compilePresence(c, PRESENCE[canonicalOperator(op)]);
  return compileComparison(c, op, context);
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

/**
 * Compiles a condition tree; the context's `normalize` is the default of the conditions that
 * set none, and a group's own `normalize` the default of the conditions inside it.
 */
export function compileCondition(
  c: Condition,
  context: ConditionContext = freshContext(),
): CompiledCondition {
  if ("field" in c) return compileFieldCondition(c, context);
  const inner = c.normalize === undefined ? context : { ...context, normalize: c.normalize };
  const child = (x: Condition) => compileCondition(x, inner);
  if ("all" in c) return compileAll(c.all.map(child));
  if ("any" in c) return compileAny(c.any.map(child));
  return compileNot(child(c.not));
}

const CEL = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

/**
 * Compiles a CEL expression over the action's fields. A reference to an absent field is
 * missing; any other evaluation error, or a result that is not `true`, fails.
 */
export function compileExpr(source: string): CompiledCondition {
  const evaluate = CEL.parse(source);
  return (action, report) => {
    report.field = "expr";
    report.operator = "expr";
    report.expected = source;
    report.normalized = undefined;
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
