/**
 * The state behind the state operators, behind one small interface: a store receives everything
 * one action needs (checks and records) in a single call and applies it atomically, so that a
 * shared store (Redis, with one script) can replace the in-memory one without touching the
 * evaluator.
 *
 * @module
 */

/**
 * One check of a state operator. Keys are opaque strings built by the evaluator.
 *
 * - `count`: passes when `count + 1 <= limit`; going through adds 1.
 * - `rate`: passes when the hits in `(now - windowMs, now]` plus 1 are `<= limit`; going through adds a hit at `now`.
 * - `sum`: passes when `sum + amount <= limit`; going through adds `amount`.
 * - `has`: passes when `member` was marked under `key` (`requires_prior`).
 * - `none`: passes when nothing was marked under `key` (`forbids_prior`).
 *
 * @example
 * ```ts
 * import type { StateCheck } from "@mirage/core";
 * const c: StateCheck = { kind: "rate", key: "r1|run:a", limit: 5, windowMs: 60_000, block: true };
 * ```
 */
export type StateCheck =
  & { readonly key: string; readonly block: boolean }
  & (
    | { readonly kind: "count"; readonly limit: number }
    | { readonly kind: "rate"; readonly limit: number; readonly windowMs: number }
    | { readonly kind: "sum"; readonly limit: number; readonly amount: number }
    | { readonly kind: "has"; readonly member: string }
    | { readonly kind: "none" }
  );

/**
 * A mark to add under a key when the action goes through (a prior action for
 * `requires_prior` / `forbids_prior`).
 *
 * @example
 * ```ts
 * import type { StateMark } from "@mirage/core";
 * const m: StateMark = { key: "bid_needs_quote|prior|run:a", member: '["S-1"]' };
 * ```
 */
export interface StateMark {
  /** Where to mark. */
  readonly key: string;
  /** What to mark. */
  readonly member: string;
}

/**
 * Everything one action asks of the store.
 *
 * @example
 * ```ts
 * import type { StateTransaction } from "@mirage/core";
 * const tx: StateTransaction = { now: Date.now(), blocked: false, checks: [], marks: [] };
 * ```
 */
export interface StateTransaction {
  /** The clock reading for rate windows, in milliseconds. */
  readonly now: number;
  /** True when the action is already stopped by a stateless rule or has no route. */
  readonly blocked: boolean;
  /** The checks, in rule order. */
  readonly checks: readonly StateCheck[];
  /** Marks to add when the action goes through. */
  readonly marks: readonly StateMark[];
}

/**
 * The outcome of one check: whether it passed, and the value it saw (the count, rate or sum the
 * action would make; for `has`/`none`, whether a prior action was found).
 *
 * @example
 * ```ts
 * import type { StateResult } from "@mirage/core";
 * const r: StateResult = { passed: false, actual: 6 };
 * ```
 */
export interface StateResult {
  /** Did the check pass? */
  readonly passed: boolean;
  /** What the store saw. */
  readonly actual: number | boolean;
}

/**
 * A store of state-operator state. `apply` must be atomic: it evaluates every check, and if the
 * action goes through (not `blocked` and no failing check with `block: true`) it applies every
 * update and mark — all of it or none of it, as one step with respect to other callers.
 *
 * @example
 * ```ts
 * import { MemoryStateStore } from "@mirage/core";
 * const store = new MemoryStateStore();
 * const [r] = await store.apply({ now: 0, blocked: false, marks: [], checks: [{ kind: "count", key: "k", limit: 1, block: true }] });
 * console.log(r?.passed); // true
 * ```
 */
export interface StateStore {
  /** Checks, and when the action goes through, updates; atomically. */
  apply(tx: StateTransaction): Promise<StateResult[]>;
  /** Releases connections, if any. */
  close(): Promise<void>;
}
