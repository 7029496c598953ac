/**
 * One readable line per event, for `assertClean()`, the proxy's log and `gate-run`.
 */

import type { TraceEvent } from "./event.ts";

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value) ?? "undefined";
}

/** `#3 POST /v1/submit_bid → policy_violation · enforce_bid_limit: amount max 25000, got 50000 — message`. */
export function describeEvent(e: TraceEvent): string {
  const r = e.request;
  const what = r.tool !== undefined ? `tool ${r.tool}` : `${r.method} ${r.path}`;
  const head = `#${e.seq} ${what} → ${e.outcome}`;
  const failed = e.decisions.find((d) => d.policy === e.policy && !d.passed);
  if (!failed) return e.error ? `${head} · ${e.error}` : head;
  const got = failed.missing ? "missing" : `got ${show(failed.actual)}`;
  return `${head} · ${failed.policy}: ${failed.field} ${failed.operator} ${
    show(failed.expected)
  }, ${got} — ${failed.message}`;
}
