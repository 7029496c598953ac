/**
 * Trace events and run summaries (SPEC §4, §5).
 *
 * @module
 */

import type { Decision } from "../engine/compile_policies.ts";
import type { Action } from "../engine/action.ts";

/**
 * The outcome of one event: a policy outcome, `unmatched_route`, or an operational `error`.
 *
 * @example
 * ```ts
 * import type { Outcome } from "@mirage/core";
 * const o: Outcome = "unmatched_route";
 * ```
 */
export type Outcome = "allowed" | "flagged" | "policy_violation" | "unmatched_route" | "error";

/** Outcomes from best to worst: a run's outcome is its worst event's. */
const RANK: readonly Outcome[] = [
  "allowed",
  "flagged",
  "error",
  "unmatched_route",
  "policy_violation",
];

/**
 * The request part of an event, with secrets already redacted.
 *
 * @example
 * ```ts
 * import type { TraceRequest } from "@mirage/core";
 * const r: TraceRequest = { method: "POST", path: "/v1/submit_bid", json: { amount: 50000 } };
 * ```
 */
export interface TraceRequest {
  /** HTTP method. */
  method?: string;
  /** Normalised path. */
  path?: string;
  /** Host, for gateway traffic. */
  host?: string;
  /** Query parameters. */
  query?: Record<string, string | string[]>;
  /** Headers, minus transport headers. */
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A text body. */
  body?: string;
  /** Tool name, for a tool call. */
  tool?: string;
  /** Tool arguments, for a tool call. */
  args?: unknown;
}

/**
 * One decided action in a trace.
 *
 * @example
 * ```ts
 * import type { TraceEvent } from "@mirage/core";
 * const e: TraceEvent = {
 *   seq: 1, request: { method: "GET", path: "/v1/suppliers" }, route: "list_suppliers",
 *   outcome: "allowed", enforced: true, decisions: [], response: { status: 200 },
 * };
 * ```
 */
export interface TraceEvent {
  /** 1-based position in the run. */
  seq: number;
  /** What was asked. */
  request: TraceRequest;
  /** The mock route that matched, if any. */
  route?: string;
  /** The outcome. */
  outcome: Outcome;
  /** Whether Mirage acted on the outcome (false in passthrough: forwarded anyway). */
  enforced: boolean;
  /** The deciding policy, if any. */
  policy?: string;
  /** One decision per applicable rule. */
  decisions: Decision[];
  /** What the caller got. */
  response: { status: number };
  /** For `error`: what went wrong. */
  error?: string;
}

/**
 * The counts of a run by outcome.
 *
 * @example
 * ```ts
 * import type { OutcomeCounts } from "@mirage/core";
 * const c: OutcomeCounts = { allowed: 2, flagged: 0, policy_violation: 1, unmatched_route: 0, error: 0 };
 * ```
 */
export type OutcomeCounts = Record<Outcome, number>;

/**
 * What a run amounts to.
 *
 * @example
 * ```ts
 * import { summariseRun } from "@mirage/core";
 * const s = summariseRun([]);
 * console.log(s.outcome); // "allowed"
 * ```
 */
export interface RunSummary {
  /** The worst outcome of any event. */
  outcome: Outcome;
  /** The policy of the first event with that outcome, if it has one. */
  policy?: string;
  /** Violating actions with side effects that still reached a mock or upstream. */
  side_effect_count: number;
  /** Events by outcome. */
  counts: OutcomeCounts;
}

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** True when an event's action has side effects (any method but GET/HEAD/OPTIONS; any tool call). */
export function hasSideEffects(request: TraceRequest): boolean {
  return request.tool !== undefined || !SAFE_METHODS.has(request.method ?? "");
}

/** True when the outcome must fail a gate. */
export function isFailing(outcome: Outcome, failOnFlagged = false): boolean {
  return outcome === "policy_violation" || outcome === "unmatched_route" || outcome === "error" ||
    (failOnFlagged && outcome === "flagged");
}

/** Compares outcomes; positive when `a` is worse than `b`. */
export function compareOutcomes(a: Outcome, b: Outcome): number {
  return RANK.indexOf(a) - RANK.indexOf(b);
}

/**
 * Summarises a run's events: worst outcome, counts, and `side_effect_count`.
 *
 * @example
 * ```ts
 * import { summariseRun } from "@mirage/core";
 * const s = summariseRun([{ seq: 1, request: { method: "POST", path: "/x" }, outcome: "policy_violation", enforced: false, decisions: [], response: { status: 200 } }]);
 * console.log(s.side_effect_count); // 1
 * ```
 */
export function summariseRun(events: readonly TraceEvent[]): RunSummary {
  const counts: OutcomeCounts = {
    allowed: 0,
    flagged: 0,
    policy_violation: 0,
    unmatched_route: 0,
    error: 0,
  };
  let worst: TraceEvent | undefined;
  let sideEffects = 0;
  for (const e of events) {
    counts[e.outcome]++;
    if (!worst || compareOutcomes(e.outcome, worst.outcome) > 0) worst = e;
    const violating = e.outcome === "policy_violation" || e.outcome === "unmatched_route";
    if (violating && !e.enforced && hasSideEffects(e.request)) sideEffects++;
  }
  const summary: RunSummary = {
    outcome: worst?.outcome ?? "allowed",
    side_effect_count: sideEffects,
    counts,
  };
  if (worst?.policy !== undefined) summary.policy = worst.policy;
  return summary;
}

/** Transport headers that vary between identical runs or carry nothing a reviewer needs. */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-connection",
  "x-mirage-run-id",
]);

function traceHeaders(
  headers: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (const [name, value] of Object.entries(headers)) {
    if (TRANSPORT_HEADERS.has(name)) continue;
    out[name] = value;
    any = true;
  }
  return any ? out : undefined;
}

/** The request record of an action, before redaction. */
export function traceRequest(action: Action, withHost = false): TraceRequest {
  if (action.kind === "tool") {
    const r: TraceRequest = { tool: action.tool };
    if (action.payload !== undefined) r.args = action.payload;
    return r;
  }
  const r: TraceRequest = { method: action.method, path: action.path };
  if (withHost) r.host = action.host;
  if (Object.keys(action.query).length) r.query = { ...action.query };
  const headers = traceHeaders(action.headers);
  if (headers) r.headers = headers;
  if (typeof action.payload === "string") r.body = action.payload;
  else if (action.payload !== undefined) r.json = action.payload;
  return r;
}
