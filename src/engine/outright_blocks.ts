/**
 * Which tools a policy file blocks whatever the call: a blocking rule that applies to the tool
 * and whose condition reads nothing but the tool's name, and fails on it. `mirage mcp
 * --hide-blocked-tools` leaves such tools out of `tools/list`, so that a model is not offered a
 * tool it can never use. Anything that depends on the arguments, headers, run or state is not
 * "whatever the call", and the tool stays listed.
 *
 * @module
 */

import { parseFieldPath } from "../config/field_path.ts";
import { isStateOperator } from "../config/operators.ts";
import type { Condition, PolicyDocument, PolicyRule } from "../config/types.ts";
import { toolAction } from "./action.ts";
import { compileCondition, FAIL, MISSED, type Report } from "./condition.ts";

/** The fields a condition tree reads. */
function fieldsOf(c: Condition): string[] {
  if ("all" in c) return c.all.flatMap(fieldsOf);
  if ("any" in c) return c.any.flatMap(fieldsOf);
  if ("not" in c) return fieldsOf(c.not);
  return [c.field];
}

/** The rule's condition, when it reads only the tool's name (else it depends on the call). */
function nameOnlyCondition(rule: PolicyRule): Condition | undefined {
  if (rule.expr !== undefined) return undefined;
  if (rule.operator !== undefined && isStateOperator(rule.operator)) return undefined;
  const condition: Condition | undefined = rule.when ?? (rule.field === undefined ? undefined : {
    field: rule.field,
    operator: rule.operator ?? "exists",
    ...(rule.value === undefined ? {} : { value: rule.value }),
  });
  if (!condition) return undefined;
  return fieldsOf(condition).every((f) => parseFieldPath(f).root === "tool")
    ? condition
    : undefined;
}

/** Whether a rule's scope takes in calls of `tool`: it names the tool, or it has no scope. */
function appliesTo(rule: PolicyRule, tool: string): boolean {
  if (rule.tool !== undefined) return [rule.tool].flat().includes(tool);
  return rule.method === undefined && rule.path === undefined && rule.host === undefined;
}

interface NameRule {
  readonly rule: PolicyRule;
  readonly fails: (tool: string) => boolean;
}

function compileNameRule(rule: PolicyRule): NameRule | undefined {
  if ((rule.action ?? "block") !== "block") return undefined;
  const condition = nameOnlyCondition(rule);
  if (!condition) return undefined;
  const test = compileCondition(condition);
  const lenient = rule.on_missing === "pass";
  const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
  return {
    rule,
    fails: (tool) => {
      const r = test(toolAction({ tool }), report);
      return r === FAIL || (r === MISSED && !lenient);
    },
  };
}

/** Tool names remembered; a server's tool list is small, the bound only guards memory. */
const MEMORY_LIMIT = 4096;

/**
 * Compiles the rules that can block a tool by its name alone. The returned function names the
 * first such rule that blocks every call of `tool`, or gives `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileOutrightBlocks } from "./outright_blocks.ts";
 * const blocks = compileOutrightBlocks({
 *   policies: [
 *     {
 *       name: "no_deletes",
 *       tool: "delete_repo",
 *       field: "tool",
 *       operator: "not_in",
 *       value: ["delete_repo"],
 *       message: "never",
 *     },
 *     { name: "cap", tool: "refund", field: "amount", operator: "max", value: 500, message: "too much" },
 *   ],
 * });
 * assert.equal(blocks("delete_repo"), "no_deletes");
 * assert.equal(blocks("refund"), undefined); // blocked or not depends on the amount
 * assert.equal(blocks("search"), undefined);

 * ```
 */
export function compileOutrightBlocks(doc: PolicyDocument): (tool: string) => string | undefined {
  const rules = doc.policies.flatMap((r) => compileNameRule(r) ?? []);
  const known = new Map<string, string | undefined>();
  return (tool) => {
    if (known.has(tool)) return known.get(tool);
    const blocking = rules.find((r) => appliesTo(r.rule, tool) && r.fails(tool))?.rule.name;
    if (known.size >= MEMORY_LIMIT) known.clear();
    known.set(tool, blocking);
    return blocking;
  };
}
