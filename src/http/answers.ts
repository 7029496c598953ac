/**
 * What an agent receives when Mirage stops an action, and the `x-mirage-*` headers on every
 * answer (SPEC §4). One definition for the session, the proxy and the gateway.
 */

import type { Evaluation } from "../engine/evaluate_action.ts";

/** The JSON body of a blocked answer. */
export interface BlockedBody {
  error: string;
  policy?: string;
  message: string;
  run_id: string;
  event: number;
  decisions: Evaluation["decisions"];
}

/** The decision headers of an answer. */
export function decisionHeaders(
  e: Pick<Evaluation, "outcome" | "policy" | "route">,
  runId: string,
): Record<string, string> {
  const h: Record<string, string> = { "x-mirage-outcome": e.outcome, "x-mirage-run-id": runId };
  if (e.policy !== undefined) h["x-mirage-policy"] = e.policy;
  if (e.route) h["x-mirage-route"] = e.route.name;
  return h;
}

function describe(e: Evaluation): string {
  if (e.outcome === "unmatched_route") {
    const a = e.action;
    const what = a.kind === "http" ? `${a.method} ${a.path}` : `tool ${a.tool}`;
    return `no declared route matches ${what}`;
  }
  const failing = e.decisions.find((d) => d.policy === e.policy);
  return failing?.message ?? "blocked by policy";
}

/** The body of a 403 / 404 answer to a stopped action. */
export function blockedBody(e: Evaluation, runId: string, seq: number): BlockedBody {
  return {
    error: e.outcome,
    ...(e.policy === undefined ? {} : { policy: e.policy }),
    message: describe(e),
    run_id: runId,
    event: seq,
    decisions: e.decisions,
  };
}

/** The status of a stopped action: 403 for a policy, 404 for no route. */
export function blockedStatus(e: Evaluation): number {
  return e.outcome === "unmatched_route" ? 404 : 403;
}

/** A JSON response with decision headers. */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string>,
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...headers, "content-type": "application/json" },
  });
}
