/**
 * The ids of calls Mirage refused, per session: the server never saw those requests, so a
 * client's `notifications/cancelled` for one of them is dropped instead of passed on (a server
 * told to cancel a request it does not know may log an error, or worse, match another one).
 *
 * @module
 */

import { idKey } from "./jsonrpc.ts";

/**
 * Refused request ids by session, least recently refused forgotten first past the bound.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RefusedCalls } from "./refused_calls.ts";
 * const refused = new RefusedCalls();
 * refused.add("s1", 7);
 * assert.equal(refused.take("s1", 7), true);
 * assert.equal(refused.take("s1", 7), false); // taken once
 * assert.equal(refused.take("s2", 7), false); // another session
 * ```
 */
export class RefusedCalls {
  readonly #keys = new Set<string>();
  readonly #limit: number;

  /** Remembers at most `limit` ids (default 4096). */
  constructor(limit = 4096) {
    this.#limit = limit;
  }

  /** Remembers a refused id of a session (`""` where there are no sessions: stdio). */
  add(session: string, id: unknown): void {
    const key = `${session}\u0000${idKey(id)}`;
    this.#keys.delete(key);
    this.#keys.add(key);
    while (this.#keys.size > this.#limit) {
      this.#keys.delete(this.#keys.values().next().value as string);
    }
  }

  /** True (once) when the id was refused in the session. */
  take(session: string, id: unknown): boolean {
    return this.#keys.delete(`${session}\u0000${idKey(id)}`);
  }
}
