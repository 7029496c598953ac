/**
 * The operator table (docs/language.md): the one place where the operators of the language are named.
 * Everything else derives from it — the `OperatorName` type, the validator's value schemas
 * (`operator_values.ts`), the predicates (`engine/operators.ts`), how a comparison reads a list
 * (`engine/condition.ts`), the state rules (`engine/state_rules.ts`) and the table in
 * `docs/language.md` — and the first four are mapped types over it, so that an operator added
 * here without its schema, builder or list reading fails `deno check`.
 *
 * @module
 */

import { MirageError } from "../errors.ts";

/**
 * The groups of the operator table, in the order the docs list them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OperatorGroup, operatorSpec } from "./operators.ts";
 * const group: OperatorGroup = operatorSpec("cidr_in").group;
 * assert.equal(group, "network");
 * ```
 */
export type OperatorGroup =
  | "presence"
  | "equality"
  | "order"
  | "text"
  | "size"
  | "network"
  | "state";

/**
 * A tiny rule using the operator: the `field` it reads (if any) and the `value` it takes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OperatorExample, operatorSpec } from "./operators.ts";
 * const example: OperatorExample = operatorSpec("max").example;
 * assert.deepEqual(example, { field: "payload.amount", value: 25000 });
 * ```
 */
export interface OperatorExample {
  /** The field path the example rule reads; absent where the operator takes no field. */
  readonly field?: string;
  /** The example operand; absent for the presence operators. */
  readonly value?: unknown;
}

/**
 * One row of the operator table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OperatorSpec, operatorSpec } from "./operators.ts";
 * const row: OperatorSpec = operatorSpec("max");
 * assert.equal(row.takes, "a number or an ISO date");
 * assert.deepEqual(row.aliases, ["max"]);
 * ```
 */
export interface OperatorSpec {
  /** The group the operator belongs to (its aliases belong to it too). */
  readonly group: OperatorGroup;
  /** What the operator takes as its `value`, as the validator's messages and the docs say it. */
  readonly takes: string;
  /** One line of documentation. */
  readonly doc: string;
  /** A tiny rule using the operator. */
  readonly example: OperatorExample;
  /** Other names of the operator. */
  readonly aliases?: readonly string[];
  /**
   * How a state operator reads a rule's `field`: as an optional filter (`''` meaning none), or
   * not at all. Absent: the rule needs a non-empty `field`, which the operator compares.
   */
  readonly field?: "filter" | "none";
}

/**
 * The operators, in the order of docs/language.md. Aliases are listed with the operator they stand for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPERATORS } from "./operators.ts";
 * assert.deepEqual(OPERATORS.lte.aliases, ["max"]);
 * ```
 */
export const OPERATORS = {
  exists: {
    group: "presence",
    takes: "no value",
    doc: "The field is present, even as `null`; over `[*]`, every element has it.",
    example: { field: "payload.supplier.id" },
  },
  not_exists: {
    group: "presence",
    takes: "no value",
    doc: "The field is absent; over `[*]`, no element has it.",
    example: { field: "headers.x-debug" },
  },
  eq: {
    group: "equality",
    takes: "any value",
    doc: "Equal; query and header text equals the number or boolean it spells.",
    example: { field: "payload.currency", value: "EUR" },
  },
  neq: {
    group: "equality",
    takes: "any value",
    doc: "Not equal, as `eq` compares.",
    example: { field: "method", value: "DELETE" },
  },
  in: {
    group: "equality",
    takes: "a non-empty list",
    doc: "Equal to one of the listed values.",
    example: { field: "payload.region", value: ["eu-west-1", "eu-central-1"] },
  },
  not_in: {
    group: "equality",
    takes: "a non-empty list",
    doc: "Equal to none of the listed values.",
    example: { field: "payload.columns[*]", value: ["ssn", "dob"] },
  },
  lt: {
    group: "order",
    takes: "a number or an ISO date",
    doc: "Below the bound; numbers and numeric text numerically, dates as text.",
    example: { field: "payload.expires_at", value: "2027-01-01" },
  },
  lte: {
    group: "order",
    takes: "a number or an ISO date",
    doc: "At most the bound.",
    example: { field: "payload.amount", value: 25000 },
    aliases: ["max"],
  },
  gt: {
    group: "order",
    takes: "a number or an ISO date",
    doc: "Above the bound.",
    example: { field: "query.page", value: 0 },
  },
  gte: {
    group: "order",
    takes: "a number or an ISO date",
    doc: "At least the bound.",
    example: { field: "payload.qty", value: 1 },
    aliases: ["min"],
  },
  between: {
    group: "order",
    takes: "[low, high]",
    doc: "Within the bounds, both included.",
    example: { field: "payload.score", value: [0, 100] },
  },
  regex_match: {
    group: "text",
    takes: "a regex string",
    doc: "The text matches the RE2 pattern anywhere (linear time: no pattern can hang).",
    example: { field: "payload.sku", value: "^SKU-[0-9]+$" },
  },
  not_regex_match: {
    group: "text",
    takes: "a regex string",
    doc: "The text does not match the pattern.",
    example: { field: "payload.notes", value: "(?i)password" },
  },
  contains: {
    group: "text",
    takes: "a string or a scalar",
    doc: "The text contains it; on a list, an element equals it.",
    example: { field: "payload.tags", value: "urgent" },
  },
  not_contains: {
    group: "text",
    takes: "a string or a scalar",
    doc: "The text does not contain it; on a list, no element's text does.",
    example: { field: "payload.body", value: "password" },
  },
  starts_with: {
    group: "text",
    takes: "a string",
    doc: "The text starts with it.",
    example: { field: "url", value: "https://" },
  },
  not_starts_with: {
    group: "text",
    takes: "a string",
    doc: "The text does not start with it.",
    example: { field: "path", value: "/admin" },
  },
  ends_with: {
    group: "text",
    takes: "a string",
    doc: "The text ends with it.",
    example: { field: "payload.email", value: "@acme.com" },
  },
  not_ends_with: {
    group: "text",
    takes: "a string",
    doc: "The text does not end with it.",
    example: { field: "payload.filename", value: ".exe" },
  },
  length_lte: {
    group: "size",
    takes: "a non-negative integer",
    doc: "A text's or list's length, or an object's key count, is at most N.",
    example: { field: "payload.notes", value: 2000 },
  },
  length_gte: {
    group: "size",
    takes: "a non-negative integer",
    doc: "The length is at least N.",
    example: { field: "payload.justification", value: 20 },
  },
  host_in: {
    group: "network",
    takes: "a non-empty list of host names or *.suffix patterns",
    doc: "The field, a URL or a host, names a listed host; `*.suffix` matches subdomains.",
    example: { field: "payload.callback_url", value: ["api.acme.internal", "*.slack.com"] },
  },
  host_not_in: {
    group: "network",
    takes: "a non-empty list of host names or *.suffix patterns",
    doc: "The field, a URL or a host, names none of the listed hosts.",
    example: { field: "payload.url", value: ["*.ngrok.io"] },
  },
  cidr_in: {
    group: "network",
    takes: "a non-empty list of IP addresses or CIDR ranges",
    doc: "The field is an IP address inside one of the ranges.",
    example: { field: "payload.ip", value: ["10.0.0.0/8"] },
  },
  cidr_not_in: {
    group: "network",
    takes: "a non-empty list of IP addresses or CIDR ranges",
    doc: "The field is an IP address outside every range.",
    example: { field: "payload.target", value: ["10.0.0.0/8", "169.254.0.0/16"] },
  },
  count_lte: {
    group: "state",
    takes: "a non-negative integer",
    doc: "At most N actions go through per scope; with a `field`, only those carrying it count.",
    example: { value: 3 },
    field: "filter",
  },
  rate_lte: {
    group: "state",
    takes: "{limit, window_seconds}",
    doc: "At most `limit` actions go through in any `window_seconds`.",
    example: { value: { limit: 10, window_seconds: 60 } },
    field: "filter",
  },
  sum_lte: {
    group: "state",
    takes: "{field, limit}",
    doc: "The sum of `field` over the actions that went through stays at most `limit`.",
    example: { value: { field: "payload.amount", limit: 1500 } },
    field: "filter",
  },
  requires_prior: {
    group: "state",
    takes: "{method?, path?, tool?, same?}",
    doc: "A matching action went through before, with equal `same` fields.",
    example: { value: { path: "/v1/get_quote", same: ["payload.sku"] } },
    field: "none",
  },
  forbids_prior: {
    group: "state",
    takes: "{method?, path?, tool?}",
    doc: "No matching action went through before.",
    example: { value: { tool: "close_account" } },
    field: "none",
  },
} as const satisfies Record<string, OperatorSpec>;

type Table = typeof OPERATORS;

/**
 * An operator as the table names it, not an alias.
 *
 * @internal
 * @example
 * ```ts
 * import type { CanonicalOperator } from "./operators.ts";
 * const op: CanonicalOperator = "lte";
 * ```
 */
export type CanonicalOperator = keyof Table;

/** @internal The aliases the table lists for `K`. */
type AliasesOf<K extends CanonicalOperator> = Table[K] extends
  { readonly aliases: readonly (infer A extends string)[] } ? A : never;

/**
 * Every operator name the language accepts, aliases included (docs/language.md); `docs/language.md`
 * lists them with what each takes.
 *
 * @example
 * ```ts
 * import type { OperatorName } from "@mirage/core";
 * const op: OperatorName = "max"; // an alias of "lte"
 * ```
 */
export type OperatorName =
  | CanonicalOperator
  | { [K in CanonicalOperator]: AliasesOf<K> }[
    CanonicalOperator
  ];

/**
 * The operator that `N` names: itself, or the operator it is an alias of.
 *
 * @example
 * ```ts
 * import type { Canonical } from "./operators.ts";
 * const op: Canonical<"max"> = "lte";
 * ```
 */
export type Canonical<N extends OperatorName> = N extends CanonicalOperator ? N
  : { [K in CanonicalOperator]: N extends AliasesOf<K> ? K : never }[CanonicalOperator];

/**
 * The names (aliases included) of the operators in group `G`.
 *
 * @example
 * ```ts
 * import type { OperatorIn } from "./operators.ts";
 * const op: OperatorIn<"order"> = "max";
 * ```
 */
export type OperatorIn<G extends OperatorGroup> = {
  [N in OperatorName]: Table[Canonical<N>]["group"] extends G ? N : never;
}[OperatorName];

/**
 * The operators that read and update per-scope state.
 *
 * @internal
 * @example
 * ```ts
 * import type { StateOperator } from "./operators.ts";
 * const op: StateOperator = "count_lte";
 * ```
 */
export type StateOperator = OperatorIn<"state">;

/**
 * The operators a nested condition or a mock match may use: every one but the state operators.
 *
 * @example
 * ```ts
 * import type { ConditionOperator } from "@mirage/core";
 * const op: ConditionOperator = "regex_match";
 * ```
 */
export type ConditionOperator = Exclude<OperatorName, StateOperator>;

/**
 * The operators that compare a field's value with an operand: no presence, no state operator.
 *
 * @example
 * ```ts
 * import type { ValueOperator } from "./operators.ts";
 * const op: ValueOperator = "between";
 * ```
 */
export type ValueOperator = Exclude<ConditionOperator, OperatorIn<"presence">>;

const ENTRIES = Object.entries(OPERATORS) as [CanonicalOperator, OperatorSpec][];

const CANONICAL: ReadonlyMap<string, CanonicalOperator> = new Map(
  ENTRIES.flatMap(([op, spec]) => [op, ...(spec.aliases ?? [])].map((name) => [name, op])),
);

/**
 * Every operator name, aliases included, in the order of docs/language.md (an alias after its operator).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPERATOR_NAMES } from "./operators.ts";
 * assert.deepEqual(OPERATOR_NAMES.slice(7, 9), ["lte", "max"]);
 * ```
 */
export const OPERATOR_NAMES: readonly OperatorName[] = [...CANONICAL.keys()] as OperatorName[];

/**
 * Whether `name` is an operator of the language.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isOperatorName } from "./operators.ts";
 * assert.equal(isOperatorName("max"), true);
 * assert.equal(isOperatorName("maxx"), false);
 * ```
 */
export function isOperatorName(name: unknown): name is OperatorName {
  return typeof name === "string" && CANONICAL.has(name);
}

/**
 * The operator an alias stands for, or the operator itself. A name outside the table (a
 * document that skipped the validator) throws a `MirageError` (`operator_unknown`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalOperator } from "./operators.ts";
 * assert.equal(canonicalOperator("max"), "lte");
 * ```
 */
export function canonicalOperator<N extends OperatorName>(op: N): Canonical<N> {
  const canonical = CANONICAL.get(op);
  if (canonical === undefined) {
    throw new MirageError("operator_unknown", `unknown operator '${String(op)}'`);
  }
  return canonical as Canonical<N>;
}

/**
 * The table row of an operator (of the operator an alias stands for).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operatorSpec } from "./operators.ts";
 * assert.equal(operatorSpec("min").group, "order");
 * ```
 */
export function operatorSpec(op: OperatorName): OperatorSpec {
  return OPERATORS[canonicalOperator(op)];
}

/**
 * Whether `op` is a state operator: one that may only stand at a rule's top level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStateOperator } from "./operators.ts";
 * assert.equal(isStateOperator("rate_lte"), true);
 * ```
 */
export function isStateOperator<N extends OperatorName>(op: N): op is Extract<N, StateOperator> {
  return operatorSpec(op).group === "state";
}

/**
 * Whether `op` is `exists` or `not_exists` (or an alias of one): an operator with no `value`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPresenceOperator } from "./operators.ts";
 * assert.equal(isPresenceOperator("exists"), true);
 * ```
 */
export function isPresenceOperator<N extends OperatorName>(
  op: N,
): op is Extract<N, OperatorIn<"presence">> {
  return operatorSpec(op).group === "presence";
}

/**
 * The names of the operators in `group`, aliases included, in table order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operatorsIn } from "./operators.ts";
 * assert.deepEqual(operatorsIn("size"), ["length_lte", "length_gte"]);
 * ```
 */
export function operatorsIn<G extends OperatorGroup>(group: G): OperatorIn<G>[] {
  return OPERATOR_NAMES.filter((op) => operatorSpec(op).group === group) as OperatorIn<G>[];
}
