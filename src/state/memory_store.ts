/**
 * The in-process state store: atomic because `apply` does all its work synchronously
 * before it resolves.
 *
 * @module
 */

import type { StateCheck, StateResult, StateStore, StateTransaction } from "./state_store.ts";

/**
 * State in this process's memory: the default store, and the one CI runs use.
 *
 * @example
 * ```ts
 * import { MemoryStateStore, session } from "@mirage/core";
 * await using mirage = await session({
 *   runId: "r",
 *   policies: { policies: [] },
 *   mocks: { mocks: [] },
 *   store: new MemoryStateStore(),
 * });
 * ```
 */
export class MemoryStateStore implements StateStore {
  readonly #numbers = new Map<string, number>();
  readonly #hits = new Map<string, number[]>();
  readonly #marks = new Map<string, Set<string>>();

  /** Checks, and when the action goes through, updates. */
  apply(tx: StateTransaction): Promise<StateResult[]> {
    const results = tx.checks.map((c) => this.#check(c, tx.now));
    const stopped = tx.blocked || tx.checks.some((c, i) => c.block && !results[i]?.passed);
    if (!stopped) {
      tx.checks.forEach((c) => this.#update(c, tx.now));
      for (const m of tx.marks) this.#markSet(m.key).add(m.member);
    }
    return Promise.resolve(results);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  #check(c: StateCheck, now: number): StateResult {
    switch (c.kind) {
      case "count": {
        const next = (this.#numbers.get(c.key) ?? 0) + 1;
        return { passed: next <= c.limit, actual: next };
      }
      case "rate": {
        const next = this.#live(c.key, now, c.windowMs).length + 1;
        return { passed: next <= c.limit, actual: next };
      }
      case "sum": {
        const next = (this.#numbers.get(c.key) ?? 0) + c.amount;
        return { passed: next <= c.limit, actual: next };
      }
      case "has": {
        const found = this.#marks.get(c.key)?.has(c.member) ?? false;
        return { passed: found, actual: found };
      }
      case "none": {
        const found = (this.#marks.get(c.key)?.size ?? 0) > 0;
        return { passed: !found, actual: found };
      }
    }
  }

  #update(c: StateCheck, now: number): void {
    if (c.kind === "count") this.#numbers.set(c.key, (this.#numbers.get(c.key) ?? 0) + 1);
    if (c.kind === "sum") this.#numbers.set(c.key, (this.#numbers.get(c.key) ?? 0) + c.amount);
    if (c.kind === "rate") this.#live(c.key, now, c.windowMs).push(now);
  }

  /** The hits still inside the window; older ones are dropped so memory stays bounded. */
  #live(key: string, now: number, windowMs: number): number[] {
    const hits = this.#hits.get(key) ?? [];
    let drop = 0;
    while (drop < hits.length && (hits[drop] as number) <= now - windowMs) drop++;
    const live = drop > 0 ? hits.slice(drop) : hits;
    this.#hits.set(key, live);
    return live;
  }

  #markSet(key: string): Set<string> {
    let set = this.#marks.get(key);
    if (!set) this.#marks.set(key, set = new Set());
    return set;
  }
}
