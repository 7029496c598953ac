/**
 * The state behind the state operators, behind one small interface: a store receives everything
 * one action needs (checks and records) in a single call and applies it atomically, so that a
 * shared store (Redis, with one script) can replace the in-memory one without touching the
 * evaluator.
 *
 * @module
 */

/**
 * How long a key of a run or a field value is kept with no action touching it: 24 hours.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_IDLE_TTL_MS } from "@mirage/core";
 * assert.equal(DEFAULT_IDLE_TTL_MS, 24 * 3_600_000);
 * ```
 */
export const DEFAULT_IDLE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * One check of a state operator. Keys are opaque strings built by the evaluator; `global` marks
 * a `per: global` key, which is kept however long it is idle (there is one per rule, so it
 * cannot grow without bound), where a key per run or per field value expires after the store's
 * idle TTL.
 *
 * - `count`: passes when `count + 1 <= limit`; going through adds 1.
 * - `rate`: passes when the hits in `(now - windowMs, now]` plus 1 are `<= limit`; going through adds a hit at `now`.
 * - `sum`: passes when `sum + amount <= limit`; going through adds `amount`.
 * - `has`: passes when `member` was marked under `key` (`requires_prior`).
 * - `none`: passes when nothing was marked under `key` (`forbids_prior`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, type StateCheck } from "@mirage/core";
 * const store = new MemoryStateStore();
 * const c: StateCheck = { kind: "rate", key: "r1|run:a", limit: 2, windowMs: 60_000, block: true };
 * const at = async (now: number) =>
 *   (await store.apply({ now, blocked: false, checks: [c], marks: [] }))[0]?.passed;
 * assert.deepEqual([await at(0), await at(1_000), await at(2_000)], [true, true, false]);
 * assert.equal(await at(60_000), true); // the hit at 0 has left the window (now - 60 s, now]
 * ```
 */
export type StateCheck =
  & { readonly key: string; readonly block: boolean; readonly global?: boolean }
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
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, type StateMark } from "@mirage/core";
 * const store = new MemoryStateStore();
 * const m: StateMark = { key: "bid_needs_quote|prior|run:a", member: "S-1" };
 * const has = { kind: "has", key: m.key, member: "S-1", block: true } as const;
 * const asked = { now: 0, blocked: false, checks: [has], marks: [] };
 * assert.deepEqual(await store.apply(asked), [{ passed: false, actual: false }]);
 * await store.apply({ now: 0, blocked: false, checks: [], marks: [m] });
 * assert.deepEqual(await store.apply(asked), [{ passed: true, actual: true }]);
 * ```
 */
export interface StateMark {
  /** Where to mark. */
  readonly key: string;
  /** What to mark. */
  readonly member: string;
  /** A `per: global` key: kept however long it is idle. */
  readonly global?: boolean;
}

/**
 * Everything one action asks of the store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, type StateTransaction } from "@mirage/core";
 * const store = new MemoryStateStore();
 * const spend = (amount: number, blocked = false): StateTransaction => ({
 *   now: 0,
 *   blocked,
 *   checks: [{ kind: "sum", key: "budget", limit: 100, amount, block: true }],
 *   marks: [],
 * });
 * assert.equal((await store.apply(spend(60, true)))[0]?.passed, true); // blocked: nothing added
 * assert.equal((await store.apply(spend(60)))[0]?.passed, true);
 * assert.deepEqual(await store.apply(spend(60)), [{ passed: false, actual: 120 }]);
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
  /**
   * True when `now` is a reading of `Date.now()` taken for this transaction: a store that keeps
   * its own time with `Date.now` may take it as its reading instead of reading the clock again.
   */
  readonly wallClock?: boolean;
}

/**
 * The outcome of one check: whether it passed, and the value it saw (the count, rate or sum the
 * action would make; for `has`/`none`, whether a prior action was found).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, type StateResult } from "@mirage/core";
 * const store = new MemoryStateStore();
 * const check = { kind: "count", key: "k", limit: 1, block: true } as const;
 * const tx = { now: 0, blocked: false, checks: [check], marks: [] };
 * const [first] = await store.apply(tx);
 * const [second]: StateResult[] = await store.apply(tx);
 * assert.deepEqual(first, { passed: true, actual: 1 });
 * assert.deepEqual(second, { passed: false, actual: 2 }); // the count the action would make
 * ```
 */
export interface StateResult {
  /** Did the check pass? */
  readonly passed: boolean;
  /** What the store saw. */
  readonly actual: number | boolean;
}

/**
 * How a store is doing, for health and metrics.
 *
 * - `ready`: calls are answered.
 * - `connecting`: not connected yet; calls wait for the connection, within their time bound.
 * - `reconnecting`: the connection was lost; calls fail at once until it is back.
 * - `error`: connected, but the last call failed (a timeout, a server error).
 * - `closed`: released; calls fail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, type StoreStatus } from "@mirage/core";
 * const s: StoreStatus = new MemoryStateStore().status();
 * assert.deepEqual(s, { store: "memory", status: "ready", errors: 0 });
 * ```
 */
export interface StoreStatus {
  /** The kind of store: `memory`, `redis`, or a custom store's name. */
  readonly store: string;
  /** Whether calls are answered now. */
  readonly status: "ready" | "connecting" | "reconnecting" | "error" | "closed";
  /** Where the state lives, with any password redacted. */
  readonly location?: string;
  /** The last failure, with any password redacted. */
  readonly error?: string;
  /** Calls that failed or timed out since the store was made. */
  readonly errors: number;
}

/**
 * A store of state-operator state. `apply` must be atomic: it evaluates every check, and if the
 * action goes through (not `blocked` and no failing check with `block: true`) it applies every
 * update and mark — all of it or none of it, as one step with respect to other callers. Every
 * key an action reads or writes has its idle expiry pushed back, whether or not the action goes
 * through; rate entries expire with their window.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, type StateStore } from "@mirage/core";
 * const store: StateStore = new MemoryStateStore();
 * const tx = {
 *   now: 0,
 *   blocked: false,
 *   marks: [],
 *   checks: [
 *     { kind: "count", key: "soft", limit: 0, block: false } as const,
 *     { kind: "count", key: "hard", limit: 1, block: true } as const,
 *   ],
 * };
 * // A failing check that does not block (a flag rule) lets the action through: all updates apply.
 * assert.deepEqual((await store.apply(tx)).map((r) => r.passed), [false, true]);
 * // A failing blocking check stops it: no update applies, not even the other check's.
 * assert.deepEqual((await store.apply(tx)).map((r) => r.actual), [2, 2]);
 * assert.deepEqual((await store.apply(tx)).map((r) => r.actual), [2, 2]);
 * await store.close();
 * ```
 */
export interface StateStore {
  /** Checks, and when the action goes through, updates; atomically. */
  apply(tx: StateTransaction): Promise<StateResult[]>;
  /**
   * The same as {@link StateStore.apply}, answered at once: for a store whose state lives in
   * this process. The evaluator uses it when it is there, so that a decision on the memory store
   * does not wait a turn for a promise; a shared store (Redis) has none.
   */
  applySync?(tx: StateTransaction): StateResult[];
  /** Releases connections, if any. */
  close(): Promise<void>;
  /** How the store is doing; a store without it counts as always `ready`. */
  status?(): StoreStatus;
}

/**
 * The status of any store: its own, or `ready` for a store that does not report one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, type StateStore, storeStatus } from "@mirage/core";
 * assert.equal(storeStatus(new MemoryStateStore()).status, "ready");
 * const custom: StateStore = { apply: () => Promise.resolve([]), close: () => Promise.resolve() };
 * assert.deepEqual(storeStatus(custom), { store: "custom", status: "ready", errors: 0 });

 * ```
 */
export function storeStatus(store: StateStore): StoreStatus {
  return store.status?.() ?? { store: "custom", status: "ready", errors: 0 };
}
