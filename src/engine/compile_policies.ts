/**
 * A policy document compiled once into closures and an index: the one evaluator that the
 * session, the proxy, the gateway and the adapters share.
 *
 * @module
 */

import type { Loaded, NormalizeStep, PolicyDocument, PolicyRule } from "../config/types.ts";
import { type ConditionOperator, isStateOperator } from "../config/operators.ts";
import { type Action, type HttpAction, pathReadings } from "./action.ts";
import {
  compileCondition,
  type CompiledCondition,
  compileExpr,
  FAIL,
  MISSED,
  PASS,
  type Report,
  type Tri,
} from "./condition.ts";
import { type Scoped, ScopeIndex } from "./scope_index.ts";
import { NormalizerPool } from "./normalize.ts";
import { compileScope } from "./scope.ts";
import { compileStateRule, compileWatcher, type StateAsker, type Watcher } from "./state_rules.ts";
import type { StateCheck, StateMark, StateResult, StateStore } from "../state/state_store.ts";
import { MemoryStateStore } from "../state/memory_store.ts";
import type { PolicyOutcome } from "./outcome.ts";

/**
 * The verdict of one rule on one action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, type Decision, toolAction } from "@mirage/core";
 * const set = compilePolicies({
 *   policies: [{
 *     name: "enforce_bid_limit",
 *     tool: "submit_bid",
 *     field: "amount",
 *     operator: "max",
 *     value: 25000,
 *     message: "Bids above 25,000 need human approval.",
 *   }],
 * });
 * const [d] = (await set.decide(toolAction({ tool: "submit_bid", args: { amount: 50000 } })))
 *   .decisions;
 * assert.deepEqual(d, {
 *   policy: "enforce_bid_limit",
 *   passed: false,
 *   action: "block",
 *   field: "amount",
 *   operator: "max",
 *   expected: 25000,
 *   actual: 50000,
 *   message: "Bids above 25,000 need human approval.",
 * } satisfies Decision);
 * const [missing] = (await set.decide(toolAction({ tool: "submit_bid", args: {} }))).decisions;
 * assert.equal(missing?.passed, false);
 * assert.equal(missing?.missing, true);
 * ```
 */
export interface Decision {
  /** The rule's name. */
  policy: string;
  /** Did the rule's condition hold? */
  passed: boolean;
  /** What the rule does when it fails. */
  action: "block" | "flag";
  /** The field compared (`expr` for CEL rules). */
  field: string;
  /** The operator as written. */
  operator: string;
  /** The operand. */
  expected?: unknown;
  /** The value found; absent when the field is missing. */
  actual?: unknown;
  /**
   * The rule's message; for a missing field, a message saying so; for a value that could not be
   * read (a URL whose host parsers read differently), the rule's message and why.
   */
  message: string;
  /** True when the field was absent. */
  missing?: boolean;
  /**
   * The `normalize` steps that changed the value the rule was decided on (a failing rule: the
   * form that failed it), in pipeline order; absent when none changed it.
   */
  normalized?: NormalizeStep[];
}

/**
 * What the policies say about one action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, toolAction, type Verdict } from "@mirage/core";
 * const set = compilePolicies({
 *   policies: [
 *     {
 *       name: "review",
 *       tool: "refund",
 *       field: "amount",
 *       operator: "lte",
 *       value: 100,
 *       action: "flag",
 *       message: "look at it",
 *     },
 *     { name: "cap", tool: "refund", field: "amount", operator: "lte", value: 1000, message: "" },
 *   ],
 * });
 * const refund = (amount: number): Promise<Verdict> =>
 *   set.decide(toolAction({ tool: "refund", args: { amount } }));
 * const allowed = await refund(50);
 * assert.deepEqual([allowed.outcome, allowed.policy], ["allowed", undefined]);
 * const flagged = await refund(500);
 * assert.deepEqual([flagged.outcome, flagged.policy], ["flagged", "review"]);
 * const blocked = await refund(5000);
 * // The blocking rule decides, though the flag rule came first.
 * assert.deepEqual([blocked.outcome, blocked.policy], ["policy_violation", "cap"]);
 * assert.deepEqual(blocked.decisions.map((d) => d.passed), [false, false]);
 * assert.equal((await set.decide(toolAction({ tool: "x" }))).outcome, "allowed");
 * ```
 */
export interface Verdict {
  /** `policy_violation` if a blocking rule failed, `flagged` if only flag rules failed. */
  outcome: PolicyOutcome;
  /** The first failing blocking rule, else the first failing flag rule. */
  policy?: string;
  /** One decision per applicable rule, in file order. */
  decisions: Decision[];
}

/**
 * Options of {@link PolicySet.decide}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, type DecideOptions, toolAction } from "@mirage/core";
 * const set = compilePolicies({
 *   policies: [{ name: "one", tool: "refund", operator: "count_lte", value: 1, message: "once" }],
 * });
 * const refund = toolAction({ tool: "refund" });
 * // A refund that cannot go through (no route answers it) does not count.
 * const o: DecideOptions = { blocked: true };
 * assert.equal((await set.decide(refund, o)).outcome, "allowed");
 * assert.equal((await set.decide(refund)).outcome, "allowed");
 * assert.equal((await set.decide(refund)).outcome, "policy_violation");
 * ```
 */
export interface DecideOptions {
  /** The action cannot go through whatever the rules say (no route): state must not change. */
  blocked?: boolean;
}

/**
 * Options of {@link compilePolicies}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, MemoryStateStore, toolAction } from "@mirage/core";
 * let t = 0;
 * const store = new MemoryStateStore();
 * const set = compilePolicies({
 *   policies: [{
 *     name: "slow_down",
 *     tool: "search",
 *     operator: "rate_lte",
 *     value: { limit: 1, window_seconds: 60 },
 *     message: "one search a minute",
 *   }],
 * }, { store, clock: () => t });
 * assert.equal(set.store, store);
 * const search = toolAction({ tool: "search" });
 * assert.equal((await set.decide(search)).outcome, "allowed");
 * assert.equal((await set.decide(search)).outcome, "policy_violation");
 * t += 61_000; // the clock, not the wall, moves the window
 * assert.equal((await set.decide(search)).outcome, "allowed");
 * ```
 */
export interface CompileOptions {
  /** Where the state operators keep state; default a new {@link MemoryStateStore}. */
  store?: StateStore;
  /** Milliseconds since the epoch, for rate windows; default `Date.now`. */
  clock?: () => number;
}

/**
 * A compiled policy document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, httpAction } from "@mirage/core";
 * const set = compilePolicies({
 *   redact: ["headers.authorization"],
 *   policies: [
 *     { name: "cap", field: "amount", operator: "max", value: 10, message: "too much" },
 *     { name: "look", field: "amount", operator: "max", value: 5, action: "flag", message: "see" },
 *   ],
 * });
 * assert.equal(set.size, 2);
 * assert.deepEqual(set.counts, { block: 1, flag: 1 });
 * assert.deepEqual(set.redact, ["headers.authorization"]);
 * assert.equal(set.digest, undefined); // compiled from an object, not a file
 * const bid = (amount: number) =>
 *   set.decide(httpAction({ method: "POST", url: "http://x.test/", json: { amount } }));
 * const v = await bid(11);
 * assert.deepEqual([v.outcome, v.policy], ["policy_violation", "cap"]);
 * assert.equal((await bid(7)).outcome, "flagged");
 * // No state rule, or the memory store: the verdict itself, no promise.
 * const now = set.decideNow(httpAction({ method: "POST", url: "http://x.test/", json: { amount: 1 } }));
 * assert.ok(!(now instanceof Promise) && now.outcome === "allowed");
 * ```
 */
export interface PolicySet {
  /** Number of rules. */
  readonly size: number;
  /** Number of rules per action kind: `block` and `flag`. */
  readonly counts: { readonly block: number; readonly flag: number };
  /** The `redact:` paths of the document. */
  readonly redact: readonly string[];
  /** The store the state operators use. */
  readonly store: StateStore;
  /** `sha256:<hex>` of the policy file's bytes (see `Loaded.digest`); absent for an object. */
  readonly digest?: string;
  /** Decides one action. */
  decide(action: Action, options?: DecideOptions): Promise<Verdict>;
  /**
   * Decides one action, with the verdict itself when the store answers at once (the memory
   * store, or no state rule applies) and a promise only when it must wait (Redis): for a
   * server's request path, which then takes no turn of the event loop to decide. Throws where
   * `decide` rejects.
   */
  decideNow(action: Action, options?: DecideOptions): Verdict | Promise<Verdict>;
}

interface CompiledRule extends Scoped {
  readonly rule: PolicyRule;
  readonly block: boolean;
  readonly lenient: boolean;
  readonly condition: CompiledCondition | undefined;
  readonly state: StateAsker | undefined;
  /** The field a state rule's decisions name (`sum_lte`: the summed field). */
  readonly stateField: string;
}

/** What a document gives every rule that does not say otherwise, and what its rules share. */
interface RuleDefaults {
  readonly normalize: readonly NormalizeStep[];
  readonly pathCase: "sensitive" | "insensitive" | undefined;
  readonly pipelines: NormalizerPool;
}

function conditionOf(
  rule: PolicyRule,
  operator: ConditionOperator | undefined,
  defaults: RuleDefaults,
): CompiledCondition {
  if (rule.expr !== undefined) return compileExpr(rule.expr);
  const context = {
    normalize: rule.normalize ?? defaults.normalize,
    pipelines: defaults.pipelines,
  };
  if (rule.when !== undefined) return compileCondition(rule.when, context);
  return compileCondition({
    field: rule.field ?? "",
    operator: operator ?? "exists",
    ...(rule.value === undefined ? {} : { value: rule.value }),
    ...(rule.checksum === undefined ? {} : { checksum: rule.checksum }),
  }, context);
}

function compileRule(source: PolicyRule, order: number, defaults: RuleDefaults): CompiledRule {
  const rule = withPathCase(source, defaults.pathCase);
  const op = rule.operator;
  const stateful = op !== undefined && isStateOperator(op);
  return {
    order,
    scope: compileScope(rule),
    rule,
    block: (rule.action ?? "block") === "block",
    lenient: rule.on_missing === "pass",
    condition: stateful ? undefined : conditionOf(rule, op, defaults),
    state: stateful ? compileStateRule(rule, op) : undefined,
    stateField: stateFieldOf(rule),
  };
}

function stateFieldOf(rule: PolicyRule): string {
  const sumField = rule.operator === "sum_lte"
    ? (rule.value as { field: string }).field
    : undefined;
  return sumField ?? rule.field ?? "";
}

/** The rule with the file's `path_case` when it sets none, so its selectors read it too. */
function withPathCase(rule: PolicyRule, pathCase: RuleDefaults["pathCase"]): PolicyRule {
  return pathCase === undefined || rule.path_case !== undefined
    ? rule
    : { ...rule, path_case: pathCase };
}

/**
 * A condition under every reading of a path that servers read differently: the worst result
 * wins (a failure over a missing field over a pass), with the report of the reading it came from.
 */
function worstReading(condition: CompiledCondition, readings: HttpAction[], report: Report): Tri {
  let worst = condition(readings[0] as HttpAction, report);
  for (let i = 1; i < readings.length && worst !== FAIL; i++) {
    const other: Report = { ...report };
    const r = condition(readings[i] as HttpAction, other);
    if (r === FAIL || (r === MISSED && worst === PASS)) {
      worst = r;
      Object.assign(report, other);
    }
  }
  return worst;
}

function missingMessage(r: Report): string {
  return r.field === "expr"
    ? `expression reads a missing field (${String(r.actual)})`
    : `field '${r.field}' is missing`;
}

function failureMessage(c: CompiledRule, r: Report, missing: boolean): string {
  if (missing) return missingMessage(r);
  return r.unreadable === undefined ? c.rule.message : `${c.rule.message} (${r.unreadable})`;
}

function decisionFrom(c: CompiledRule, passed: boolean, r: Report, missing: boolean): Decision {
  const d: Decision = {
    policy: c.rule.name,
    passed,
    action: c.block ? "block" : "flag",
    field: r.field,
    operator: r.operator,
    message: passed ? c.rule.message : failureMessage(c, r, missing),
  };
  if (r.expected !== undefined) d.expected = r.expected;
  if (!missing && r.actual !== undefined) d.actual = r.actual;
  if (missing) d.missing = true;
  if (r.normalized?.length) d.normalized = [...r.normalized];
  return d;
}

/** The decision of a state rule whose field is missing (`field`: the first one missing). */
function missingStateDecision(c: CompiledRule, field: string): Decision {
  const r: Report = {
    field,
    operator: c.rule.operator ?? "",
    expected: c.rule.value,
    actual: undefined,
  };
  return decisionFrom(c, c.lenient, r, true);
}

/** The decision of a state rule from the store's answer: what `decisionFrom` would build. */
function stateDecision(c: CompiledRule, result: StateResult): Decision {
  const d: Decision = {
    policy: c.rule.name,
    passed: result.passed,
    action: c.block ? "block" : "flag",
    field: c.stateField,
    operator: c.rule.operator ?? "",
    message: c.rule.message,
  };
  if (c.rule.value !== undefined) d.expected = c.rule.value;
  d.actual = result.actual;
  return d;
}

/** The decisions in rule order, without the slots of state rules that did not apply. */
function compact(decisions: Decision[], holes: number): Decision[] {
  return holes === 0 ? decisions : decisions.filter(Boolean);
}

function verdictOf(decisions: Decision[]): Verdict {
  let block: string | undefined;
  let flag: string | undefined;
  for (const d of decisions) {
    if (d.passed) continue;
    if (d.action === "block") block ??= d.policy;
    else flag ??= d.policy;
  }
  const policy = block ?? flag;
  const outcome = block ? "policy_violation" : flag ? "flagged" : "allowed";
  return policy === undefined ? { outcome, decisions } : { outcome, policy, decisions };
}

/** The slot of a state rule whose check went to the store: its result fills it. */
const PENDING: Decision = Object.freeze({
  policy: "",
  passed: true,
  action: "block",
  field: "",
  operator: "",
  message: "",
});

const NO_MARKS: readonly StateMark[] = Object.freeze([]);

/** What the set's index holds: rules, and the prior-action selectors of state rules. */
type Indexed = CompiledRule | Watcher;

/** What applies to an action: its rules in file order, and the selectors that watch it. */
interface Applicable {
  readonly rules: readonly CompiledRule[];
  readonly watchers: readonly Watcher[];
}

function isWatcher(item: Indexed): item is Watcher {
  return "mark" in item;
}

/** The items one lookup found, split once per route (the index remembers the split). */
function applicable(found: readonly Indexed[]): Applicable {
  const rules: CompiledRule[] = [];
  const watchers: Watcher[] = [];
  for (const item of found) {
    if (isWatcher(item)) watchers.push(item);
    else rules.push(item);
  }
  return { rules, watchers };
}

/** A report with nothing in it: what each rule's condition starts from. */
function clearReport(report: Report): Report {
  report.field = "";
  report.operator = "";
  report.expected = undefined;
  report.actual = undefined;
  report.normalized = undefined;
  report.unreadable = undefined;
  return report;
}

class CompiledPolicySet implements PolicySet {
  readonly size: number;
  readonly counts: { readonly block: number; readonly flag: number };
  readonly redact: readonly string[];
  readonly store: StateStore;
  readonly digest?: string;
  readonly #index: ScopeIndex<Indexed, Applicable>;
  readonly #clock: () => number;
  /** The clock is `Date.now`: the store may take the transaction's reading as its own. */
  readonly #wallClock: boolean;
  /** The conditions' report, filled anew by each: a decision copies what it needs from it. */
  readonly #report: Report = clearReport({} as Report);

  constructor(doc: PolicyDocument, options: CompileOptions, digest: string | undefined) {
    const defaults: RuleDefaults = {
      normalize: doc.normalize ?? [],
      pathCase: doc.path_case,
      pipelines: new NormalizerPool(),
    };
    const rules = doc.policies.map((r, i) => compileRule(r, i, defaults));
    const watchers = rules.flatMap((c) => compileWatcher(c.rule, c.order) ?? []);
    this.size = rules.length;
    const block = rules.filter((r) => r.block).length;
    this.counts = { block, flag: rules.length - block };
    this.redact = doc.redact ?? [];
    this.store = options.store ?? new MemoryStateStore();
    if (digest !== undefined) this.digest = digest;
    this.#index = new ScopeIndex<Indexed, Applicable>([...rules, ...watchers], applicable);
    this.#clock = options.clock ?? Date.now;
    this.#wallClock = this.#clock === Date.now;
  }

  decide(action: Action, options?: DecideOptions): Promise<Verdict> {
    try {
      return Promise.resolve(this.decideNow(action, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  decideNow(action: Action, options?: DecideOptions): Verdict | Promise<Verdict> {
    const { rules, watchers } = this.#index.lookup(action);
    const decisions: Decision[] = new Array(rules.length);
    let checks: StateCheck[] | undefined;
    let holes = 0;
    let blocked = options?.blocked ?? false;
    const report = clearReport(this.#report);
    const readings = action.kind === "http" && action.otherPaths?.length
      ? pathReadings(action)
      : undefined;
    for (let i = 0; i < rules.length; i++) {
      const c = rules[i] as CompiledRule;
      let d: Decision;
      if (c.condition) {
        const r = readings
          ? worstReading(c.condition, readings, report)
          : c.condition(action, report);
        const passed = r === FAIL ? false : r === MISSED ? c.lenient : true;
        d = decisionFrom(c, passed, report, r === MISSED);
      } else {
        const ask = (c.state as StateAsker)(action);
        if (ask.kind === "skip") {
          holes++;
          continue;
        }
        if (ask.kind !== "missing") {
          (checks ??= []).push(ask);
          decisions[i] = PENDING;
          continue;
        }
        d = missingStateDecision(c, ask.field);
      }
      decisions[i] = d;
      if (!d.passed && c.block) blocked = true;
    }
    const marks = watchers.length === 0 ? NO_MARKS : this.#marks(action, watchers);
    if (!checks && marks.length === 0) return verdictOf(compact(decisions, holes));
    const tx = {
      now: this.#clock(),
      blocked,
      checks: checks ?? [],
      marks,
      wallClock: this.#wallClock,
    };
    const store = this.store;
    if (!store.applySync) {
      return store.apply(tx).then((results) => settle(rules, decisions, results, holes));
    }
    // An in-process store answers at once: no turn of the event loop for a promise.
    return settle(rules, decisions, store.applySync(tx), holes);
  }

  #marks(action: Action, watchers: readonly Watcher[]): readonly StateMark[] {
    const each = action.kind === "http" && action.otherPaths?.length
      ? this.#index.lookupEach(action)
      : undefined;
    let marks: StateMark[] | undefined;
    for (const w of watchers) {
      // A step that `requires_prior` asks for counts only if every reading of its path is it.
      if (each && w.proves && !each.every((list) => list.includes(w))) continue;
      const m = w.mark(action);
      if (m) (marks ??= []).push(m);
    }
    return marks ?? NO_MARKS;
  }
}

/** The verdict once the store answered: each pending slot, in rule order, takes its result. */
function settle(
  rules: readonly CompiledRule[],
  decisions: Decision[],
  results: readonly StateResult[],
  holes: number,
): Verdict {
  for (let i = 0, k = 0; i < decisions.length; i++) {
    if (decisions[i] !== PENDING) continue;
    decisions[i] = stateDecision(rules[i] as CompiledRule, results[k++] as StateResult);
  }
  return verdictOf(compact(decisions, holes));
}

/**
 * Compiles a policy document once: scopes into an index, conditions into closures, regexes and
 * CEL into programs. Nothing is parsed or validated when deciding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePolicies, httpAction, loadPolicies } from "@mirage/core";
 * const set = compilePolicies(await loadPolicies("policies/procurement.yaml"));
 * assert.equal(set.size, 4);
 * assert.match(set.digest ?? "", /^sha256:[0-9a-f]{64}$/);
 * const bid = httpAction({
 *   method: "POST",
 *   url: "http://api.test/v1/Submit_Bid", // the file reads paths ignoring case
 *   json: { amount: 50000, supplier_id: "SUP-001" },
 * });
 * const v = await set.decide(bid);
 * assert.deepEqual([v.outcome, v.policy], ["policy_violation", "enforce_bid_limit"]);

 * ```
 */
export function compilePolicies(
  doc: PolicyDocument | Loaded<PolicyDocument>,
  options: CompileOptions = {},
): PolicySet {
  if ("document" in doc) return new CompiledPolicySet(doc.document, options, doc.digest);
  return new CompiledPolicySet(doc, options, undefined);
}
