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
 * import { DEFAULT_IDLE_TTL_MS } from "@mirage/core";
 * console.log(DEFAULT_IDLE_TTL_MS / 3_600_000); // 24
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
 * import type { StateCheck } from "@mirage/core";
 * const c: StateCheck = { kind: "rate", key: "r1|run:a", limit: 5, windowMs: 60_000, block: true };
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
 * import type { StateMark } from "@mirage/core";
 * const m: StateMark = { key: "bid_needs_quote|prior|run:a", member: '["S-1"]' };
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
 * import type { StoreStatus } from "@mirage/core";
 * const s: StoreStatus = { store: "redis", status: "reconnecting", location: "redis://127.0.0.1:6379/0", errors: 3 };
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
 * import { MemoryStateStore } from "@mirage/core";
 * const store = new MemoryStateStore();
 * const [r] = await store.apply({ now: 0, blocked: false, marks: [], checks: [{ kind: "count", key: "k", limit: 1, block: true }] });
 * console.log(r?.passed); // true
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
 * import { MemoryStateStore, storeStatus } from "@mirage/core";
 * console.log(storeStatus(new MemoryStateStore()).status); // ready
 * ```
 */
export function storeStatus(store: StateStore): StoreStatus {
  return store.status?.() ?? { store: "custom", status: "ready", errors: 0 };
}
