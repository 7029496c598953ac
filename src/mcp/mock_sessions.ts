/**
 * The sessions `mirage mcp --mocks` issues over HTTP. Their ids are deterministic
 * (`mcp-session-1`, `-2`, … in the order clients initialize), because a session id can name the
 * run (docs/outcomes.md) and CI traces must stay byte-identical from one run to the next. Never use them
 * where a session id is a secret: the mocks server is for CI.
 *
 * @module
 */

/**
 * Open sessions, oldest ended first past the bound.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MockSessions } from "./mock_sessions.ts";
 * const sessions = new MockSessions();
 * const id = sessions.open();
 * assert.equal(id, "mcp-session-1");
 * assert.equal(sessions.has(id), true);
 * assert.equal(sessions.end(id), true);
 * assert.equal(sessions.has(id), false);
 * ```
 */
export class MockSessions {
  readonly #open = new Set<string>();
  readonly #limit: number;
  #issued = 0;

  /** At most `limit` sessions open at once (default 10,000). */
  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** Opens a session and returns its id. */
  open(): string {
    const id = `mcp-session-${++this.#issued}`;
    this.#open.add(id);
    while (this.#open.size > this.#limit) {
      this.#open.delete(this.#open.values().next().value as string);
    }
    return id;
  }

  /** Whether the session is open. */
  has(id: string): boolean {
    return this.#open.has(id);
  }

  /** Ends a session; false when it was not open. */
  end(id: string): boolean {
    return this.#open.delete(id);
  }
}
