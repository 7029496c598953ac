/**
 * What a rule (or a mock's `match`) reads of an action, so that a replay can tell whether a
 * recorded request still holds it: the fields its condition compares, the fields its state is
 * keyed or summed by, and — for a CEL expression — the fields the expression names.
 *
 * @module
 */

import { FIELDS } from "../config/fields.ts";
import { type FieldPath, parseFieldPath } from "../config/field_path.ts";
import { canonicalOperator, isStateOperator } from "../config/operators.ts";
import type { Condition, MatchValue, MocksDocument, PolicyRule } from "../config/types.ts";

/**
 * One field a rule reads. A presence read (`exists`, `not_exists`, a state rule's filter) only
 * asks whether the field is there, which a redacted value still answers.
 *
 * @example
 * ```ts
 * import type { FieldRead } from "./rule_reads.ts";
 * import { parseFieldPath } from "../config/field_path.ts";
 * const r: FieldRead = { path: parseFieldPath("headers.x-approved-by"), presence: true };
 * ```
 */
export interface FieldRead {
  /** The field. */
  readonly path: FieldPath;
  /** True when only the field's presence matters. */
  readonly presence: boolean;
}

/**
 * What a rule reads.
 *
 * @example
 * ```ts
 * import type { RuleReads } from "./rule_reads.ts";
 * import { parseFieldPath } from "../config/field_path.ts";
 * const r: RuleReads = { reads: [{ path: parseFieldPath("amount"), presence: false }], writes: [], state: undefined };
 * ```
 */
export interface RuleReads {
  /** Fields read of the action being decided. */
  readonly reads: readonly FieldRead[];
  /** For a state rule: fields whose values the store keeps from an action that goes through. */
  readonly writes: readonly FieldRead[];
  /** The state operator, canonical, when the rule has one. */
  readonly state:
    | "count_lte"
    | "rate_lte"
    | "sum_lte"
    | "requires_prior"
    | "forbids_prior"
    | undefined;
}

const PRESENCE_OPERATORS: ReadonlySet<string> = new Set(["exists", "not_exists"]);

function conditionReads(c: Condition): FieldRead[] {
  if ("all" in c) return c.all.flatMap(conditionReads);
  if ("any" in c) return c.any.flatMap(conditionReads);
  if ("not" in c) return conditionReads(c.not);
  return [{ path: parseFieldPath(c.field), presence: PRESENCE_OPERATORS.has(c.operator) }];
}

const ROOTS = Object.keys(FIELDS).join("|");
/** A root name as a CEL identifier, with the key it selects, if any (`payload.amount`, `headers["x-a"]`). */
const CEL_READ = new RegExp(
  `(?<![\\w.])(${ROOTS})\\b(?:\\s*\\.\\s*([A-Za-z_]\\w*)|\\s*\\[\\s*(["'])(.*?)\\3\\s*\\])?`,
  "g",
);

/**
 * The fields a CEL expression names: each root it mentions, with the first key below it when
 * the expression spells one out, else the whole root. Conservative: a name inside a string
 * literal counts too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { celReads } from "./rule_reads.ts";
 * const paths = celReads('payload.amount < 10 && headers["x-agent"] != ""');
 * assert.deepEqual(paths.map((p) => p.source), ["payload.amount", "headers.x-agent"]);
 * ```
 */
export function celReads(expression: string): FieldPath[] {
  const out: FieldPath[] = [];
  for (const m of expression.matchAll(CEL_READ)) {
    const root = m[1] as string;
    const key = m[2] ?? m[4];
    const path = key === undefined ? root : `${root}.${key}`;
    try {
      out.push(parseFieldPath(path));
    } catch {
      out.push(parseFieldPath(root));
    }
  }
  return out;
}

function reads(fields: readonly (string | undefined)[], presence = false): FieldRead[] {
  return fields.filter((f): f is string => f !== undefined && f !== "").map((f) => ({
    path: parseFieldPath(f),
    presence,
  }));
}

/**
 * What a rule reads of the action it decides, and what its state keeps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ruleReads } from "./rule_reads.ts";
 * const r = ruleReads({ name: "cap", operator: "sum_lte", value: { field: "amount", limit: 9 }, per: "payload.customer", message: "m" });
 * assert.equal(r.state, "sum_lte");
 * assert.deepEqual(r.reads.map((r) => r.path.source), ["payload.customer", "amount"]);
 * ```
 */
export function ruleReads(rule: PolicyRule): RuleReads {
  const op = rule.operator;
  if (op === undefined || !isStateOperator(op)) {
    const fields = rule.expr !== undefined
      ? celReads(rule.expr).map((path) => ({ path, presence: false }))
      : rule.when !== undefined
      ? conditionReads(rule.when)
      : reads([rule.field], op !== undefined && PRESENCE_OPERATORS.has(op));
    return { reads: fields, writes: [], state: undefined };
  }
  const state = canonicalOperator(op);
  // `per:` names fields (one, or parts of a list) besides the `run` and `global` scopes.
  const per = [rule.per ?? []].flat().filter((p) => p !== "run" && p !== "global");
  const value = rule.value as { field?: string; same?: string[] } | undefined;
  const keyed = [
    ...reads([...per, state === "sum_lte" ? value?.field : undefined, ...(value?.same ?? [])]),
    // A state rule's own field filters the actions it counts: only its presence matters.
    ...reads([rule.field], true),
  ];
  return { reads: keyed, writes: keyed, state };
}

/**
 * The fields the `match:` of each route reads, by the route's position in the mocks file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { routeReads } from "./rule_reads.ts";
 * const r = routeReads({ mocks: [{ name: "m", method: "GET", path: "/x", match: { query: { page: "1" } } }] });
 * assert.deepEqual(r.map((route) => route.map((read) => read.path.source)), [["query.page"]]);
 * ```
 */
export function routeReads(doc: MocksDocument): FieldRead[][] {
  return doc.mocks.map((route) => {
    const m = route.match;
    if (!m) return [];
    return [
      ...matchReads("query", m.query),
      ...matchReads("headers", m.headers),
      ...matchReads("payload", m.payload),
    ];
  });
}

function matchReads(root: string, match: Record<string, MatchValue> | undefined): FieldRead[] {
  return Object.entries(match ?? {}).map(([key, expected]) => ({
    path: parseFieldPath(`${root}.${key}`),
    presence: expected !== null && typeof expected === "object" &&
      Object.keys(expected).every((op) => PRESENCE_OPERATORS.has(op)),
  }));
}

/**
 * The fields the `match:` of each tool mock reads (its arguments), by position.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolMockReads } from "./rule_reads.ts";
 * const r = toolMockReads({ mocks: [], tools: [{ name: "t", match: { payload: { to: "x" } }, result: { text: "ok" } }] });
 * assert.deepEqual(r.map((mock) => mock.map((read) => read.path.source)), [["payload.to"]]);
 * ```
 */
export function toolMockReads(doc: MocksDocument): FieldRead[][] {
  return (doc.tools ?? []).map((t) => matchReads("payload", t.match?.payload));
}
