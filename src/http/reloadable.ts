/**
 * A value that can be reloaded: readers always see one complete value, and a reload either
 * swaps in a new one at once or, when loading fails, keeps the old one serving.
 *
 * @module
 */

/**
 * What a reload did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Reloadable, type ReloadResult } from "./reloadable.ts";
 * const holder = new Reloadable("v1", () => Promise.reject(new Error("bad file")));
 * const result: ReloadResult<string> = await holder.reload();
 * assert.equal(result.ok, false);
 * if (!result.ok) assert.equal((result.error as Error).message, "bad file");
 * assert.equal(holder.current, "v1"); // the old value keeps serving
 * ```
 */
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
 * import assert from "node:assert/strict";
 * import { Reloadable } from "./reloadable.ts";
 * const holder = new Reloadable(0, async (previous) => previous + 1);
 * const [first, second] = await Promise.all([holder.reload(), holder.reload()]);
 * assert.deepEqual([first, second], [{ ok: true, value: 1 }, { ok: true, value: 2 }]);
 * assert.equal(holder.current, 2);
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
