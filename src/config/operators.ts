/**
 * The operator table shared by the validator and the compiler, so that the two cannot disagree
 * on which operators exist, which are aliases and which keep state.
 */

import type { OperatorName } from "./types.ts";

/** Aliases, mapped to the operator they mean. */
export const OPERATOR_ALIASES: Readonly<Partial<Record<OperatorName, OperatorName>>> = {
  max: "lte",
  min: "gte",
};

/** Operators that read and update per-scope state; they may only stand at a rule's top level. */
export const STATE_OPERATORS: ReadonlySet<OperatorName> = new Set<OperatorName>([
  "count_lte",
  "rate_lte",
  "sum_lte",
  "requires_prior",
  "forbids_prior",
]);

/** Operators that take no `value`. */
export const PRESENCE_OPERATORS: ReadonlySet<OperatorName> = new Set<OperatorName>([
  "exists",
  "not_exists",
]);

/** Every operator name, aliases included, in the order of SPEC §2. */
export const OPERATOR_NAMES: readonly OperatorName[] = [
  "exists",
  "not_exists",
  "eq",
  "neq",
  "in",
  "not_in",
  "lt",
  "lte",
  "max",
  "gt",
  "gte",
  "min",
  "between",
  "regex_match",
  "not_regex_match",
  "contains",
  "not_contains",
  "starts_with",
  "not_starts_with",
  "ends_with",
  "not_ends_with",
  "length_lte",
  "length_gte",
  "host_in",
  "host_not_in",
  "cidr_in",
  "cidr_not_in",
  "count_lte",
  "rate_lte",
  "sum_lte",
  "requires_prior",
  "forbids_prior",
];

/** The operator an alias stands for, or the operator itself. */
export function canonicalOperator(op: OperatorName): OperatorName {
  return OPERATOR_ALIASES[op] ?? op;
}
