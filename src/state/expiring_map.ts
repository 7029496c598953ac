/**
 * A map whose entries carry a deadline: an entry past it reads as absent, and a sweep that
 * advances a few entries per call removes the ones nobody reads again, so that a long-lived
 * process forgets finished runs without ever pausing to scan everything at once.
 *
 * @module
 */

interface Entry<V> {
  value: V;
  until: number;
}

/**
 * Entries with deadlines in the owner's clock (milliseconds; `Infinity` keeps an entry).
 *
 * @example
 * ```ts
 * import { ExpiringMap } from "./expiring_map.ts";
 * const m = new ExpiringMap<number>();
 * m.set("a", 1, 100);
 * console.log(m.get("a", 99), m.get("a", 100)); // 1 undefined
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
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Like {@link get}, and a live entry's deadline moves to `until`. */
  touch(key: string, now: number, until: number): V | undefined {
    const value = this.get(key, now);
    if (value !== undefined) (this.#entries.get(key) as Entry<V>).until = until;
    return value;
  }

  /** Sets the value and its deadline. */
  set(key: string, value: V, until: number): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) this.#entries.set(key, { value, until });
    else {
      entry.value = value;
      entry.until = until;
    }
  }

  /** Looks at up to `budget` more entries, dropping the expired ones; wraps around at the end. */
  sweep(now: number, budget: number): void {
    if (this.#entries.size === 0) return;
    this.#cursor ??= this.#entries.entries();
    for (let i = 0; i < budget; i++) {
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
