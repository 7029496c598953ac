/**
 * State operators compiled into builders of store checks, and the prior-action selectors of
 * `requires_prior` / `forbids_prior` compiled into watchers that mark actions going through.
 */

import type { PolicyRule } from "../config/types.ts";
import type { Action } from "./action.ts";
import { compileFieldGetter, MISSING } from "./field_getter.ts";
import type { StateCheck, StateMark } from "../state/state_store.ts";
import type { Scope, Scoped } from "./scope_index.ts";
import { compileScope } from "./scope.ts";

/** What a state rule asks of the store for one action. */
export type StateAsk =
  | { readonly kind: "check"; readonly check: StateCheck }
  | { readonly kind: "skip" }
  | { readonly kind: "missing"; readonly field: string };

/** A compiled state rule: builds its check for an action. */
export type StateAsker = (action: Action) => StateAsk;

/** A prior-action selector: marks matching actions that go through. */
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

/**
 * Compiles `per: run | global | <field>` into a function giving an action's state key under
 * `prefix`. Keys per run are remembered: the same string object comes back for the same run, so
 * the store's maps do not hash a freshly built key on every action.
 */
function compileKey(prefix: string, per: string | undefined): (action: Action) => string {
  if (per === undefined || per === "run") {
    const memo = new Map<string, string>();
    return (a) => {
      let key = memo.get(a.run_id);
      if (key === undefined) {
        if (memo.size >= KEY_MEMO_LIMIT) memo.clear();
        memo.set(a.run_id, key = `${prefix}run:${a.run_id}`);
      }
      return key;
    };
  }
  if (per === "global") {
    const key = `${prefix}global`;
    return () => key;
  }
  const get = compileFieldGetter(per);
  return (a) => {
    const v = get(a);
    return v === MISSING ? `${prefix}missing:` : `${prefix}field:${JSON.stringify(v)}`;
  };
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
  return (a) => {
    const values: unknown[] = [];
    for (const g of getters) {
      const v = g(a);
      if (v === MISSING || (g.wildcard && (v as unknown[]).includes(MISSING))) {
        return { missing: g.source };
      }
      values.push(v);
    }
    return { member: JSON.stringify(values) };
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

function counting(rule: PolicyRule, key: (a: Action) => string, block: boolean): StateAsker {
  const applies = compileFilter(rule.field);
  const v = rule.value as number | { limit: number; window_seconds: number };
  const check = (k: string): StateCheck =>
    typeof v === "number"
      ? { kind: "count", key: k, limit: v, block }
      : { kind: "rate", key: k, limit: v.limit, windowMs: v.window_seconds * 1000, block };
  return (a) => applies(a) ? { kind: "check", check: check(key(a)) } : SKIP;
}

function summing(rule: PolicyRule, key: (a: Action) => string, block: boolean): StateAsker {
  const v = rule.value as { field: string; limit: number };
  const get = compileFieldGetter(v.field);
  const lenient = rule.on_missing === "pass";
  return (a) => {
    const raw = get(a);
    if (raw === MISSING) {
      if (lenient) {
        return {
          kind: "check",
          check: { kind: "sum", key: key(a), limit: v.limit, amount: 0, block },
        };
      }
      return { kind: "missing", field: v.field };
    }
    const amount = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
    // A negative amount would buy back budget: like a non-number, it fails the check.
    const safe = Number.isFinite(amount) && amount >= 0 ? amount : Infinity;
    return {
      kind: "check",
      check: { kind: "sum", key: key(a), limit: v.limit, amount: safe, block },
    };
  };
}

function priorPrefix(rule: PolicyRule): string {
  return `${rule.name}\u0000prior\u0000`;
}

/** Compiles a state rule into its asker. */
export function compileStateRule(rule: PolicyRule): StateAsker {
  const block = (rule.action ?? "block") === "block";
  const key = compileKey(`${rule.name}\u0000`, rule.per);
  switch (rule.operator) {
    case "count_lte":
    case "rate_lte":
      return counting(rule, key, block);
    case "sum_lte":
      return summing(rule, key, block);
    case "requires_prior": {
      const same = compileSame((rule.value as PriorSpec).same);
      const k = compileKey(priorPrefix(rule), rule.per);
      return (a) => {
        const key = same(a);
        if ("missing" in key) return { kind: "missing", field: key.missing };
        return { kind: "check", check: { kind: "has", key: k(a), member: key.member, block } };
      };
    }
    case "forbids_prior": {
      const k = compileKey(priorPrefix(rule), rule.per);
      return (a) => ({ kind: "check", check: { kind: "none", key: k(a), block } });
    }
    default:
      throw new Error(`operator '${rule.operator}' is not a state operator`);
  }
}

/** Compiles the prior-action selector of a `requires_prior` / `forbids_prior` rule. */
export function compileWatcher(rule: PolicyRule, order: number): Watcher {
  const spec = rule.value as PriorSpec;
  const same = rule.operator === "requires_prior" ? compileSame(spec.same) : () => NO_SAME;
  const k = compileKey(priorPrefix(rule), rule.per);
  const scope: Scope = compileScope(spec);
  const mark = (a: Action) => {
    const key = same(a);
    return "missing" in key ? undefined : { key: k(a), member: key.member };
  };
  return { order, scope, proves: rule.operator === "requires_prior", mark };
}
