/**
 * Procurement actions as Cedar requests. Cedar is stateless, so the harness replays each run
 * and keeps what Mirage's store keeps (suppliers quoted, amount spent), updated only by
 * allowed actions as in Mirage; the SKU regex, which Cedar cannot express, is answered here.
 */

import type { Action } from "@mirage/core";
import type { Sequence } from "../scenarios/scenario.ts";
import type { CedarApi, CedarCall } from "./cedar_wasm.ts";

const SKU = /^SKU-[0-9]{4}$/;
const NAMES: Readonly<Record<string, string>> = {
  "/v1/submit_bid": "submit_bid",
  "/v1/get_quote": "get_quote",
  "/v1/suppliers": "list_suppliers",
};

interface RunState {
  readonly quoted: Set<string>;
  spent: number;
}

function payload(a: Action): Record<string, unknown> {
  return typeof a.payload === "object" && a.payload !== null
    ? a.payload as Record<string, unknown>
    : {};
}

function context(
  name: string,
  body: Record<string, unknown>,
  state: RunState,
): Record<string, unknown> {
  const ctx: Record<string, unknown> = {};
  if (name === "get_quote") ctx.sku_ok = typeof body.sku === "string" && SKU.test(body.sku);
  if (name !== "submit_bid") return ctx;
  if (Number.isSafeInteger(body.amount)) ctx.amount = body.amount;
  if (typeof body.currency === "string") ctx.currency = body.currency;
  ctx.quoted = state.quoted.has(String(body.supplier_id));
  ctx.spent = state.spent;
  return ctx;
}

/** The Cedar request for one action given the run's state so far. */
function callFor(a: Action, state: RunState, policySetId: string): CedarCall {
  const name = a.kind === "http" ? NAMES[a.path] ?? "other" : a.tool;
  const body = payload(a);
  return {
    principal: { type: "Agent", id: a.run_id },
    action: { type: "Action", id: name },
    resource: { type: "Supplier", id: String(body.supplier_id ?? "none") },
    context: context(name, body, state),
    preparsedPolicySetId: policySetId,
    entities: [],
  };
}

/** Marks what an allowed action changes, as Mirage's watchers and sum_lte do. */
function apply(call: CedarCall, state: RunState): void {
  if (call.action.id === "get_quote") state.quoted.add(call.resource.id);
  if (call.action.id === "submit_bid") state.spent += call.context.amount as number;
}

/** True when Cedar allows the call. */
export function cedarAllows(cedar: CedarApi, call: CedarCall): boolean {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== "success") throw new Error(answer.errors.map((e) => e.message).join("; "));
  return answer.response.decision === "allow";
}

/** Replays sequences through Cedar: the calls (with the state each saw) and Cedar's answers. */
export function replayWithCedar(
  cedar: CedarApi,
  sequences: readonly Sequence[],
  policySetId: string,
): { calls: CedarCall[]; allowed: boolean[] } {
  const calls: CedarCall[] = [];
  const allowed: boolean[] = [];
  for (const seq of sequences) {
    const state: RunState = { quoted: new Set(), spent: 0 };
    for (const item of seq.actions) {
      const call = callFor(item.action, state, policySetId);
      const ok = cedarAllows(cedar, call);
      if (ok) apply(call, state);
      calls.push(call);
      allowed.push(ok);
    }
  }
  return { calls, allowed };
}
