/**
 * One action through routes and policies: the step every surface shares.
 *
 * @module
 */

import type { Action } from "./action.ts";
import type { Decision, PolicySet, Verdict } from "./compile_policies.ts";
import type { MockRouter, RouteMatch } from "./compile_mocks.ts";
import type { MatchedToolMock } from "./compile_tool_mocks.ts";
import { type DecidedOutcome, worstOutcome } from "./outcome.ts";

/**
 * The decided outcome of an action before any operational failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   compileMocks,
 *   compilePolicies,
 *   type Evaluation,
 *   evaluateAction,
 *   httpAction,
 * } from "@mirage/core";
 * const e: Evaluation = await evaluateAction(
 *   compilePolicies({ policies: [] }),
 *   compileMocks({ mocks: [{ name: "supplier", method: "GET", path: "/suppliers/{id}" }] }),
 *   httpAction({ method: "GET", url: "http://x.test/suppliers/7" }),
 * );
 * assert.equal(e.outcome, "allowed");
 * assert.equal(e.route?.name, "supplier");
 * assert.deepEqual(e.action.kind === "http" && e.action.params, { id: "7" });
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
  /** The declared tool mock that matched a tool call, when there is a surface. */
  mock?: MatchedToolMock;
  /** The action as decided: with the route's path parameters. */
  action: Action;
}

/** A surface's answer for one action: the route or tool mock it matched, and whether it missed. */
interface SurfaceLookup {
  readonly route?: RouteMatch | undefined;
  readonly mock?: MatchedToolMock | undefined;
  /** Outside the declared surface: no route, or an undeclared tool under `strict_tools`. */
  readonly unmatched: boolean;
}

function lookup(surface: MockRouter | undefined, action: Action): SurfaceLookup {
  if (!surface) return { unmatched: false };
  if (action.kind === "tool") {
    const mock = surface.tools.match(action);
    return { mock, unmatched: surface.tools.strict && mock === undefined };
  }
  const route = surface.match(action);
  return { route, unmatched: route === undefined };
}

/**
 * Decides an action: matches it against the declared surface (when there is one: its routes
 * for an HTTP action, its tools for a tool call), then the policies. A miss (no route; an
 * undeclared tool under `strict_tools`) stops the action, so the state operators do not count
 * it; a `policy_violation` outranks `unmatched_route`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileMocks, compilePolicies, evaluateAction, httpAction } from "@mirage/core";
 * const policies = compilePolicies({
 *   policies: [{
 *     name: "no_admin",
 *     field: "path",
 *     operator: "not_starts_with",
 *     value: "/admin",
 *     message: "no admin",
 *   }],
 * });
 * const surface = compileMocks({ mocks: [{ name: "ping", method: "GET", path: "/ping" }] });
 * const get = (path: string) =>
 *   evaluateAction(policies, surface, httpAction({ method: "GET", url: `http://x.test${path}` }));
 * assert.equal((await get("/ping")).outcome, "allowed");
 * assert.equal((await get("/nope")).outcome, "unmatched_route");
 * // A blocking policy decides before the missing route does.
 * const admin = await get("/admin/users");
 * assert.deepEqual([admin.outcome, admin.policy], ["policy_violation", "no_admin"]);
 * // Without a surface, only the policies decide.
 * const nope = httpAction({ method: "GET", url: "http://x.test/nope" });
 * assert.equal((await evaluateAction(policies, undefined, nope)).outcome, "allowed");

 * ```
 */
export async function evaluateAction(
  policies: PolicySet,
  surface: MockRouter | undefined,
  action: Action,
): Promise<Evaluation> {
  return await evaluateActionNow(policies, surface, action);
}

/**
 * {@link evaluateAction} with the evaluation itself when the policies decide at once
 * (`PolicySet.decideNow`), a promise only when the store must be waited for: a server's request
 * path decides without a turn of the event loop.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, httpAction } from "@mirage/core";
 * import { evaluateActionNow } from "./evaluate_action.ts";
 * const policies = compilePolicies({
 *   policies: [{ name: "cap", field: "amount", operator: "max", value: 10, message: "cap" }],
 * });
 * const e = evaluateActionNow(policies, undefined, httpAction({ method: "POST", url: "http://x.test/", json: { amount: 11 } }));
 * assert.ok(!(e instanceof Promise) && e.outcome === "policy_violation");
 * ```
 */
export function evaluateActionNow(
  policies: PolicySet,
  surface: MockRouter | undefined,
  action: Action,
): Evaluation | Promise<Evaluation> {
  const found = lookup(surface, action);
  const decided = found.route?.action ?? action;
  const verdict = policies.decideNow(decided, { blocked: found.unmatched });
  return verdict instanceof Promise
    ? verdict.then((v) => evaluation(v, decided, found))
    : evaluation(verdict, decided, found);
}

function evaluation(v: Verdict, decided: Action, found: SurfaceLookup): Evaluation {
  const outcome = found.unmatched
    ? worstOutcome<DecidedOutcome>(v.outcome, "unmatched_route")
    : v.outcome;
  const result: Evaluation = { outcome, decisions: v.decisions, action: decided };
  if (v.policy !== undefined && outcome !== "unmatched_route") result.policy = v.policy;
  if (found.route) result.route = found.route;
  if (found.mock) result.mock = found.mock;
  return result;
}
