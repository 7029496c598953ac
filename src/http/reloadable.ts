/**
 * A value that can be reloaded: readers always see one complete value, and a reload either
 * swaps in a new one at once or, when loading fails, keeps the old one serving.
 *
 * @module
 */

/** What a reload did. */
export type ReloadResult<T> = { readonly ok: true; readonly value: T } | {
  readonly ok: false;
  readonly error: unknown;
};

/**
 * Holds the current value and reloads it with a loader that sees the previous one (to carry
 * over state such as a state store). Reloads run one at a time, in order.
 *
 * @example
 * ```ts
 * import { Reloadable } from "./reloadable.ts";
 * let n = 0;
 * const holder = new Reloadable(n, async () => ++n);
 * await holder.reload();
 * console.log(holder.current); // 1
 * ```
 */
export class Reloadable<T> {
  #current: T;
  readonly #load: (previous: T) => Promise<T>;
  #queue: Promise<unknown> = Promise.resolve();

  /** Starts with an already loaded value. */
  constructor(initial: T, load: (previous: T) => Promise<T>) {
    this.#current = initial;
    this.#load = load;
  }

  /** The value to serve with now. */
  get current(): T {
    return this.#current;
  }

  /** Loads a new value and swaps it in; on failure the current value stays. */
  reload(): Promise<ReloadResult<T>> {
    const next = this.#queue.then(() => this.#reloadNow());
    this.#queue = next;
    return next;
  }

  async #reloadNow(): Promise<ReloadResult<T>> {
    try {
      const value = await this.#load(this.#current);
      this.#current = value;
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error };
    }
  }
}
