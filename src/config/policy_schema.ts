/**
 * The valibot schema of `policies.yaml` (docs/language.md). Private to the package: callers use the
 * loaders in `load.ts`; `scripts/gen_schemas.ts` turns it into JSON Schema.
 *
 * @module
 */

import * as v from "valibot";
import { describeValue } from "./messages.ts";
import { celProblem } from "./cel_check.ts";
import { checkOperatorValue, needsValue, PLAIN_OPERATORS } from "./operator_values.ts";
import {
  isOperatorName,
  isStateOperator,
  OPERATOR_NAMES,
  type OperatorName,
  operatorsIn,
  operatorSpec,
} from "./operators.ts";
import {
  type AddIssue,
  checkedString,
  choice,
  fieldPath,
  hostPattern,
  keyStep,
  methods,
  mustBe,
  type ObjectCheck,
  pathPattern,
  problemOf,
  prose,
  type Schema,
  strict,
  text,
  tools,
} from "./schema_parts.ts";
import { type FieldRoot, parseFieldPath } from "./field_path.ts";
import { didYouMean } from "./suggest.ts";
import {
  checkChecksumOrphan,
  checkNormalizeOnExpr,
  checksumName,
  checkValueOptions,
  normalizeList,
} from "./normalize_schema.ts";

const STATE = operatorsIn("state");
const STATE_LIST = STATE.join(", ");
const STATE_ONLY_AT_TOP = "state operators must be at the rule's top level";
/** State operators that take no `field` (their value selects earlier actions). */
const FIELDLESS = OPERATOR_NAMES.filter((op) => operatorSpec(op).field === "none");

function knownOperator(value: unknown): OperatorName | undefined {
  return isOperatorName(value) ? value : undefined;
}

function operatorName(allowed: readonly OperatorName[]): Schema {
  return v.picklist(allowed, (issue) => {
    const x = issue.input;
    if (typeof x !== "string") return `operator must be an operator name, got ${describeValue(x)}`;
    if (isOperatorName(x) && isStateOperator(x)) return STATE_ONLY_AT_TOP;
    return `unknown operator '${x}'${didYouMean(x, allowed)}`;
  });
}

/** The `value` of an operator: present when it needs one, and of the right shape. */
function checkValue(node: Record<string, unknown>, op: OperatorName, add: AddIssue): void {
  if (!("value" in node)) {
    if (needsValue(op)) add(`operator '${op}' needs a 'value'`, [keyStep(node, "operator", "key")]);
    return;
  }
  checkOperatorValue(op, node.value, keyStep(node, "value"), add);
}

/** Keys that only make sense next to an `operator`. */
function checkOrphans(node: Record<string, unknown>, keys: readonly string[], add: AddIssue): void {
  for (const key of keys) {
    if (key in node) add(`'${key}' needs an 'operator'`, [keyStep(node, key, "key")]);
  }
}

function exactlyOne(
  node: Record<string, unknown>,
  forms: readonly string[],
  present: readonly string[],
  add: AddIssue,
): void {
  const listed = forms.map((f) => `'${f}'`).join(", ");
  for (const extra of present.slice(1)) {
    add(
      `'${extra}' cannot be combined with '${present[0]}' (use exactly one of ${listed})`,
      [keyStep(node, extra, "key")],
    );
  }
}

const RULE_FORMS = ["operator", "when", "expr"] as const;

const checkRuleForm: ObjectCheck = (rule, add) => {
  const present = RULE_FORMS.filter((k) => rule[k] !== undefined);
  if (present.length === 0) add("a rule needs one of 'operator' (with 'field'), 'when' or 'expr'");
  exactlyOne(rule, RULE_FORMS, present, add);
};

/**
 * `field` as the operator reads it: compared (required, non-empty), a filter of a state operator
 * (optional; `''`, as the Python Mirage writes it, means none), or not at all.
 */
function checkRuleField(rule: Record<string, unknown>, op: OperatorName, add: AddIssue): void {
  const reads = operatorSpec(op).field;
  if (reads === "none") {
    if ("field" in rule) add(`operator '${op}' takes no 'field'`, [keyStep(rule, "field", "key")]);
  } else if (rule.field === "" && reads !== "filter") {
    add(`field must not be empty with operator '${op}'`, [keyStep(rule, "field")]);
  } else if (!("field" in rule) && !isStateOperator(op)) {
    add(`operator '${op}' needs a 'field'`, [keyStep(rule, "operator", "key")]);
  }
}

const checkRuleOperator: ObjectCheck = (rule, add) => {
  const op = knownOperator(rule.operator);
  if (rule.operator === undefined) checkOrphans(rule, ["field", "value"], add);
  if (op !== undefined) {
    checkRuleField(rule, op, add);
    checkValue(rule, op, add);
  }
  const misspelt = rule.operator !== undefined && op === undefined;
  if ("per" in rule && !misspelt && !(op !== undefined && isStateOperator(op))) {
    add(`'per' only applies to state operators (${STATE_LIST})`, [keyStep(rule, "per", "key")]);
  }
};

const CONDITION_FORMS = ["all", "any", "not", "field"] as const;

const checkCondition: ObjectCheck = (node, add) => {
  const present = CONDITION_FORMS.filter((k) =>
    k === "field" ? node.field !== undefined || node.operator !== undefined : node[k] !== undefined
  );
  if (present.length === 0) {
    add("a condition needs one of 'all', 'any', 'not' or 'field' with 'operator'");
  }
  exactlyOne(node, CONDITION_FORMS, present, add);
  if (node.operator === undefined) {
    checkOrphans(node, ["value"], add);
    if (node.field !== undefined) {
      add("condition needs an 'operator'", [keyStep(node, "field", "key")]);
    }
    return;
  }
  if (!("field" in node)) add("condition needs a 'field'", [keyStep(node, "operator", "key")]);
  const op = knownOperator(node.operator);
  if (op !== undefined && !isStateOperator(op)) checkValue(node, op, add);
};

const CONDITION_JSON = {
  oneOf: [
    { required: ["all"] },
    { required: ["any"] },
    { required: ["not"] },
    { required: ["field", "operator"] },
  ],
};

const condition: Schema = v.lazy(() => conditionObject);

const conditionList = v.pipe(
  v.array(condition, (i) => `expected a list of conditions, got ${describeValue(i.input)}`),
  v.minLength(1, "expected a non-empty list of conditions"),
);

const conditionObject: Schema = strict(
  {
    all: v.optional(conditionList),
    any: v.optional(conditionList),
    not: v.optional(condition),
    field: v.optional(fieldPath("field")),
    operator: v.optional(operatorName(PLAIN_OPERATORS)),
    value: v.optional(v.unknown()),
    normalize: v.optional(normalizeList()),
    checksum: v.optional(checksumName()),
  },
  "a condition",
  { checks: [checkCondition, checkValueOptions, checkChecksumOrphan], json: CONDITION_JSON },
);

/** `field` of a rule: a field path, or `''` (no filter) for the filtering state operators. */
const ruleField = checkedString(
  "field",
  "a field path",
  (s) => s === "" ? undefined : problemOf(() => parseFieldPath(s)),
);

const PER_NEED = "'run', 'global', a field path, or a list of 'run' and field paths";

const perPart = checkedString(
  "per",
  PER_NEED,
  (s) => s === "run" || s === "global" ? undefined : problemOf(() => parseFieldPath(s)),
);

/** `per`: one scope, or a list whose parts together make the key (`[run, payload.supplier]`). */
const perScope = v.pipe(
  v.union([
    perPart,
    v.pipe(v.array(perPart, mustBe("per", PER_NEED)), v.minLength(1, mustBe("per", PER_NEED))),
  ], mustBe("per", PER_NEED)),
  v.check(
    (per) => !Array.isArray(per) || !per.includes("global"),
    "'global' cannot be combined with other 'per' scopes (it is the one scope shared by all)",
  ),
);

const RULE_JSON = {
  allOf: [
    { oneOf: RULE_FORMS.map((k) => ({ required: [k] })) },
    {
      if: { required: ["per"] },
      then: { required: ["operator"], properties: { operator: { enum: STATE } } },
    },
    {
      if: { required: ["operator"], properties: { operator: { enum: PLAIN_OPERATORS } } },
      then: { required: ["field"] },
    },
    {
      if: { required: ["operator"], properties: { operator: { enum: FIELDLESS } } },
      then: { not: { required: ["field"] } },
    },
  ],
};

/** How `path` scopes compare with a request's path; `insensitive` for upstreams that ignore case. */
function pathCase(): Schema {
  return choice("path_case", ["sensitive", "insensitive"]);
}

const rule: Schema = strict(
  {
    name: text("name"),
    description: v.optional(
      v.string((i) => `description must be a string, got ${describeValue(i.input)}`),
    ),
    method: v.optional(methods()),
    path: v.optional(pathPattern(true)),
    host: v.optional(hostPattern()),
    tool: v.optional(tools()),
    field: v.optional(ruleField),
    operator: v.optional(operatorName(OPERATOR_NAMES)),
    value: v.optional(v.unknown()),
    when: v.optional(condition),
    expr: v.optional(checkedString("expr", "a CEL expression string", celProblem)),
    action: v.optional(choice("action", ["block", "flag"])),
    on_missing: v.optional(choice("on_missing", ["fail", "pass"])),
    per: v.optional(perScope),
    normalize: v.optional(normalizeList()),
    checksum: v.optional(checksumName()),
    path_case: v.optional(pathCase()),
    message: prose("message"),
  },
  "a policy rule",
  {
    checks: [
      checkRuleForm,
      checkRuleOperator,
      checkValueOptions,
      checkChecksumOrphan,
      checkNormalizeOnExpr,
    ],
    json: RULE_JSON,
  },
);

/** Roots whose values a trace records and redaction can replace. */
const REDACTABLE: ReadonlySet<FieldRoot> = new Set<FieldRoot>(["headers", "query", "payload"]);

/** A `redact:` entry: a field path under `headers`, `query` or `payload` (bare = payload). */
function redactPath(): Schema {
  return checkedString("redact entry", "a field path", (text) => {
    const problem = problemOf(() => parseFieldPath(text));
    if (problem !== undefined) return problem;
    const root = parseFieldPath(text).root;
    if (REDACTABLE.has(root)) return undefined;
    return `redact applies to headers.*, query.* and payload paths; '${text}' is under '${root}'`;
  });
}

const document: Schema = strict({
  version: v.optional(
    v.literal(
      1,
      (i) => `version must be 1 (the only version so far), got ${describeValue(i.input)}`,
    ),
  ),
  policies: v.array(rule, (i) => `policies must be a list of rules, got ${describeValue(i.input)}`),
  redact: v.optional(
    v.array(
      redactPath(),
      (i) => `redact must be a list of field paths, got ${describeValue(i.input)}`,
    ),
  ),
  normalize: v.optional(normalizeList()),
  path_case: v.optional(pathCase()),
}, "the policies file");

/**
 * Named sub-schemas for JSON Schema `$defs` (the condition tree is recursive).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { policyDefinitions } from "./policy_schema.ts";
 * assert.deepEqual(Object.keys(policyDefinitions()), ["condition"]);
 * ```
 */
export function policyDefinitions(): Record<string, Schema> {
  return { condition: conditionObject };
}

/**
 * The schema of a whole `policies.yaml`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { policyDocumentSchema } from "./policy_schema.ts";
 * assert.equal(v.safeParse(policyDocumentSchema(), { policies: [] }).success, true);
 * ```
 */
export function policyDocumentSchema(): Schema {
  return document;
}
