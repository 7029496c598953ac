/**
 * One action through routes and policies: the step every surface shares.
 *
 * @module
 */

import type { Action } from "./action.ts";
import type { Decision, PolicySet } from "./compile_policies.ts";
import type { MockRouter, RouteMatch } from "./compile_mocks.ts";
import type { DecidedOutcome } from "./outcome.ts";

/**
 * The decided outcome of an action before any operational failure.
 *
 * @example
 * ```ts
 * import type { Evaluation } from "@mirage/core";
 * const e: Evaluation["outcome"] = "unmatched_route";
 * ```
 */
export interface Evaluation {
  /** `unmatched_route` when a surface is declared and no route matched (unless a policy blocked). */
  outcome: DecidedOutcome;
  /** The deciding policy, if any. */
  policy?: string;
  /** One decision per applicable rule. */
  decisions: Decision[];
  /** The matched route, when there is a surface. */
  route?: RouteMatch;
  /** The action as decided: with the route's path parameters. */
  action: Action;
}

/**
 * Decides an action: matches it against the declared surface (when there is one), then the
 * policies. A route miss stops the action, so the state operators do not count it; a
 * `policy_violation` outranks `unmatched_route`.
 *
 * @example
 * ```ts
 * import { compileMocks, compilePolicies, evaluateAction, httpAction } from "@mirage/core";
 * const e = await evaluateAction(
 *   compilePolicies({ policies: [] }),
 *   compileMocks({ mocks: [] }),
 *   httpAction({ method: "GET", url: "http://x.test/nope" }),
 * );
 * console.log(e.outcome); // unmatched_route
 * ```
 */
export async function evaluateAction(
  policies: PolicySet,
  surface: MockRouter | undefined,
  action: Action,
): Promise<Evaluation> {
  const route = surface?.match(action);
  const decided = route?.action ?? action;
  const unmatched = surface !== undefined && route === undefined;
  const verdict = await policies.decide(decided, { blocked: unmatched });
  const outcome = unmatched && verdict.outcome !== "policy_violation"
    ? "unmatched_route"
    : verdict.outcome;
  const result: Evaluation = { outcome, decisions: verdict.decisions, action: decided };
  if (verdict.policy !== undefined && outcome !== "unmatched_route") result.policy = verdict.policy;
  if (route) result.route = route;
  return result;
}
