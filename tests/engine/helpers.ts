/**
 * Shared builders for the engine tests: one-rule documents, actions on a test host, and a
 * decide step that returns the decisions of one rule.
 */

import {
  type Action,
  type CompileOptions,
  compilePolicies,
  type Decision,
  type HttpAction,
  httpAction,
  type PolicyRule,
  type Verdict,
} from "@mirage/core";

/** The host every test action goes to. */
export const HOST = "api.test";

/** A rule with a default name and message, so tables only write what they test. */
export function rule(fields: Partial<PolicyRule>): PolicyRule {
  return { name: "r", message: "m", ...fields };
}

/** An HTTP action to `http://api.test<pathAndQuery>`. */
export function http(
  method: string,
  pathAndQuery: string,
  json?: unknown,
  headers?: HeadersInit,
): HttpAction {
  return httpAction({
    method,
    url: `http://${HOST}${pathAndQuery}`,
    ...(json === undefined ? {} : { json }),
    ...(headers === undefined ? {} : { headers }),
  });
}

/** A POST with a JSON payload. */
export function post(path: string, json?: unknown, headers?: HeadersInit): HttpAction {
  return http("POST", path, json, headers);
}

/** Compiles the rules and decides one action. */
export function decideWith(
  rules: PolicyRule[],
  action: Action,
  options: CompileOptions = {},
): Promise<Verdict> {
  return compilePolicies({ policies: rules }, options).decide(action);
}

/** The single decision of a one-rule document on an action; throws when the rule did not apply. */
export async function decideOne(fields: Partial<PolicyRule>, action: Action): Promise<Decision> {
  const { decisions } = await decideWith([rule(fields)], action);
  if (decisions.length !== 1) throw new Error(`expected one decision, got ${decisions.length}`);
  return decisions[0] as Decision;
}

/** The names of the policies that produced a decision, in order. */
export function names(verdict: Verdict): string[] {
  return verdict.decisions.map((d) => d.policy);
}
