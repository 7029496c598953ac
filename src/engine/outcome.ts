/**
 * The outcome taxonomy, one for every surface (docs/outcomes.md): what an action came to, how
 * outcomes rank, and which of them stop an action or fail a gate.
 *
 * @module
 */

/**
 * Every outcome, from best to worst: a run's outcome is its worst event's.
 *
 * @example
 * ```ts
 * import { OUTCOMES } from "@mirage/core";
 * console.log(OUTCOMES.at(-1)); // "policy_violation"
 * ```
 */
export const OUTCOMES = [
  "allowed",
  "flagged",
  "error",
  "unmatched_route",
  "policy_violation",
] as const;

/**
 * The outcome of one action: a policy outcome, `unmatched_route`, or an operational `error`.
 *
 * @example
 * ```ts
 * import type { Outcome } from "@mirage/core";
 * const o: Outcome = "unmatched_route";
 * ```
 */
export type Outcome = typeof OUTCOMES[number];

/**
 * What the rules alone say about an action.
 *
 * @example
 * ```ts
 * import type { PolicyOutcome } from "@mirage/core";
 * const o: PolicyOutcome = "flagged";
 * ```
 */
export type PolicyOutcome = Extract<Outcome, "allowed" | "flagged" | "policy_violation">;

/**
 * What deciding an action says, before anything operational can go wrong: a policy outcome or
 * `unmatched_route`.
 *
 * @example
 * ```ts
 * import type { DecidedOutcome } from "@mirage/core";
 * const o: DecidedOutcome = "unmatched_route";
 * ```
 */
export type DecidedOutcome = Exclude<Outcome, "error">;

/**
 * Events by outcome.
 *
 * @example
 * ```ts
 * import type { OutcomeCounts } from "@mirage/core";
 * const c: OutcomeCounts = { allowed: 2, flagged: 0, policy_violation: 1, unmatched_route: 0, error: 0 };
 * ```
 */
export type OutcomeCounts = Record<Outcome, number>;

const RANK: ReadonlyMap<Outcome, number> = new Map(OUTCOMES.map((o, i) => [o, i]));

/**
 * Compares two outcomes: positive when `a` is worse than `b`.
 *
 * @example
 * ```ts
 * import { compareOutcomes } from "@mirage/core";
 * console.log(compareOutcomes("error", "flagged") > 0); // true
 * ```
 */
export function compareOutcomes(a: Outcome, b: Outcome): number {
  return (RANK.get(a) as number) - (RANK.get(b) as number);
}

/**
 * The worse of two outcomes.
 *
 * @example
 * ```ts
 * import { worstOutcome } from "./outcome.ts";
 * console.log(worstOutcome("allowed", "unmatched_route")); // "unmatched_route"
 * ```
 */
export function worstOutcome<T extends Outcome>(a: T, b: T): T {
  return compareOutcomes(a, b) >= 0 ? a : b;
}

/**
 * Whether an action with this outcome may go through: allowed or flagged. Only such actions
 * change the state of the state operators.
 *
 * @example
 * ```ts
 * import { goesThrough } from "./outcome.ts";
 * console.log(goesThrough("flagged"), goesThrough("policy_violation")); // true false
 * ```
 */
export function goesThrough(outcome: Outcome): boolean {
  return outcome === "allowed" || outcome === "flagged";
}

/**
 * Whether enforce mode stops an action with this outcome (a violation or an undeclared route);
 * passthrough lets it through and records it `enforced: false`.
 *
 * @example
 * ```ts
 * import { isStopped } from "./outcome.ts";
 * console.log(isStopped("unmatched_route"), isStopped("error")); // true false
 * ```
 */
export function isStopped(outcome: Outcome): boolean {
  return outcome === "policy_violation" || outcome === "unmatched_route";
}

/**
 * The `enforced` of an event: false only when an action that enforce mode would stop (a
 * violation, an undeclared route, an error) was let through anyway, as passthrough does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isEnforced } from "./outcome.ts";
 * assert.equal(isEnforced("policy_violation", true), false); // passthrough let it through
 * assert.equal(isEnforced("policy_violation", false), true); // stopped
 * assert.equal(isEnforced("flagged", true), true); // nothing to stop
 * ```
 */
export function isEnforced(outcome: Outcome, letThrough: boolean): boolean {
  return !letThrough || goesThrough(outcome);
}

/**
 * Whether an outcome fails a gate: a violation, an undeclared route or an error, and `flagged`
 * when asked.
 *
 * @example
 * ```ts
 * import { isFailing } from "@mirage/core";
 * console.log(isFailing("error"), isFailing("flagged"), isFailing("flagged", true)); // true false true
 * ```
 */
export function isFailing(outcome: Outcome, failOnFlagged = false): boolean {
  return outcome === "flagged" ? failOnFlagged : !goesThrough(outcome);
}

/**
 * Counts with every outcome at zero.
 *
 * @example
 * ```ts
 * import { zeroCounts } from "./outcome.ts";
 * console.log(zeroCounts().error); // 0
 * ```
 */
export function zeroCounts(): OutcomeCounts {
  return { allowed: 0, flagged: 0, policy_violation: 0, unmatched_route: 0, error: 0 };
}

/**
 * What a surface does with a stopped action: `enforce` stops it, `passthrough` lets it through
 * and records `enforced: false` (the exposure enforce would remove).
 *
 * @example
 * ```ts
 * import type { Mode } from "@mirage/core";
 * const mode: Mode = "passthrough";
 * ```
 */
export type Mode = "enforce" | "passthrough";
