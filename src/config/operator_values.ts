/**
 * What each operator accepts as its `value` (docs/language.md). One schema per operator name, shared by
 * rules, nested conditions and mock matches, and turned into JSON Schema `if`/`then` blocks.
 *
 * @module
 */

import { RE2JS } from "re2js";
import * as v from "valibot";
import { parseCidr } from "./cidr.ts";
import { isHostPattern } from "./host_pattern.ts";
import { describeValue } from "./messages.ts";
import {
  type CanonicalOperator,
  canonicalOperator,
  type ConditionOperator,
  isPresenceOperator,
  isStateOperator,
  OPERATOR_NAMES,
  type OperatorName,
  operatorSpec,
} from "./operators.ts";
import {
  type AddIssue,
  checkedString,
  fieldPath,
  flattenIssues,
  type IssuePath,
  methods,
  type ObjectCheck,
  pathPattern,
  type Schema,
  strict,
  tools,
} from "./schema_parts.ts";

type Message = (issue: v.BaseIssue<unknown>) => string;

/** The message of a value `op` does not take; by default, what the operator table says it takes. */
function needs(op: OperatorName, need: string = operatorSpec(op).takes): Message {
  return (issue) => `operator '${op}' needs ${need}, got ${describeValue(issue.input)}`;
}

/** The message of a regex that RE2 rejects, without RE2's prefix and the echoed pattern. */
function regexProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return `invalid regex: ${
      detail.replace(/^error parsing regexp: /, "").replace(/: `[^]*`$/, "")
    }`;
  }
}

function nonNegativeInteger(m: Message): Schema {
  return v.pipe(v.number(m), v.integer(m), v.minValue(0, m));
}

function nonEmptyList(item: Schema, m: Message): Schema {
  return v.pipe(v.array(item, m), v.minLength(1, m));
}

function orderValue(m: Message): Schema {
  const date = (format: v.GenericValidation<string>) => v.pipe(v.string(m), format);
  return v.union(
    [v.number(m), date(v.isoDate(m)), date(v.isoDateTime(m)), date(v.isoTimestamp(m))],
    m,
  );
}

function scopeOf(prior: Record<string, unknown>): string[] {
  return ["method", "path", "tool"].filter((k) => prior[k] !== undefined);
}

function priorCheck(op: OperatorName): ObjectCheck {
  return (prior, add) => {
    if (scopeOf(prior).length === 0) {
      add(`operator '${op}' needs at least one of 'method', 'path' or 'tool'`);
    }
  };
}

const PRIOR_JSON = {
  anyOf: [{ required: ["method"] }, { required: ["path"] }, { required: ["tool"] }],
};

function prior(op: OperatorName, withSame: boolean): Schema {
  const entries: v.ObjectEntries = {
    method: v.optional(methods("method")),
    path: v.optional(pathPattern(true)),
    tool: v.optional(tools("tool")),
  };
  if (withSame) {
    entries.same = v.optional(
      v.array(fieldPath("same"), needs(op, "'same' as a list of field paths")),
    );
  }
  return strict(entries, `the value of '${op}'`, { checks: [priorCheck(op)], json: PRIOR_JSON });
}

function presence(op: OperatorName): Schema {
  return v.null((issue) => `operator '${op}' takes no value, got ${describeValue(issue.input)}`);
}

function anything(): Schema {
  return v.unknown();
}

function list(op: OperatorName): Schema {
  return nonEmptyList(v.unknown(), needs(op));
}

function order(op: OperatorName): Schema {
  return orderValue(needs(op));
}

function between(op: OperatorName): Schema {
  const m = needs(op);
  return v.pipe(
    v.array(v.number(m), m),
    v.length(2, m),
    v.check(
      (pair) => pair.length !== 2 || pair[0]! <= pair[1]!,
      needs(op, `${operatorSpec(op).takes} with low <= high`),
    ),
  );
}

function regex(op: OperatorName): Schema {
  return checkedString(`operator '${op}'`, operatorSpec(op).takes, regexProblem);
}

function scalar(op: OperatorName): Schema {
  const m = needs(op);
  return v.union([v.string(m), v.number(m), v.boolean(m)], m);
}

function string(op: OperatorName): Schema {
  return v.string(needs(op));
}

function count(op: OperatorName): Schema {
  return nonNegativeInteger(needs(op));
}

function hosts(op: OperatorName): Schema {
  const m = needs(op);
  return nonEmptyList(v.pipe(v.string(m), v.check(isHostPattern, m)), m);
}

function cidrs(op: OperatorName): Schema {
  const m = needs(op);
  return nonEmptyList(v.pipe(v.string(m), v.check((s) => parseCidr(s) !== undefined, m)), m);
}

function rate(op: OperatorName): Schema {
  const limit = needs(op, "'limit' as a positive integer");
  const window = needs(op, "'window_seconds' as a positive number");
  return strict({
    limit: v.pipe(v.number(limit), v.integer(limit), v.minValue(1, limit)),
    window_seconds: v.pipe(v.number(window), v.gtValue(0, window)),
  }, `the value of '${op}'`);
}

function sum(op: OperatorName): Schema {
  return strict({
    field: fieldPath("field"),
    limit: v.number(needs(op, "'limit' as a number")),
  }, `the value of '${op}'`);
}

/**
 * The value schema of every operator, by the name the table gives it. A mapped type over the
 * table: an operator without a schema here fails `deno check`. Each builder takes the name as
 * written, so that messages say `max`, not `lte`.
 */
const VALUE_SCHEMAS: { readonly [K in CanonicalOperator]: (op: OperatorName) => Schema } = {
  exists: presence,
  not_exists: presence,
  eq: anything,
  neq: anything,
  in: list,
  not_in: list,
  lt: order,
  lte: order,
  gt: order,
  gte: order,
  between,
  regex_match: regex,
  not_regex_match: regex,
  contains: scalar,
  not_contains: scalar,
  starts_with: string,
  not_starts_with: string,
  ends_with: string,
  not_ends_with: string,
  length_lte: count,
  length_gte: count,
  host_in: hosts,
  host_not_in: hosts,
  cidr_in: cidrs,
  cidr_not_in: cidrs,
  count_lte: count,
  rate_lte: rate,
  sum_lte: sum,
  requires_prior: (op) => prior(op, true),
  forbids_prior: (op) => prior(op, false),
};

const SCHEMAS: ReadonlyMap<OperatorName, Schema> = new Map(
  OPERATOR_NAMES.map((op) => [op, VALUE_SCHEMAS[canonicalOperator(op)](op)]),
);

/**
 * The schema of `op`'s value. Presence operators take `null` (an absent value is checked by the
 * caller, which knows whether the key is there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { operatorValueSchema } from "./operator_values.ts";
 * assert.equal(v.safeParse(operatorValueSchema("in"), ["EUR", "USD"]).success, true);
 * const one = v.safeParse(operatorValueSchema("in"), "EUR");
 * assert.deepEqual(one.issues?.map((i) => i.message), [`operator 'in' needs a non-empty list, got string "EUR"`]);
 * ```
 */
export function operatorValueSchema(op: OperatorName): Schema {
  return SCHEMAS.get(op) as Schema;
}

/**
 * Whether `op` needs a `value` key at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { needsValue } from "./operator_values.ts";
 * assert.equal(needsValue("eq"), true);
 * assert.equal(needsValue("exists"), false);
 * ```
 */
export function needsValue(op: OperatorName): boolean {
  return !isPresenceOperator(op);
}

/**
 * The operators that may appear in a nested condition or a mock match: all but the state ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PLAIN_OPERATORS } from "./operator_values.ts";
 * assert.equal(PLAIN_OPERATORS.includes("regex_match"), true);
 * assert.equal((PLAIN_OPERATORS as readonly string[]).includes("rate_lte"), false);
 * ```
 */
export const PLAIN_OPERATORS: readonly ConditionOperator[] = OPERATOR_NAMES.filter((
  op,
): op is ConditionOperator => !isStateOperator(op));

/**
 * Checks `value` (found at `step` of its parent) against `op`, reporting through `add` with paths
 * below `step`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOperatorValue } from "./operator_values.ts";
 * import { keyStep } from "./schema_parts.ts";
 * const rule = { field: "amount", operator: "max", value: "ten" };
 * const issues: [string, unknown[] | undefined][] = [];
 * checkOperatorValue("max", rule.value, keyStep(rule, "value"), (m, path) => issues.push([m, path?.map((s) => s.key)]));
 * assert.deepEqual(issues, [[`operator 'max' needs a number or an ISO date, got string "ten"`, ["value"]]]);
 * ```
 */
export function checkOperatorValue(
  op: OperatorName,
  value: unknown,
  step: IssuePath[0],
  add: AddIssue,
): void {
  const result = v.safeParse(operatorValueSchema(op), value, { abortEarly: false });
  if (result.success) return;
  for (const issue of flattenIssues(result.issues)) {
    add(issue.message, [step, ...(issue.path ?? [])]);
  }
}
