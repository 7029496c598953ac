/**
 * The schema of `normalize:` (a list of step names, `[]` for none) and of `checksum:`, and the
 * checks of where they may stand: on a comparison that reads a value, on a condition group or a
 * rule as the default of what it holds, and at the top of the file.
 *
 * @module
 */

import * as v from "valibot";
import { describeValue } from "./messages.ts";
import { NORMALIZE_STEP_NAMES } from "./normalize_steps.ts";
import { isOperatorName, isPresenceOperator, isStateOperator, operatorsIn } from "./operators.ts";
import { type AddIssue, choice, keyStep, type Schema } from "./schema_parts.ts";
import { didYouMean } from "./suggest.ts";

const step = v.picklist(NORMALIZE_STEP_NAMES, (issue) => {
  const x = issue.input;
  if (typeof x !== "string") return `a normalize step must be a step name, got ${describeValue(x)}`;
  return `unknown normalize step '${x}'${didYouMean(x, NORMALIZE_STEP_NAMES)}`;
});

/**
 * `normalize:`: a list of step names, applied in order; `[]` turns an inherited default off.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { normalizeList } from "./normalize_schema.ts";
 * assert.equal(v.safeParse(normalizeList(), ["nfkc", "case_fold"]).success, true);
 * ```
 */
export function normalizeList(): Schema {
  return v.array(
    step,
    (i) => `normalize must be a list of step names, got ${describeValue(i.input)}`,
  );
}

/** The operators a `checksum` can filter: the regex operators, whose matches it checks. */
const CHECKSUM_OPERATORS: readonly string[] = operatorsIn("text").filter((op) =>
  op.includes("regex")
);

/**
 * `checksum:`: the check a regex match's digits must pass to count as a match.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { checksumName } from "./normalize_schema.ts";
 * assert.equal(v.safeParse(checksumName(), "luhn").success, true);
 * ```
 */
export function checksumName(): Schema {
  return choice("checksum", ["luhn"]);
}

/**
 * Where `normalize` and `checksum` stand next to an operator: `normalize` with any operator
 * that reads a value (not the presence and state operators), `checksum` with a regex operator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkValueOptions } from "./normalize_schema.ts";
 * const issues: string[] = [];
 * checkValueOptions({ operator: "exists", field: "a", normalize: ["nfkc"] }, (m) => issues.push(m));
 * checkValueOptions({ operator: "eq", field: "a", value: "x", checksum: "luhn" }, (m) => issues.push(m));
 * checkValueOptions({ operator: "regex_match", field: "a", value: "[0-9]+", checksum: "luhn" }, (m) => issues.push(m));
 * assert.deepEqual(issues, [
 *   "'normalize' does not apply to operator 'exists' (it reads no value)",
 *   "'checksum' only applies to 'regex_match' and 'not_regex_match'",
 * ]);
 * ```
 */
export function checkValueOptions(node: Record<string, unknown>, add: AddIssue): void {
  const op = node.operator;
  if (!isOperatorName(op)) return;
  if ("normalize" in node && (isPresenceOperator(op) || isStateOperator(op))) {
    const why = isStateOperator(op) ? "a state operator" : "it reads no value";
    add(`'normalize' does not apply to operator '${op}' (${why})`, [
      keyStep(node, "normalize", "key"),
    ]);
  }
  if ("checksum" in node && !CHECKSUM_OPERATORS.includes(op)) {
    add(`'checksum' only applies to ${CHECKSUM_OPERATORS.map((o) => `'${o}'`).join(" and ")}`, [
      keyStep(node, "checksum", "key"),
    ]);
  }
}

/**
 * `checksum` on a node without an operator (a group, or a rule with `when` or `expr`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkChecksumOrphan } from "./normalize_schema.ts";
 * const issues: string[] = [];
 * checkChecksumOrphan({ all: [], checksum: "luhn" }, (m) => issues.push(m));
 * assert.deepEqual(issues, ["'checksum' needs a regex 'operator' next to it"]);
 * ```
 */
export function checkChecksumOrphan(node: Record<string, unknown>, add: AddIssue): void {
  if ("checksum" in node && node.operator === undefined) {
    add("'checksum' needs a regex 'operator' next to it", [keyStep(node, "checksum", "key")]);
  }
}

/**
 * `normalize` on a CEL rule: expressions read the values as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNormalizeOnExpr } from "./normalize_schema.ts";
 * const issues: string[] = [];
 * checkNormalizeOnExpr({ expr: "payload.amount < 100", normalize: ["nfkc"] }, (m) => issues.push(m));
 * assert.deepEqual(issues, ["'normalize' does not apply to 'expr' (CEL reads the values as they are)"]);
 * ```
 */
export function checkNormalizeOnExpr(rule: Record<string, unknown>, add: AddIssue): void {
  if ("normalize" in rule && rule.expr !== undefined) {
    add("'normalize' does not apply to 'expr' (CEL reads the values as they are)", [
      keyStep(rule, "normalize", "key"),
    ]);
  }
}
