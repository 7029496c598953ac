/**
 * What each operator accepts as its `value` (SPEC §2). One schema per operator name, shared by
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
  canonicalOperator,
  OPERATOR_NAMES,
  PRESENCE_OPERATORS,
  STATE_OPERATORS,
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
import type { OperatorName } from "./types.ts";

type Message = (issue: v.BaseIssue<unknown>) => string;

function needs(op: string, need: string): Message {
  return (issue) => `operator '${op}' needs ${need}, got ${describeValue(issue.input)}`;
}

/** The message of a regex that RE2 rejects, without RE2's prefix and the echoed pattern. */
export function regexProblem(pattern: string): string | undefined {
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

function priorCheck(op: string): ObjectCheck {
  return (prior, add) => {
    const scope = scopeOf(prior);
    if (scope.length === 0) {
      add(`operator '${op}' needs at least one of 'method', 'path' or 'tool'`);
    }
    if (scope.includes("tool") && scope.length > 1) {
      add(`'tool' cannot be combined with 'method' or 'path' (a tool call has neither)`);
    }
  };
}

const PRIOR_JSON = {
  anyOf: [{ required: ["method"] }, { required: ["path"] }, { required: ["tool"] }],
  not: { anyOf: [{ required: ["tool", "method"] }, { required: ["tool", "path"] }] },
};

function prior(op: string, withSame: boolean): Schema {
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

function stateValue(op: OperatorName): Schema | undefined {
  switch (op) {
    case "count_lte":
      return nonNegativeInteger(needs(op, "a non-negative integer"));
    case "rate_lte": {
      const limit = needs(op, "'limit' as a positive integer");
      const window = needs(op, "'window_seconds' as a positive number");
      return strict({
        limit: v.pipe(v.number(limit), v.integer(limit), v.minValue(1, limit)),
        window_seconds: v.pipe(v.number(window), v.gtValue(0, window)),
      }, `the value of '${op}'`);
    }
    case "sum_lte":
      return strict({
        field: fieldPath("field"),
        limit: v.number(needs(op, "'limit' as a number")),
      }, `the value of '${op}'`);
    case "requires_prior":
      return prior(op, true);
    case "forbids_prior":
      return prior(op, false);
    default:
      return undefined;
  }
}

function plainValue(op: OperatorName): Schema {
  switch (canonicalOperator(op)) {
    case "exists":
    case "not_exists":
      return v.null((issue) =>
        `operator '${op}' takes no value, got ${describeValue(issue.input)}`
      );
    case "in":
    case "not_in":
      return nonEmptyList(v.unknown(), needs(op, "a non-empty list"));
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      return orderValue(needs(op, "a number or an ISO date"));
    case "between": {
      const m = needs(op, "[low, high]");
      return v.pipe(
        v.array(v.number(m), m),
        v.length(2, m),
        v.check(
          (pair) => pair.length !== 2 || pair[0]! <= pair[1]!,
          needs(op, "[low, high] with low <= high"),
        ),
      );
    }
    case "regex_match":
    case "not_regex_match":
      return checkedString(`operator '${op}'`, "a regex string", regexProblem);
    case "contains":
    case "not_contains": {
      const m = needs(op, "a string or a scalar");
      return v.union([v.string(m), v.number(m), v.boolean(m)], m);
    }
    case "starts_with":
    case "not_starts_with":
    case "ends_with":
    case "not_ends_with":
      return v.string(needs(op, "a string"));
    case "length_lte":
    case "length_gte":
      return nonNegativeInteger(needs(op, "a non-negative integer"));
    case "host_in":
    case "host_not_in": {
      const m = needs(op, "a non-empty list of host names or *.suffix patterns");
      return nonEmptyList(v.pipe(v.string(m), v.check(isHostPattern, m)), m);
    }
    case "cidr_in":
    case "cidr_not_in": {
      const m = needs(op, "a non-empty list of IP addresses or CIDR ranges");
      return nonEmptyList(v.pipe(v.string(m), v.check((s) => parseCidr(s) !== undefined, m)), m);
    }
    default:
      return v.unknown();
  }
}

const SCHEMAS: ReadonlyMap<OperatorName, Schema> = new Map(
  OPERATOR_NAMES.map((op) => [op, stateValue(op) ?? plainValue(op)]),
);

/**
 * The schema of `op`'s value. Presence operators take `null` (an absent value is checked by the
 * caller, which knows whether the key is there).
 */
export function operatorValueSchema(op: OperatorName): Schema {
  return SCHEMAS.get(op) as Schema;
}

/** Whether `op` needs a `value` key at all. */
export function needsValue(op: OperatorName): boolean {
  return !PRESENCE_OPERATORS.has(op);
}

/** The operators that may appear in a nested condition or a mock match. */
export const PLAIN_OPERATORS: readonly OperatorName[] = OPERATOR_NAMES.filter((op) =>
  !STATE_OPERATORS.has(op)
);

/**
 * Checks `value` (found at `step` of its parent) against `op`, reporting through `add` with paths
 * below `step`.
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
