/**
 * A map whose entries carry a deadline: an entry past it reads as absent, and each new entry
 * pays for looking at two old ones, dropping those that expired, so that the ones nobody reads
 * again go away too. A long-lived process forgets finished runs without ever pausing to scan
 * everything, and a map that only updates existing entries pays nothing.
 *
 * @module
 */

/** Old entries looked at per new entry: more than one, so that sweeping outpaces growth. */
const SWEEP_PER_NEW_ENTRY = 2;

interface Entry<V> {
  value: V;
  until: number;
}

/**
 * Entries with deadlines in the owner's clock (milliseconds; `Infinity` keeps an entry).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpiringMap } from "./expiring_map.ts";
 * const m = new ExpiringMap<number>();
 * m.set("a", 1, 100, 0);
 * m.set("kept", 2, Infinity, 0);
 * assert.equal(m.get("a", 99), 1);
 * assert.equal(m.touch("a", 99, 200), 1); // its deadline moves to 200
 * assert.equal(m.get("a", 150), 1);
 * assert.equal(m.get("a", 200), undefined); // expired, and dropped
 * assert.equal(m.size, 1);
 * assert.equal(m.get("kept", Number.MAX_SAFE_INTEGER), 2);

 * ```
 */
export class ExpiringMap<V> {
  readonly #entries = new Map<string, Entry<V>>();
  #cursor: Iterator<[string, Entry<V>]> | undefined;

  /** Entries held, expired ones included until they are read or swept. */
  get size(): number {
    return this.#entries.size;
  }

  /** The live value under `key` at `now`; an expired entry is dropped. */
  get(key: string, now: number): V | undefined {
    return this.#live(key, now)?.value;
  }

  /** Like {@link get}, and a live entry's deadline moves to `until`. */
  touch(key: string, now: number, until: number): V | undefined {
    const entry = this.#live(key, now);
    if (entry === undefined) return undefined;
    entry.until = until;
    return entry.value;
  }

  #live(key: string, now: number): Entry<V> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.until > now) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  /** Sets the value and its deadline; a new entry first sweeps a little at `now`. */
  set(key: string, value: V, until: number, now: number): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      entry.until = until;
      return;
    }
    this.#sweep(now);
    this.#entries.set(key, { value, until });
  }

  /** Looks at the next few entries, dropping the expired ones; wraps around at the end. */
  #sweep(now: number): void {
    if (this.#entries.size === 0) return;
    this.#cursor ??= this.#entries.entries();
    for (let i = 0; i < SWEEP_PER_NEW_ENTRY; i++) {
      const next = this.#cursor.next();
      if (next.done) {
        this.#cursor = undefined;
        return;
      }
      const [key, entry] = next.value;
      if (entry.until <= now) this.#entries.delete(key);
    }
  }
}
