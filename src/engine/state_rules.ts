/**
 * State operators compiled into builders of store checks, and the prior-action selectors of
 * `requires_prior` / `forbids_prior` compiled into watchers that mark actions going through.
 */

import {
  type Canonical,
  canonicalOperator,
  isStateOperator,
  type StateOperator,
} from "../config/operators.ts";
import type { PolicyRule } from "../config/types.ts";
import type { Action } from "./action.ts";
import { compileFieldGetter, type FieldGetter, MISSING } from "./field_getter.ts";
import type { StateCheck, StateMark } from "../state/state_store.ts";
import type { Scope, Scoped } from "./scope_index.ts";
import { canonicalText, stateValue, textDigest } from "./state_value.ts";
import { compileScope } from "./scope.ts";

/**
 * What a state rule asks of the store for one action: a check, nothing (the action lacks the
 * field a counting rule counts), or a decision that a field it needs is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileStateRule, type StateAsk } from "./state_rules.ts";
 * import { toolAction } from "./action.ts";
 * const budget = compileStateRule(
 *   {
 *     name: "budget",
 *     message: "over budget",
 *     operator: "sum_lte",
 *     value: { field: "payload.amount", limit: 100 },
 *   },
 *   "sum_lte",
 * );
 * const ask: StateAsk = budget(toolAction({ tool: "pay", args: {} }));
 * assert.deepEqual(ask, { kind: "missing", field: "payload.amount" });
 * ```
 */
export type StateAsk =
  | StateCheck
  | { readonly kind: "skip" }
  | { readonly kind: "missing"; readonly field: string };

/**
 * A compiled state rule: builds its check for an action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileStateRule, type StateAsker } from "./state_rules.ts";
 * import { toolAction } from "./action.ts";
 * const budget: StateAsker = compileStateRule(
 *   {
 *     name: "budget",
 *     message: "over budget",
 *     operator: "sum_lte",
 *     value: { field: "payload.amount", limit: 100 },
 *   },
 *   "sum_lte",
 * );
 * const ask = budget(toolAction({ tool: "pay", args: { amount: 30 } }));
 * assert.equal(ask.kind, "sum");
 * assert.equal(ask.kind === "sum" && ask.amount, 30);
 * ```
 */
export type StateAsker = (action: Action) => StateAsk;

/**
 * A prior-action selector: marks matching actions that go through.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileWatcher, type Watcher } from "./state_rules.ts";
 * import { toolAction } from "./action.ts";
 * import { stateValue } from "./state_value.ts";
 * const watcher = compileWatcher({
 *   name: "pay_after_quote",
 *   message: "quote first",
 *   tool: "pay",
 *   operator: "requires_prior",
 *   value: { tool: "quote", same: ["payload.supplier"] },
 * }, 0) as Watcher;
 * assert.equal(watcher.proves, true);
 * assert.deepEqual([...watcher.scope.tools ?? []], ["quote"]);
 * const mark = watcher.mark(toolAction({ tool: "quote", args: { supplier: "S-1" }, runId: "r1" }));
 * assert.equal(mark?.member, stateValue(["S-1"])); // a digest: the value never reaches the store
 * assert.equal(watcher.mark(toolAction({ tool: "quote", args: {} })), undefined);
 * ```
 */
export interface Watcher extends Scoped {
  /**
   * True for `requires_prior`, whose marks prove that a step happened: an action whose path
   * servers read differently proves it only when every reading is that step.
   */
  readonly proves: boolean;
  /** The mark for an action this watcher selected; none when it lacks a `same` field. */
  mark(action: Action): StateMark | undefined;
}

interface PriorSpec {
  method?: string | string[];
  path?: string;
  tool?: string | string[];
  same?: string[];
}

const SKIP: StateAsk = { kind: "skip" };
const NO_SAME = { member: "[]" } as const;

/** Keys remembered per run id, at most this many per rule before the memory is emptied. */
const KEY_MEMO_LIMIT = 4096;

/** What one `per` part reads of an action: the run id, or a field's value. */
type PartReader = (action: Action) => unknown;

function compilePart(per: string): PartReader {
  if (per === "run") return (a) => a.run_id;
  const get = compileFieldGetter(per);
  return (a) => {
    const v = get(a);
    return v !== null && typeof v === "object" ? canonicalText(v) : v;
  };
}

function partKey(per: string, value: unknown): string {
  if (per === "run") return `run:${value as string}`;
  return value === MISSING ? "missing:" : `field:${stateValue(value)}`;
}

/**
 * Keys of `per: <field>` and `per: [parts]`, remembered by the values the parts read (nested
 * maps, no key built to look one up): the same key object comes back for the same values.
 */
function compileParts(prefix: string, per: readonly string[]): (action: Action) => string {
  const readers = per.map(compilePart);
  const build = (a: Action) =>
    `${prefix}${readers.map((read, i) => partKey(per[i] as string, read(a))).join("\u0000")}`;
  const last = readers.length - 1;
  const lastReader = readers[last] as PartReader;
  const memo = new Map<unknown, unknown>();
  let size = 0;
  return (a) => {
    let at = memo;
    for (let i = 0; i < last; i++) {
      const v = (readers[i] as PartReader)(a);
      let next = at.get(v) as Map<unknown, unknown> | undefined;
      if (!next) at.set(v, next = new Map());
      at = next;
    }
    const v = lastReader(a);
    let key = at.get(v) as string | undefined;
    if (key === undefined) {
      if (size >= KEY_MEMO_LIMIT) {
        memo.clear();
        size = 0;
      }
      at.set(v, key = build(a));
      size++;
    }
    return key;
  };
}

/**
 * Compiles `per: run | global | <field> | [parts]` into a function giving an action's state key
 * under `prefix`. Keys are remembered: the same string object comes back for the same run or
 * values, so the store's maps do not hash a freshly built key on every action.
 */
function compileKey(
  prefix: string,
  per: string | readonly string[] | undefined,
): (action: Action) => string {
  if (per === "global") {
    const key = `${prefix}global`;
    return () => key;
  }
  return compileParts(prefix, per === undefined ? ["run"] : typeof per === "string" ? [per] : per);
}

/** The `same` values of an action: one comparable string, or the first field it lacks. */
type SameKey = { readonly member: string } | { readonly missing: string };

/**
 * Compiles the `same` fields. An action that lacks one of them has no key: two actions that
 * both lack a field must not count as "the same".
 */
function compileSame(same: readonly string[] | undefined): (action: Action) => SameKey {
  const getters = (same ?? []).map((f) => compileFieldGetter(f));
  if (getters.length === 0) return () => NO_SAME;
  const only = getters.length === 1 ? getters[0] : undefined;
  if (only && !only.wildcard) return sameOne(only);
  const byText = memberByText();
  return (a) => {
    const values: unknown[] = [];
    for (const g of getters) {
      const v = g(a);
      if (v === MISSING || (g.wildcard && (v as unknown[]).includes(MISSING))) {
        return { missing: g.source };
      }
      values.push(v);
    }
    return byText(canonicalText(values));
  };
}

/** Members remembered by their canonical text, so that a value is digested once, not per action. */
function memberByText(): (text: string) => SameKey {
  const memo = new Map<string, SameKey>();
  return (text) => {
    let key = memo.get(text);
    if (key === undefined) {
      if (memo.size >= KEY_MEMO_LIMIT) memo.clear();
      memo.set(text, key = { member: textDigest(text) });
    }
    return key;
  };
}

/**
 * `same` on one plain field: the key of each value is remembered (a string, a number: the same
 * value reads the same key object back), so that an action builds no array and no JSON text.
 */
function sameOne(get: FieldGetter): (action: Action) => SameKey {
  const missing: SameKey = { missing: get.source };
  const memo = new Map<unknown, SameKey>();
  const byText = memberByText();
  return (a) => {
    const v = get(a);
    if (v === MISSING) return missing;
    if (v !== null && typeof v === "object") return byText(canonicalText([v]));
    let key = memo.get(v);
    if (key === undefined) {
      if (memo.size >= KEY_MEMO_LIMIT) memo.clear();
      memo.set(v, key = { member: stateValue([v]) });
    }
    return key;
  };
}

function compileFilter(field: string | undefined): (action: Action) => boolean {
  if (field === undefined || field === "") return () => true;
  const get = compileFieldGetter(field);
  return (a) => {
    const v = get(a);
    return get.wildcard ? (v as unknown[]).some((x) => x !== MISSING) : v !== MISSING;
  };
}

/** How a rule's checks are keyed and what they do when they fail. */
interface Keying {
  readonly key: (action: Action) => string;
  readonly global: boolean;
  readonly block: boolean;
}

function counting(rule: PolicyRule, { key, global, block }: Keying): StateAsker {
  const applies = compileFilter(rule.field);
  const v = rule.value as number | { limit: number; window_seconds: number };
  const check = (k: string): StateCheck =>
    typeof v === "number"
      ? { kind: "count", key: k, limit: v, block, global }
      : { kind: "rate", key: k, limit: v.limit, windowMs: v.window_seconds * 1000, block, global };
  return (a) => applies(a) ? check(key(a)) : SKIP;
}

function summing(rule: PolicyRule, { key, global, block }: Keying): StateAsker {
  const v = rule.value as { field: string; limit: number };
  const get = compileFieldGetter(v.field);
  const lenient = rule.on_missing === "pass";
  return (a) => {
    const raw = get(a);
    if (raw === MISSING) {
      if (lenient) return { kind: "sum", key: key(a), limit: v.limit, amount: 0, block, global };
      return { kind: "missing", field: v.field };
    }
    const amount = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
    // A negative amount would buy back budget: like a non-number, it fails the check.
    const safe = Number.isFinite(amount) && amount >= 0 ? amount : Infinity;
    return { kind: "sum", key: key(a), limit: v.limit, amount: safe, block, global };
  };
}

function priorPrefix(rule: PolicyRule): string {
  return `${rule.name}\u0000prior\u0000`;
}

/**
 * The prior-action rules read the marks their watcher writes, under the prefix they share with
 * it, rather than under the rule's own key.
 */
function requiresPrior(rule: PolicyRule, { global, block }: Keying): StateAsker {
  const same = compileSame((rule.value as PriorSpec).same);
  const k = compileKey(priorPrefix(rule), rule.per);
  return (a) => {
    const key = same(a);
    if ("missing" in key) return { kind: "missing", field: key.missing };
    return { kind: "has", key: k(a), member: key.member, block, global };
  };
}

function forbidsPrior(rule: PolicyRule, { global, block }: Keying): StateAsker {
  const k = compileKey(priorPrefix(rule), rule.per);
  return (a) => ({ kind: "none", key: k(a), block, global });
}

/**
 * The prior-action selector of a rule; with `same`, it remembers the actions' `same` values. Its
 * `path` compares as the rule's own does (`path_case`).
 */
function watching(withSame: boolean): (rule: PolicyRule, order: number) => Watcher {
  return (rule, order) => {
    const spec = rule.value as PriorSpec;
    const same = withSame ? compileSame(spec.same) : () => NO_SAME;
    const k = compileKey(priorPrefix(rule), rule.per);
    const global = rule.per === "global";
    const scope: Scope = compileScope(spec, rule.path_case);
    const mark = (a: Action) => {
      const key = same(a);
      return "missing" in key ? undefined : { key: k(a), member: key.member, global };
    };
    return { order, scope, proves: withSame, mark };
  };
}

/** How one state operator compiles. */
interface StateRule {
  /** The rule's store check, given how it is keyed and whether it blocks. */
  ask(rule: PolicyRule, keying: Keying): StateAsker;
  /** The selector of the earlier actions the rule reads, for operators that read any. */
  watch?(rule: PolicyRule, order: number): Watcher;
}

/**
 * Every state operator, by the name the table gives it. A mapped type over the operator table:
 * a state operator without an entry here fails `deno check`.
 */
const STATE_RULES: { readonly [K in Canonical<StateOperator>]: StateRule } = {
  count_lte: { ask: counting },
  rate_lte: { ask: counting },
  sum_lte: { ask: summing },
  requires_prior: { ask: requiresPrior, watch: watching(true) },
  forbids_prior: { ask: forbidsPrior, watch: watching(false) },
};

/**
 * Compiles a state rule (a rule whose operator is `operator`) into its asker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileStateRule } from "./state_rules.ts";
 * import { toolAction } from "./action.ts";
 * const calls = compileStateRule(
 *   { name: "calls", message: "too many", operator: "count_lte", value: 3 },
 *   "count_lte",
 * );
 * const a = calls(toolAction({ tool: "search", runId: "r1" }));
 * const b = calls(toolAction({ tool: "search", runId: "r2" }));
 * assert.equal(a.kind, "count");
 * // Counted per run by default: each run id has its own key.
 * assert.notEqual("key" in a && a.key, "key" in b && b.key);
 * ```
 */
export function compileStateRule(rule: PolicyRule, operator: StateOperator): StateAsker {
  const keying: Keying = {
    key: compileKey(`${rule.name}\u0000`, rule.per),
    global: rule.per === "global",
    block: (rule.action ?? "block") === "block",
  };
  return STATE_RULES[canonicalOperator(operator)].ask(rule, keying);
}

/**
 * Compiles the prior-action selector of a `requires_prior` / `forbids_prior` rule; none for any
 * other rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileWatcher } from "./state_rules.ts";
 * import { toolAction } from "./action.ts";
 * const rule = {
 *   name: "no_send_after_delete",
 *   message: "not after a delete",
 *   tool: "send",
 *   operator: "forbids_prior",
 *   value: { tool: "delete" },
 * } as const;
 * const watcher = compileWatcher(rule, 3);
 * assert.equal(watcher?.order, 3);
 * assert.equal(watcher?.proves, false);
 * assert.notEqual(watcher?.mark(toolAction({ tool: "delete" })), undefined);
 * const cap = { name: "cap", message: "big", field: "amount", operator: "max", value: 1 } as const;
 * assert.equal(compileWatcher(cap, 0), undefined);
 * ```
 */
export function compileWatcher(rule: PolicyRule, order: number): Watcher | undefined {
  const op = rule.operator;
  if (op === undefined || !isStateOperator(op)) return undefined;
  return STATE_RULES[canonicalOperator(op)].watch?.(rule, order);
}
