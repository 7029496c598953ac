/**
 * Re-deciding a recorded run under another policy file (docs/policy-workflow.md#replay): each
 * event in order, through the one evaluator, on a fresh state store that only the events going
 * through under the new file change. An event whose decision would read what the trace does
 * not hold (a redacted value, a header or host that is not recorded, a body that was not
 * inspected, arrival times for a rate) is undecidable: it is reported with the reasons, never
 * guessed, and the state rules it might have changed are marked uncertain for the rest of the
 * run.
 *
 * @module
 */

import type { Loaded, MocksDocument, PolicyDocument, PolicyRule } from "../config/types.ts";
import type { Action } from "../engine/action.ts";
import { compileMocks, type MockRouter } from "../engine/compile_mocks.ts";
import { compilePolicies, type Decision, type PolicySet } from "../engine/compile_policies.ts";
import { evaluateAction, type Evaluation } from "../engine/evaluate_action.ts";
import { isEnforced, type Mode, type Outcome } from "../engine/outcome.ts";
import { type Scoped, ScopeIndex } from "../engine/scope_index.ts";
import { compileScope, type ScopeSpec } from "../engine/scope.ts";
import { compileWatcher } from "../engine/state_rules.ts";
import { MemoryStateStore } from "../state/memory_store.ts";
import { describeRequest } from "../trace/describe_event.ts";
import type { TraceEvent } from "../trace/event.ts";
import type { Trace } from "../trace/trace.ts";
import { type RecordedAction, recordedAction } from "./recorded_action.ts";
import {
  recordedRouting,
  recordedSurface,
  type Routing,
  type SurfaceEvidence,
  surfaceEvidence,
} from "./recorded_surface.ts";
import {
  type FieldRead,
  routeReads,
  type RuleReads,
  ruleReads,
  toolMockReads,
} from "./rule_reads.ts";

/**
 * One side of a comparison: what an event came to.
 *
 * @example
 * ```ts
 * import type { Decided } from "./replay_run.ts";
 * const d: Decided = { outcome: "policy_violation", policy: "enforce_bid_limit", enforced: true };
 * ```
 */
export interface Decided {
  /** The outcome. */
  readonly outcome: Outcome;
  /** The deciding rule, if any. */
  readonly policy?: string;
  /** False when passthrough let a stopped action through. */
  readonly enforced: boolean;
}

/**
 * One replayed event.
 *
 * @example
 * ```ts
 * import type { ReplayedEvent } from "./replay_run.ts";
 * const e: ReplayedEvent = {
 *   seq: 3, action: "POST /v1/submit_bid", changed: true, decisions: [],
 *   before: { outcome: "policy_violation", policy: "enforce_bid_limit", enforced: true },
 *   after: { outcome: "allowed", enforced: true },
 * };
 * ```
 */
export interface ReplayedEvent {
  /** The event's sequence number in its run. */
  readonly seq: number;
  /** `POST /v1/submit_bid` or `tool issue_refund`. */
  readonly action: string;
  /** What it came to when recorded. */
  readonly before: Decided;
  /** What it comes to under the new file; absent when undecidable. */
  readonly after?: Decided;
  /** Whether the outcome, the deciding rule or what was enforced changed. */
  readonly changed: boolean;
  /** Why the trace cannot say what the new file decides, when it cannot. */
  readonly undecidable?: readonly string[];
  /** The new decisions (one per applicable rule); empty when undecidable. */
  readonly decisions: readonly Decision[];
  /** The rules that applied to it under the new file (scope), decided or not. */
  readonly rules?: readonly string[];
}

/**
 * One replayed run.
 *
 * @example
 * ```ts
 * import type { RunReplay } from "./replay_run.ts";
 * const r: RunReplay = { run_id: "procurement", recorded_mode: "ci", mode: "enforce", events: [] };
 * ```
 */
export interface RunReplay {
  /** The run's id. */
  readonly run_id: string;
  /** The trace's mode (`ci`, `enforce`, `passthrough`). */
  readonly recorded_mode: string;
  /** The mode replayed under. */
  readonly mode: Mode;
  /** Every event, in order. */
  readonly events: readonly ReplayedEvent[];
}

/**
 * What a replay decides with: the new policy file, and optionally a mocks file to route with
 * (without one, each event keeps the routing it was recorded with).
 *
 * @example
 * ```ts
 * import { loadPolicies } from "@mirage/core";
 * import type { ReplaySetup } from "./replay_run.ts";
 * const setup: ReplaySetup = { policies: await loadPolicies("policies/procurement.yaml") };
 * ```
 */
export interface ReplaySetup {
  /** The policy file to decide with. */
  readonly policies: Loaded<PolicyDocument>;
  /** A mocks file to route with. */
  readonly mocks?: Loaded<MocksDocument> | undefined;
  /** The mode to replay under; default: the recorded one (`enforce` for CI traces). */
  readonly mode?: Mode | undefined;
}

interface RuleInfo extends Scoped {
  readonly rule: PolicyRule;
  readonly reads: RuleReads;
}

interface RouteInfo extends Scoped {
  readonly label: string;
  readonly host: string | undefined;
  readonly reads: readonly FieldRead[];
}

interface WatchInfo extends Scoped {
  readonly rule: string;
  readonly writes: readonly FieldRead[];
}

/** State rules whose failure still holds with more prior actions counted; the rest hold when passing. */
const FAIL_HOLDS = new Set(["count_lte", "rate_lte", "sum_lte", "forbids_prior"]);

function withoutHost(spec: ScopeSpec): ScopeSpec {
  const { host: _, ...rest } = spec;
  return rest;
}

/** The new file and mocks, indexed once for every run replayed. */
class ReplayPlan {
  readonly setup: ReplaySetup;
  readonly mocks: MockRouter | undefined;
  readonly #rules: ScopeIndex<RuleInfo>;
  readonly #rulesAnyHost: ScopeIndex<RuleInfo>;
  readonly #routes: ScopeIndex<RouteInfo>;
  readonly #routesAnyHost: ScopeIndex<RouteInfo>;
  readonly #toolMocks: ScopeIndex<RouteInfo>;
  readonly #watchers: ScopeIndex<WatchInfo>;
  readonly stateRules: readonly string[];

  constructor(setup: ReplaySetup) {
    this.setup = setup;
    const rules = setup.policies.document.policies;
    const infos = rules.map((rule, order) => ({ rule, reads: ruleReads(rule), order }));
    this.#rules = new ScopeIndex(infos.map((i) => ({ ...i, scope: compileScope(i.rule) })));
    this.#rulesAnyHost = new ScopeIndex(
      infos.map((i) => ({ ...i, scope: compileScope(withoutHost(i.rule)) })),
    );
    this.stateRules = infos.filter((i) => i.reads.state !== undefined).map((i) => i.rule.name);
    this.#watchers = new ScopeIndex(rules.flatMap((rule, order) => {
      const w = compileWatcher(rule, order);
      return w ? [{ order, scope: w.scope, rule: rule.name, writes: ruleReads(rule).writes }] : [];
    }));
    const doc = setup.mocks?.document;
    this.mocks = setup.mocks ? compileMocks(setup.mocks) : undefined;
    const reads = doc ? routeReads(doc) : [];
    const routes = (doc?.mocks ?? []).map((m, order) => ({
      order,
      label: `mock '${m.name}'`,
      host: m.host,
      reads: reads[order] ?? [],
      spec: { method: m.method, path: m.path, ...(m.host ? { host: m.host } : {}) },
    }));
    this.#routes = new ScopeIndex(routes.map((r) => ({ ...r, scope: compileScope(r.spec) })));
    this.#routesAnyHost = new ScopeIndex(
      routes.map((r) => ({ ...r, scope: compileScope(withoutHost(r.spec)) })),
    );
    const toolReads = doc ? toolMockReads(doc) : [];
    this.#toolMocks = new ScopeIndex(
      doc?.strict_tools
        ? (doc.tools ?? []).map((t, order) => ({
          order,
          label: `tool mock '${t.name}'`,
          host: undefined,
          reads: toolReads[order] ?? [],
          scope: compileScope({ tool: t.tool ?? t.name }),
        }))
        : [],
    );
  }

  /** The rules whose scope takes in the action (ignoring host scopes when the host is unknown). */
  rulesFor(r: RecordedAction): readonly RuleInfo[] {
    return (r.hostKnown ? this.#rules : this.#rulesAnyHost).lookup(r.action);
  }

  /** The mocks whose scope takes in the action, when routing with a mocks file. */
  routesFor(r: RecordedAction): readonly RouteInfo[] {
    if (r.action.kind === "tool") return this.#toolMocks.lookup(r.action);
    return (r.hostKnown ? this.#routes : this.#routesAnyHost).lookup(r.action);
  }

  /** The prior-action selectors that take in the action. */
  watchersFor(action: Action): readonly WatchInfo[] {
    return this.#watchers.lookup(action);
  }
}

/** The state of one run's replay: its store, its clock, and the state rules now uncertain. */
class RunState {
  readonly policies: PolicySet;
  /** State rules that an earlier event may have changed in a way the replay could not follow. */
  readonly uncertain = new Map<string, number>();
  now = 0;

  constructor(setup: ReplaySetup) {
    const clock = () => this.now;
    this.policies = compilePolicies(setup.policies, {
      store: new MemoryStateStore({ clock }),
      clock,
    });
  }
}

function hostReasons(r: RecordedAction, rules: readonly RuleInfo[], routes: readonly RouteInfo[]) {
  if (r.hostKnown) return [];
  return [
    ...rules.filter((i) => i.rule.host !== undefined).map((i) =>
      `rule '${i.rule.name}' is scoped to host ${i.rule.host}, and CI traces do not record the host`
    ),
    ...routes.filter((m) => m.host !== undefined).map((m) =>
      `${m.label} is scoped to host ${m.host}, and CI traces do not record the host`
    ),
  ];
}

function readReasons(r: RecordedAction, label: string, reads: readonly FieldRead[]): string[] {
  return reads.flatMap((p) => {
    const gap = r.gap(p);
    return gap === undefined ? [] : [`${label} reads ${gap}`];
  });
}

/** Reasons the trace cannot say what the new file decides about an event, before deciding. */
function gaps(
  plan: ReplayPlan,
  r: RecordedAction,
  rules: readonly RuleInfo[],
  timed: boolean,
): string[] {
  const routes = plan.mocks ? plan.routesFor(r) : [];
  const reasons = hostReasons(r, rules, routes);
  for (const i of rules) {
    reasons.push(...readReasons(r, `rule '${i.rule.name}'`, i.reads.reads));
    if (i.reads.state === "rate_lte" && !timed) {
      reasons.push(`rule '${i.rule.name}' counts a rate, and the trace has no arrival time here`);
    }
  }
  for (const m of routes) reasons.push(...readReasons(r, m.label, m.reads));
  return [...new Set(reasons)];
}

function decidedOf(e: Evaluation, mode: Mode): Decided {
  return {
    outcome: e.outcome,
    ...(e.policy === undefined ? {} : { policy: e.policy }),
    enforced: isEnforced(e.outcome, mode === "passthrough"),
  };
}

function recordedOf(event: TraceEvent): Decided {
  return {
    outcome: event.outcome,
    ...(event.policy === undefined ? {} : { policy: event.policy }),
    enforced: event.enforced,
  };
}

function differs(a: Decided, b: Decided): boolean {
  return a.outcome !== b.outcome || a.policy !== b.policy || a.enforced !== b.enforced;
}

/** Reasons a decision of an uncertain state rule cannot be trusted. */
function uncertainReasons(
  state: RunState,
  rules: readonly RuleInfo[],
  decisions: readonly Decision[],
) {
  const reasons: string[] = [];
  for (const i of rules) {
    const since = state.uncertain.get(i.rule.name);
    const d = decisions.find((x) => x.policy === i.rule.name);
    if (since === undefined || !d) continue;
    const holds = FAIL_HOLDS.has(i.reads.state ?? "") ? !d.passed : d.passed;
    if (!holds) {
      reasons.push(
        `rule '${i.rule.name}' keeps state that event #${since} may have changed in a way the trace cannot show`,
      );
    }
  }
  return reasons;
}

/** After an event went through: state rules it fed with values the trace does not hold. */
function markUncertainWrites(
  plan: ReplayPlan,
  state: RunState,
  r: RecordedAction,
  rules: readonly RuleInfo[],
  seq: number,
): void {
  const fed = [
    ...rules.filter((i) =>
      i.reads.state !== undefined && i.reads.state !== "requires_prior" &&
      i.reads.state !== "forbids_prior"
    ).map((i) => ({ rule: i.rule.name, writes: i.reads.writes })),
    ...plan.watchersFor(r.action),
  ];
  for (const f of fed) {
    if (state.uncertain.has(f.rule)) continue;
    if (f.writes.some((p) => r.gap(p) !== undefined)) state.uncertain.set(f.rule, seq);
  }
}

interface EventInput {
  readonly event: TraceEvent;
  readonly runId: string;
  readonly evidence: SurfaceEvidence;
  readonly at: number | undefined;
  readonly mode: Mode;
}

function undecidable(
  plan: ReplayPlan,
  state: RunState,
  input: EventInput,
  rules: readonly RuleInfo[],
  reasons: readonly string[],
): ReplayedEvent {
  for (const name of plan.stateRules) {
    if (!state.uncertain.has(name)) state.uncertain.set(name, input.event.seq);
  }
  return {
    seq: input.event.seq,
    action: describeRequest(input.event.request),
    before: recordedOf(input.event),
    changed: false,
    undecidable: reasons,
    decisions: [],
    rules: rules.map((i) => i.rule.name),
  };
}

async function replayEvent(
  plan: ReplayPlan,
  state: RunState,
  input: EventInput,
): Promise<ReplayedEvent> {
  const { event } = input;
  const r = recordedAction(event, input.runId, { routeParams: plan.mocks !== undefined });
  const rules = plan.rulesFor(r);
  if (input.at !== undefined) state.now = input.at;
  const reasons = gaps(plan, r, rules, input.at !== undefined);
  if (reasons.length) return undecidable(plan, state, input, rules, reasons);
  const routing: Routing = plan.mocks ? "matched" : recordedRouting(event, input.evidence);
  const surface = plan.mocks ?? recordedSurface(routing === "matched", event.route);
  const probing = routing === "unknown" || rules.some((i) => state.uncertain.has(i.rule.name));
  let e: Evaluation | undefined;
  if (probing) {
    // A miss stops the action before state: the probe decides without changing any.
    const routed = surface.match(r.action)?.action ?? r.action;
    const probe = await evaluateAction(state.policies, recordedSurface(false), routed);
    const doubts = uncertainReasons(state, rules, probe.decisions);
    if (routing === "unknown" && probe.outcome !== "policy_violation") {
      doubts.push("the trace does not say whether a declared route or tool matched");
    }
    if (doubts.length) return undecidable(plan, state, input, rules, doubts);
    // A violation is one whatever the routing, and changes no state.
    if (routing === "unknown") e = probe;
  }
  e ??= await evaluateAction(state.policies, surface, r.action);
  const after = decidedOf(e, input.mode);
  if (after.outcome === "allowed" || after.outcome === "flagged") {
    markUncertainWrites(plan, state, r, rules, event.seq);
  }
  const before = recordedOf(event);
  return {
    seq: event.seq,
    action: describeRequest(event.request),
    before,
    after,
    changed: differs(before, after),
    decisions: e.decisions,
    rules: rules.map((i) => i.rule.name),
  };
}

/**
 * The default mode of a replay of a trace recorded in `recorded` mode: CI traces replay as
 * `enforce` (CI stops what it stops), gateway traces in the mode they were recorded in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replayMode } from "./replay_run.ts";
 * assert.equal(replayMode("ci"), "enforce");
 * assert.equal(replayMode("passthrough"), "passthrough");
 * ```
 */
export function replayMode(recorded: string): Mode {
  return recorded === "passthrough" ? "passthrough" : "enforce";
}

/**
 * Replays runs under one policy file (and mocks), compiled and indexed once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadPolicies, readTrace, session } from "@mirage/core";
 * import { Replayer } from "./replay_run.ts";
 * const traces = await Deno.makeTempDir();
 * {
 *   await using mirage = await session({ runId: "bids", policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", traces });
 *   await mirage.fetch("http://api.acme.internal/v1/submit_bid", { method: "POST", body: '{"amount": 50000}' });
 * }
 * const trace = await readTrace(traces, "bids");
 * assert.ok(trace);
 * const replayer = new Replayer({ policies: await loadPolicies({ policies: [] }) }); // no rules at all
 * const run = await replayer.replay(trace, new Map());
 * assert.deepEqual(run.events.map((e) => [e.action, e.before.outcome, e.after?.outcome, e.changed]), [
 *   ["POST /v1/submit_bid", "policy_violation", "allowed", true],
 * ]);
 * ```
 */
export class Replayer {
  readonly #plan: ReplayPlan;

  /** A replayer deciding with `setup`. */
  constructor(setup: ReplaySetup) {
    this.#plan = new ReplayPlan(setup);
  }

  /**
   * Replays one run: every event in order, on a fresh state store. `times` gives each event's
   * arrival (ms since the epoch, by `seq`), from the run's timing sidecar; a rate rule cannot
   * be replayed without it.
   */
  async replay(trace: Trace, times: ReadonlyMap<number, number>): Promise<RunReplay> {
    const plan = this.#plan;
    const mode = plan.setup.mode ?? replayMode(trace.mode);
    const state = new RunState(plan.setup);
    const evidence = surfaceEvidence(trace.mode, trace.events);
    const events: ReplayedEvent[] = [];
    try {
      for (const event of trace.events) {
        const input = { event, runId: trace.run_id, evidence, at: times.get(event.seq), mode };
        events.push(await replayEvent(plan, state, input));
      }
    } finally {
      await state.policies.store.close();
    }
    return { run_id: trace.run_id, recorded_mode: trace.mode, mode, events };
  }
}
