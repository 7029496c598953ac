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
 * import assert from "node:assert/strict";
 * import { OUTCOMES } from "@mirage/core";
 * assert.equal(OUTCOMES[0], "allowed");
 * assert.equal(OUTCOMES.at(-1), "policy_violation");
 * assert.ok(OUTCOMES.indexOf("error") < OUTCOMES.indexOf("unmatched_route"));
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
 * import assert from "node:assert/strict";
 * import { type Outcome, OUTCOMES } from "@mirage/core";
 * const o: Outcome = "unmatched_route";
 * assert.ok(OUTCOMES.includes(o));
 * ```
 */
export type Outcome = typeof OUTCOMES[number];

/**
 * What the rules alone say about an action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, type PolicyOutcome, toolAction } from "@mirage/core";
 * const policies = compilePolicies({
 *   policies: [{
 *     name: "big_refund",
 *     tool: "refund",
 *     field: "amount",
 *     operator: "max",
 *     value: 100,
 *     action: "flag",
 *     message: "Refunds above 100 are reviewed.",
 *   }],
 * });
 * const v = await policies.decide(toolAction({ tool: "refund", args: { amount: 500 } }));
 * const o: PolicyOutcome = v.outcome;
 * assert.equal(o, "flagged");
 * ```
 */
export type PolicyOutcome = Extract<Outcome, "allowed" | "flagged" | "policy_violation">;

/**
 * What deciding an action says, before anything operational can go wrong: a policy outcome or
 * `unmatched_route`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DecidedOutcome, isStopped } from "./outcome.ts";
 * const o: DecidedOutcome = "unmatched_route";
 * assert.ok(isStopped(o));
 * ```
 */
export type DecidedOutcome = Exclude<Outcome, "error">;

/**
 * Events by outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Outcome, type OutcomeCounts, zeroCounts } from "./outcome.ts";
 * const c: OutcomeCounts = zeroCounts();
 * for (const o of ["allowed", "allowed", "policy_violation"] satisfies Outcome[]) c[o]++;
 * assert.deepEqual([c.allowed, c.policy_violation, c.flagged], [2, 1, 0]);
 * ```
 */
export type OutcomeCounts = Record<Outcome, number>;

const RANK: ReadonlyMap<Outcome, number> = new Map(OUTCOMES.map((o, i) => [o, i]));

/**
 * Compares two outcomes: positive when `a` is worse than `b`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareOutcomes } from "@mirage/core";
 * assert.ok(compareOutcomes("error", "flagged") > 0);
 * assert.ok(compareOutcomes("allowed", "policy_violation") < 0);
 * assert.equal(compareOutcomes("flagged", "flagged"), 0);
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
 * import assert from "node:assert/strict";
 * import { worstOutcome } from "./outcome.ts";
 * assert.equal(worstOutcome("allowed", "unmatched_route"), "unmatched_route");
 * assert.equal(worstOutcome("policy_violation", "error"), "policy_violation");
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
 * import assert from "node:assert/strict";
 * import { goesThrough } from "./outcome.ts";
 * assert.equal(goesThrough("flagged"), true);
 * assert.equal(goesThrough("policy_violation"), false);
 * assert.equal(goesThrough("error"), false);
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
 * import assert from "node:assert/strict";
 * import { isStopped } from "./outcome.ts";
 * assert.equal(isStopped("unmatched_route"), true);
 * assert.equal(isStopped("policy_violation"), true);
 * assert.equal(isStopped("error"), false);
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
 * import assert from "node:assert/strict";
 * import { isFailing } from "@mirage/core";
 * assert.equal(isFailing("error"), true);
 * assert.equal(isFailing("flagged"), false);
 * assert.equal(isFailing("flagged", true), true);
 * assert.equal(isFailing("allowed", true), false);
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
 * import assert from "node:assert/strict";
 * import { zeroCounts } from "./outcome.ts";
 * const counts = zeroCounts();
 * assert.deepEqual(Object.values(counts), [0, 0, 0, 0, 0]);
 * counts.error++;
 * assert.equal(zeroCounts().error, 0); // a fresh object each time
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
 * import assert from "node:assert/strict";
 * import { isEnforced, type Mode } from "./outcome.ts";
 * const mode: Mode = "passthrough";
 * assert.equal(isEnforced("policy_violation", mode === "passthrough"), false);

 * ```
 */
export type Mode = "enforce" | "passthrough";
