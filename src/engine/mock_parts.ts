/**
 * What route mocks and tool mocks share: `match` narrowing compiled into conditions that must
 * all pass, and `{{ }}` templates compiled into renderers over the action that matched.
 *
 * @module
 */

import type { MatchValue } from "../config/types.ts";
import type { ConditionOperator } from "../config/operators.ts";
import { parseTemplate, type TemplateKind, type TemplatePart } from "../config/template.ts";
import type { Action } from "./action.ts";
import { type CompiledCondition, compileFieldCondition, PASS, type Report } from "./condition.ts";
import { compileFieldGetter, MISSING } from "./field_getter.ts";

/**
 * Renders a templated value for the action that matched.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction } from "./action.ts";
 * import { compileTemplatedJson, type Render } from "./mock_parts.ts";
 * const render: Render = compileTemplatedJson({ echoed: "{{ query.q }}", fixed: 1 });
 * const action = httpAction({ method: "GET", url: "http://x.test/search?q=bolts" });
 * assert.deepEqual(render(action), { echoed: "bolts", fixed: 1 });
 * ```
 */
export type Render<A extends Action = Action> = (action: A) => unknown;

function stringify(value: unknown): string {
  if (value === MISSING || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Compiles a string with templates; with `keepType`, a string that is exactly one `{{ }}`
 * keeps the value's JSON type (a missing field renders as `null`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolAction } from "./action.ts";
 * import { compileTemplatedString } from "./mock_parts.ts";
 * const render = compileTemplatedString("order {{ args.id }}", false, "tool");
 * assert.equal(render(toolAction({ tool: "t", args: { id: 7 } })), "order 7");
 * const typed = compileTemplatedString("{{ args.id }}", true, "tool");
 * assert.equal(typed(toolAction({ tool: "t", args: { id: 7 } })), 7);
 * assert.equal(typed(toolAction({ tool: "t", args: {} })), null);
 * ```
 */
export function compileTemplatedString(
  text: string,
  keepType: boolean,
  kind: TemplateKind = "route",
): Render {
  const parts: TemplatePart[] = parseTemplate(text, kind);
  if (parts.every((p) => typeof p === "string")) return () => text;
  const fns = parts.map((p): Render => {
    if (typeof p === "string") return () => p;
    const get = compileFieldGetter(p);
    return (a) => get(a);
  });
  if (keepType && fns.length === 1) {
    const only = fns[0] as Render;
    return (a) => {
      const v = only(a);
      return v === MISSING ? null : v;
    };
  }
  return (a) => fns.map((f) => stringify(f(a))).join("");
}

/**
 * Compiles a JSON value whose string leaves may hold templates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolAction } from "./action.ts";
 * import { compileTemplatedJson } from "./mock_parts.ts";
 * const render = compileTemplatedJson({ id: "{{ args.id }}" }, "tool");
 * assert.deepEqual(render(toolAction({ tool: "t", args: { id: 7 } })), { id: 7 });
 * ```
 */
export function compileTemplatedJson(value: unknown, kind: TemplateKind = "route"): Render {
  if (typeof value === "string") return compileTemplatedString(value, true, kind);
  if (Array.isArray(value)) {
    const items = value.map((v) => compileTemplatedJson(v, kind));
    return (a) => items.map((f) => f(a));
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) =>
      [k, compileTemplatedJson(v, kind)] as const
    );
    return (a) => Object.fromEntries(entries.map(([k, f]) => [k, f(a)]));
  }
  return () => value;
}

/**
 * Compiles one `match` section (`query`, `headers` or `payload`) into conditions: a literal
 * means equality, `{operator: value}` that operator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolAction } from "./action.ts";
 * import { compileNarrowing, narrows } from "./mock_parts.ts";
 * const conditions = compileNarrowing("payload", { sku: { regex_match: "^SKU-" } });
 * assert.equal(conditions.length, 1);
 * assert.equal(narrows(conditions, toolAction({ tool: "t", args: { sku: "SKU-1" } })), true);
 * assert.equal(narrows(conditions, toolAction({ tool: "t", args: { sku: "X-1" } })), false);
 * ```
 */
export function compileNarrowing(
  prefix: string,
  entries: Record<string, MatchValue> | undefined,
): CompiledCondition[] {
  return Object.entries(entries ?? {}).map(([name, expected]) => {
    const field = `${prefix}.${name}`;
    if (expected !== null && typeof expected === "object") {
      const [operator, value] = Object.entries(expected)[0] as [ConditionOperator, unknown];
      return compileFieldCondition({ field, operator, value });
    }
    return compileFieldCondition({ field, operator: "eq", value: expected });
  });
}

/**
 * Whether an action passes every narrowing condition.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolAction } from "./action.ts";
 * import { compileNarrowing, narrows } from "./mock_parts.ts";
 * const c = compileNarrowing("payload", { id: 7 });
 * assert.equal(narrows(c, toolAction({ tool: "t", args: { id: 7 } })), true);
 * assert.equal(narrows(c, toolAction({ tool: "t", args: { id: 8 } })), false);
 * ```
 */
export function narrows(conditions: readonly CompiledCondition[], action: Action): boolean {
  const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
  return conditions.every((c) => c(action, report) === PASS);
}
