/**
 * What a run amounts to — its worst outcome, the policy behind it, counts by outcome, the side
 * effects that landed — computed one event at a time, so that a reader can keep it up to date
 * from a journal's new lines instead of reading the whole run again.
 *
 * @module
 */

import {
  compareOutcomes,
  isStopped,
  type Outcome,
  type OutcomeCounts,
  zeroCounts,
} from "../engine/outcome.ts";
import type { PendingEvent, TraceRequest } from "./event.ts";

/**
 * What a run amounts to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type RunSummary, summariseRun } from "@mirage/core";
 * const s: RunSummary = summariseRun([]);
 * assert.deepEqual(s, {
 *   outcome: "allowed",
 *   side_effect_count: 0,
 *   counts: { allowed: 0, flagged: 0, error: 0, unmatched_route: 0, policy_violation: 0 },
 * });
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
function hasSideEffects(request: TraceRequest): boolean {
  return request.tool !== undefined || !SAFE_METHODS.has(request.method ?? "");
}

/**
 * The running state of a {@link RunTally}: plain JSON, so that it can be stored and resumed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunTally, type TallyState } from "./run_summary.ts";
 * const call = { request: { tool: "t" }, enforced: true, decisions: [], response: {} };
 * const first = new RunTally();
 * first.add({ ...call, outcome: "flagged", policy: "p" });
 * const s: TallyState = first.state; // stored, and read back later
 * const later = new RunTally(s);
 * later.add({ ...call, outcome: "allowed" });
 * assert.equal(later.events, 2);
 * assert.deepEqual([later.summary().outcome, later.summary().policy], ["flagged", "p"]);
 * assert.equal(first.events, 1); // the state handed out is a copy
 * ```
 */
export interface TallyState {
  /** Events so far. */
  events: number;
  /** Events by outcome. */
  counts: OutcomeCounts;
  /** Stopped events with side effects that went through anyway. */
  side_effect_count: number;
  /** The worst outcome so far; absent before the first event. */
  worst?: Outcome;
  /** The policy of the first event with the worst outcome, if it had one. */
  policy?: string;
  /** Wall-clock time of the first event, when known. */
  first_at?: string;
  /** Wall-clock time of the last event, when known. */
  last_at?: string;
}

/**
 * A run's summary, one event at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunTally } from "./run_summary.ts";
 * const tally = new RunTally();
 * const get = { request: { method: "GET", path: "/" }, enforced: true, decisions: [] };
 * tally.add({ ...get, outcome: "flagged", policy: "p", response: {} }, "2026-01-01T00:00:00.000Z");
 * tally.add({ ...get, outcome: "allowed", response: {} }, "2026-01-01T00:00:01.000Z");
 * assert.deepEqual([tally.summary().outcome, tally.summary().policy], ["flagged", "p"]);
 * assert.equal(tally.state.events, 2);
 * assert.equal(tally.state.first_at, "2026-01-01T00:00:00.000Z");
 * assert.equal(tally.state.last_at, "2026-01-01T00:00:01.000Z");
 * ```
 */
export class RunTally {
  readonly #state: TallyState;

  /** A tally from zero, or resumed from a stored state. */
  constructor(state?: TallyState) {
    this.#state = state
      ? { ...state, counts: { ...state.counts } }
      : { events: 0, counts: zeroCounts(), side_effect_count: 0 };
  }

  /** Events counted so far. */
  get events(): number {
    return this.#state.events;
  }

  /** The state to store (a copy). */
  get state(): TallyState {
    return { ...this.#state, counts: { ...this.#state.counts } };
  }

  /** Counts one event, recorded at `at` when known. */
  add(event: PendingEvent, at?: string): void {
    const s = this.#state;
    s.events++;
    s.counts[event.outcome]++;
    if (s.worst === undefined || compareOutcomes(event.outcome, s.worst) > 0) {
      s.worst = event.outcome;
      if (event.policy === undefined) delete s.policy;
      else s.policy = event.policy;
    }
    if (isStopped(event.outcome) && !event.enforced && hasSideEffects(event.request)) {
      s.side_effect_count++;
    }
    if (at !== undefined) {
      s.first_at ??= at;
      s.last_at = at;
    }
  }

  /** The summary of the events counted so far. */
  summary(): RunSummary {
    const s = this.#state;
    const summary: RunSummary = {
      outcome: s.worst ?? "allowed",
      side_effect_count: s.side_effect_count,
      counts: { ...s.counts },
    };
    if (s.policy !== undefined) summary.policy = s.policy;
    return summary;
  }
}

/**
 * Summarises a run's events: worst outcome, counts, and `side_effect_count`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summariseRun } from "@mirage/core";
 * // Passthrough let two violations through: only the POST had side effects.
 * const letThrough = {
 *   outcome: "policy_violation" as const,
 *   policy: "cap",
 *   enforced: false,
 *   decisions: [],
 * };
 * const s = summariseRun([
 *   { ...letThrough, request: { method: "POST", path: "/x" }, response: { status: 200 } },
 *   { ...letThrough, request: { method: "GET", path: "/x" }, response: { status: 200 } },
 *   { request: { tool: "t" }, outcome: "allowed", enforced: true, decisions: [], response: {} },
 * ]);
 * assert.equal(s.outcome, "policy_violation");
 * assert.equal(s.policy, "cap");
 * assert.equal(s.side_effect_count, 1);
 * assert.deepEqual([s.counts.policy_violation, s.counts.allowed], [2, 1]);

 * ```
 */
export function summariseRun(events: readonly PendingEvent[]): RunSummary {
  const tally = new RunTally();
  for (const e of events) tally.add(e);
  return tally.summary();
}
