/**
 * The in-process state store: atomic because `apply` does all its work synchronously
 * before it resolves (and `applySync` answers at once). Keys of runs and field values expire when idle, so that a long-lived
 * gateway forgets finished runs and its memory stays bounded.
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import { ExpiringMap } from "./expiring_map.ts";
import {
  DEFAULT_IDLE_TTL_MS,
  type StateCheck,
  type StateMark,
  type StateResult,
  type StateStore,
  type StateTransaction,
  type StoreStatus,
} from "./state_store.ts";

/**
 * Options of {@link MemoryStateStore}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, type MemoryStoreOptions } from "@mirage/core";
 * let t = 0;
 * const o: MemoryStoreOptions = { idleTtlMs: 1000, clock: () => t };
 * const store = new MemoryStateStore(o);
 * const count = { kind: "count", key: "k", limit: 5, block: true } as const;
 * const tx = { now: 0, blocked: false, checks: [count], marks: [] };
 * await store.apply(tx);
 * t = 999;
 * assert.equal((await store.apply(tx))[0]?.actual, 2); // touched: kept another 1000 ms
 * t = 2000;
 * assert.equal((await store.apply(tx))[0]?.actual, 1); // idle for 1001 ms: forgotten
 * ```
 */
export interface MemoryStoreOptions {
  /** Forget a key of a run or a field value after this long untouched; default 24 h. */
  readonly idleTtlMs?: number;
  /** The clock of expiry, in milliseconds; default `Date.now`. Rate windows use the action's `now`. */
  readonly clock?: () => number;
}

/**
 * Checks that an idle TTL is a positive number of milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MirageError } from "../errors.ts";
 * import { checkIdleTtl } from "./memory_store.ts";
 * assert.equal(checkIdleTtl(1000), 1000);
 * for (const bad of [0, -1, NaN, Infinity]) {
 *   assert.throws(
 *     () => checkIdleTtl(bad),
 *     (e) => e instanceof MirageError && e.code === "invalid_option",
 *   );
 * }
 * ```
 */
export function checkIdleTtl(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new MirageError("invalid_option", `idle TTL must be a positive number of ms, got ${ms}`);
  }
  return ms;
}

/**
 * State in this process's memory: the default store, and the one CI runs use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore, session } from "@mirage/core";
 * const store = new MemoryStateStore({ idleTtlMs: 60 * 60 * 1000 });
 * await using mirage = await session({
 *   runId: "r",
 *   policies: {
 *     policies: [{ name: "one", tool: "lookup", operator: "count_lte", value: 1, message: "1" }],
 *   },
 *   mocks: { mocks: [] },
 *   store,
 *   traces: false,
 * });
 * const lookup = async () => (await mirage.decideTool({ tool: "lookup", args: {} })).outcome;
 * assert.equal(await lookup(), "allowed");
 * assert.equal(await lookup(), "policy_violation");
 * assert.equal(store.size, 1); // one count, for run `r`

 * ```
 */
export class MemoryStateStore implements StateStore {
  readonly #counts = new ExpiringMap<number>();
  readonly #sums = new ExpiringMap<number>();
  readonly #hits = new ExpiringMap<number[]>();
  readonly #marks = new ExpiringMap<Set<string>>();
  readonly #idleTtlMs: number;
  readonly #clock: () => number;
  /** The clock is `Date.now`: a transaction's wall-clock reading is as good as our own. */
  readonly #wallClock: boolean;

  /** A store with nothing in it. */
  constructor(options: MemoryStoreOptions = {}) {
    this.#idleTtlMs = checkIdleTtl(options.idleTtlMs ?? DEFAULT_IDLE_TTL_MS);
    this.#clock = options.clock ?? Date.now;
    this.#wallClock = this.#clock === Date.now;
  }

  /** Keys held now, expired ones included until they are read or swept. */
  get size(): number {
    return this.#counts.size + this.#sums.size + this.#hits.size + this.#marks.size;
  }

  /** Checks, and when the action goes through, updates. */
  apply(tx: StateTransaction): Promise<StateResult[]> {
    return Promise.resolve(this.applySync(tx));
  }

  /** {@link MemoryStateStore.apply}, answered at once: every step is synchronous anyway. */
  applySync(tx: StateTransaction): StateResult[] {
    // A second reading of the clock costs as much as a rule; the decision's own is a moment old.
    const now = tx.wallClock && this.#wallClock ? tx.now : this.#clock();
    const { checks } = tx;
    const results: StateResult[] = new Array(checks.length);
    let stopped = tx.blocked;
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i] as StateCheck;
      const r = this.#check(c, tx.now, now);
      results[i] = r;
      if (c.block && !r.passed) stopped = true;
    }
    if (!stopped) {
      for (const c of checks) this.#update(c, tx.now, now);
      for (const m of tx.marks) this.#mark(m, now);
    }
    return results;
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Always ready. */
  status(): StoreStatus {
    return { store: "memory", status: "ready", errors: 0 };
  }

  #idleUntil(global: boolean | undefined, now: number): number {
    return global ? Infinity : now + this.#idleTtlMs;
  }

  #check(c: StateCheck, at: number, now: number): StateResult {
    const until = this.#idleUntil(c.global, now);
    switch (c.kind) {
      case "count": {
        const next = (this.#counts.touch(c.key, now, until) ?? 0) + 1;
        return { passed: next <= c.limit, actual: next };
      }
      case "rate": {
        const next = this.#live(c.key, at, now, c.windowMs) + 1;
        return { passed: next <= c.limit, actual: next };
      }
      case "sum": {
        const next = (this.#sums.touch(c.key, now, until) ?? 0) + c.amount;
        return { passed: next <= c.limit, actual: next };
      }
      case "has": {
        const found = this.#marks.touch(c.key, now, until)?.has(c.member) ?? false;
        return { passed: found, actual: found };
      }
      case "none": {
        const found = (this.#marks.touch(c.key, now, until)?.size ?? 0) > 0;
        return { passed: !found, actual: found };
      }
    }
  }

  #update(c: StateCheck, at: number, now: number): void {
    const until = this.#idleUntil(c.global, now);
    if (c.kind === "count") {
      this.#counts.set(c.key, (this.#counts.get(c.key, now) ?? 0) + 1, until, now);
    }
    if (c.kind === "sum") {
      this.#sums.set(c.key, (this.#sums.get(c.key, now) ?? 0) + c.amount, until, now);
    }
    if (c.kind === "rate") {
      const hits = this.#hits.get(c.key, now) ?? [];
      hits.push(at);
      this.#hits.set(c.key, hits, now + c.windowMs, now);
    }
  }

  /** Hits still inside the window; older ones are dropped so memory stays bounded. */
  #live(key: string, at: number, now: number, windowMs: number): number {
    const hits = this.#hits.get(key, now);
    if (hits === undefined) return 0;
    let drop = 0;
    while (drop < hits.length && (hits[drop] as number) <= at - windowMs) drop++;
    if (drop > 0) hits.splice(0, drop);
    return hits.length;
  }

  #mark(m: StateMark, now: number): void {
    const set = this.#marks.get(m.key, now) ?? new Set<string>();
    set.add(m.member);
    this.#marks.set(m.key, set, this.#idleUntil(m.global, now), now);
  }
}
