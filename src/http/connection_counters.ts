/**
 * What a listener did with its connections, as Prometheus text: how many are open, how many it
 * closed and why, how many ended before a request reached Mirage, and how often accepting failed
 * (running out of file descriptors, typically).
 *
 * @module
 */

/**
 * Why the listener closed a connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CloseReason, ConnectionCounters } from "./connection_counters.ts";
 * const c = new ConnectionCounters();
 * const reason: CloseReason = "idle_timeout";
 * c.opened();
 * c.ended(1, reason);
 * assert.ok(c.render().includes('mirage_connections_closed_total{reason="idle_timeout"} 1'));
 * ```
 */
export type CloseReason = "idle_timeout" | "head_timeout";

/**
 * Counters one listener updates and a server's metrics render.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionCounters } from "./connection_counters.ts";
 * const c = new ConnectionCounters();
 * c.opened();
 * c.opened();
 * c.ended(0, undefined); // the client left before sending a request
 * c.acceptFailed("EMFILE");
 * assert.equal(c.open, 1);
 * assert.equal(c.acceptErrors("EMFILE"), 1);
 * assert.ok(c.render().includes("mirage_connections_without_request_total 1"));
 * ```
 */
export class ConnectionCounters {
  #open = 0;
  #accepted = 0;
  #withoutRequest = 0;
  readonly #closed = new Map<CloseReason, number>([["idle_timeout", 0], ["head_timeout", 0]]);
  readonly #acceptErrors = new Map<string, number>();

  /** Connections open now. */
  get open(): number {
    return this.#open;
  }

  /** A connection was accepted. */
  opened(): void {
    this.#open++;
    this.#accepted++;
  }

  /**
   * A connection ended after `requests` requests, closed by the listener for `reason` or by
   * the client (or the runtime) when `reason` is undefined.
   */
  ended(requests: number, reason: CloseReason | undefined): void {
    this.#open--;
    if (reason) this.#closed.set(reason, (this.#closed.get(reason) ?? 0) + 1);
    else if (requests === 0) this.#withoutRequest++;
  }

  /** Accepting failed with this error code (`EMFILE`, …). */
  acceptFailed(code: string): void {
    this.#acceptErrors.set(code, (this.#acceptErrors.get(code) ?? 0) + 1);
  }

  /** Times accepting failed with `code`. */
  acceptErrors(code: string): number {
    return this.#acceptErrors.get(code) ?? 0;
  }

  /** Exposition lines. */
  render(): string[] {
    const lines = [
      "# HELP mirage_connections_open Client connections open now.",
      "# TYPE mirage_connections_open gauge",
      `mirage_connections_open ${this.#open}`,
      "# HELP mirage_connections_accepted_total Client connections accepted.",
      "# TYPE mirage_connections_accepted_total counter",
      `mirage_connections_accepted_total ${this.#accepted}`,
      "# HELP mirage_connections_closed_total Connections Mirage closed: idle after an answer, or no complete request head in time.",
      "# TYPE mirage_connections_closed_total counter",
      ...[...this.#closed].map(([r, n]) => `mirage_connections_closed_total{reason="${r}"} ${n}`),
      "# HELP mirage_connections_without_request_total Connections that ended before a request reached Mirage: the client left, or the runtime refused its head (400/431; it does not say which).",
      "# TYPE mirage_connections_without_request_total counter",
      `mirage_connections_without_request_total ${this.#withoutRequest}`,
      "# HELP mirage_accept_errors_total Failed accepts, by error code; EMFILE: out of file descriptors (the listener pauses and retries).",
      "# TYPE mirage_accept_errors_total counter",
    ];
    for (const [code, n] of [...this.#acceptErrors].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`mirage_accept_errors_total{code="${code}"} ${n}`);
    }
    return lines;
  }
}
