/**
 * Mirage's own TCP listener in front of the runtime's HTTP server: it accepts each connection
 * itself and hands it to the runtime (`serve_connection.ts`), so that it can do what
 * `Deno.serve` cannot —
 *
 * - close idle connections: one whose first request head is not complete within the head
 *   timeout, and one with no request in flight for the idle timeout after its last answer (which
 *   also bounds a slow head on a kept-alive connection); an answer still streaming is never cut;
 * - survive running out of file descriptors: a failed accept is counted, logged once per burst,
 *   and retried after a pause (10 ms, doubling to 1 s), as nginx does; the process keeps serving
 *   once descriptors are free again;
 * - count connections that ended before any request reached Mirage (a head the runtime refused
 *   with 400/431 ends this way, but so does a client that connects and leaves).
 *
 * One timer sweeps every connection a few times per timeout: a timer per connection or per
 * request would cost more than the sweep.
 *
 * @module
 */

import { errorMessage, MirageError } from "../errors.ts";
import { type CloseReason, ConnectionCounters } from "./connection_counters.ts";
import { canServeConnections, type ConnectionServer, serveConnection } from "./serve_connection.ts";

/**
 * One client connection, as a handler sees it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ClientConnection, HttpListener } from "./http_listener.ts";
 * // Sends a first chunk, then drops the connection instead of ending the body.
 * const cut = (connection: ClientConnection) => {
 *   let pulls = 0;
 *   return new Response(
 *     new ReadableStream({
 *       pull(c) {
 *         if (pulls++ === 0) c.enqueue(new TextEncoder().encode("partial"));
 *         else connection.abort();
 *       },
 *     }),
 *   );
 * };
 * const listener = new HttpListener((_req, _info, connection) => cut(connection), {
 *   port: 0,
 *   hostname: "127.0.0.1",
 * });
 * const res = await fetch(`http://127.0.0.1:${listener.port}/`);
 * await assert.rejects(res.text());
 * await listener.shutdown();
 * ```
 */
export interface ClientConnection {
  /**
   * Drops the connection now, mid-answer if need be: the client sees its answer cut short
   * instead of a clean end (an upstream failed while its body streamed). A bound function: it
   * can be passed on as is.
   */
  readonly abort: () => void;
}

/**
 * A request handler that also gets the connection the request came on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConnectionHandler, HttpListener } from "./http_listener.ts";
 * const handler: ConnectionHandler = (_request, info) => new Response(info.remoteAddr.hostname);
 * const listener = new HttpListener(handler, { port: 0, hostname: "127.0.0.1" });
 * const res = await fetch(`http://127.0.0.1:${listener.port}/`);
 * assert.equal(await res.text(), "127.0.0.1");
 * await listener.shutdown();
 * ```
 */
export type ConnectionHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  connection: ClientConnection,
) => Response | Promise<Response>;

/**
 * Options of {@link HttpListener}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpListener, type HttpListenerOptions } from "./http_listener.ts";
 * const o: HttpListenerOptions = {
 *   port: 0,
 *   hostname: "127.0.0.1",
 *   onError: () => new Response("sorry", { status: 503 }),
 * };
 * const listener = new HttpListener(() => {
 *   throw new Error("broken handler");
 * }, o);
 * const res = await fetch(`http://127.0.0.1:${listener.port}/`);
 * assert.equal(res.status, 503);
 * assert.equal(await res.text(), "sorry");
 * await listener.shutdown();
 * ```
 */
export interface HttpListenerOptions {
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind. */
  readonly hostname: string;
  /** Close a connection with no request in flight this long after its last answer; default 30 s. */
  readonly idleTimeoutMs?: number | undefined;
  /** Close a new connection whose first request head is not complete by then; default 10 s. */
  readonly headTimeoutMs?: number | undefined;
  /** Where the counts go; default counters of the listener's own. */
  readonly counters?: ConnectionCounters | undefined;
  /** Where accept failures are reported; default `console.error`. */
  readonly log?: ((line: string) => void) | undefined;
  /** The answer when a handler throws; default a plain 500. */
  readonly onError?: ((error: unknown) => Response | Promise<Response>) | undefined;
}

/**
 * Default idle timeout: above the keep-alive of common clients (undici 4 s, Node 5 s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_IDLE_TIMEOUT_MS } from "./http_listener.ts";
 * assert.equal(DEFAULT_IDLE_TIMEOUT_MS, 30_000);
 * ```
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/**
 * Default head timeout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HEAD_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "./http_listener.ts";
 * assert.ok(DEFAULT_HEAD_TIMEOUT_MS < DEFAULT_IDLE_TIMEOUT_MS);
 * ```
 */
export const DEFAULT_HEAD_TIMEOUT_MS = 10_000;

const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 1_000;

/** A connection being served, with what the sweep needs. */
class Served implements ClientConnection {
  requests = 0;
  inFlight = 0;
  /** When the connection last had nothing in flight (`performance.now()`). */
  idleSince = performance.now();
  closedBy: CloseReason | undefined;
  server: ConnectionServer | undefined;
  readonly #cut = new AbortController();

  get signal(): AbortSignal {
    return this.#cut.signal;
  }

  /** Bound once per connection: called when each answer has been sent. */
  readonly answered = (): void => {
    this.inFlight--;
    this.idleSince = performance.now();
  };

  readonly abort = (): void => {
    this.#cut.abort();
  };

  close(reason: CloseReason): void {
    this.closedBy = reason;
    this.server?.shutdown().catch(() => {});
  }
}

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const text = typeof code === "string" ? code : (e as { name?: unknown }).name;
  return String(text ?? "unknown").replace(/[^A-Za-z0-9_]/g, "_");
}

function defaultOnError(error: unknown): Response {
  console.error(`[mirage] error answering a request: ${errorMessage(error)}`);
  return new Response("Internal Server Error", { status: 500 });
}

/**
 * Accepts connections and serves HTTP on them until {@link HttpListener.shutdown}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpListener } from "./http_listener.ts";
 * const listener = new HttpListener(() => new Response("ok"), { port: 0, hostname: "127.0.0.1" });
 * assert.equal(await (await fetch(`http://127.0.0.1:${listener.port}/`)).text(), "ok");
 * await listener.shutdown();
 * assert.equal(listener.counters.open, 0);
 * ```
 */
export class HttpListener {
  /** The counts of this listener. */
  readonly counters: ConnectionCounters;
  readonly #listener: Deno.TcpListener;
  readonly #handler: ConnectionHandler;
  readonly #idleMs: number;
  readonly #headMs: number;
  readonly #log: (line: string) => void;
  readonly #onError: (error: unknown) => Response | Promise<Response>;
  readonly #open = new Set<Served>();
  readonly #sweeper: ReturnType<typeof setInterval>;
  readonly #accepting: Promise<void>;
  #closed = false;
  #wake: (() => void) | undefined;
  #shutdown: Promise<void> | undefined;

  /**
   * Binds and starts accepting; throws `listen_failed` when the port cannot be bound, and
   * `runtime_unsupported` on a Deno without the per-connection server.
   */
  constructor(handler: ConnectionHandler, options: HttpListenerOptions) {
    this.#handler = handler;
    this.#idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.#headMs = options.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS;
    this.counters = options.counters ?? new ConnectionCounters();
    this.#log = options.log ?? ((line) => console.error(line));
    this.#onError = options.onError ?? defaultOnError;
    if (!canServeConnections()) {
      throw new MirageError(
        "runtime_unsupported",
        `Deno ${Deno.version.deno} cannot serve accepted connections: run Mirage on the Deno it pins`,
      );
    }
    try {
      this.#listener = Deno.listen({ port: options.port, hostname: options.hostname });
    } catch (e) {
      throw new MirageError(
        "listen_failed",
        `cannot listen on ${options.hostname}:${options.port}: ${errorMessage(e)}`,
        { cause: e },
      );
    }
    const tick = Math.min(Math.max(Math.min(this.#idleMs, this.#headMs) / 4, 10), 1_000);
    this.#sweeper = setInterval(() => this.#sweep(), tick);
    this.#accepting = this.#acceptLoop();
  }

  /** The bound address. */
  get addr(): Deno.NetAddr {
    return this.#listener.addr;
  }

  /** The bound port. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /**
   * Stops accepting, closes idle connections, lets in-flight answers finish, and resolves when
   * every connection is closed; once.
   */
  shutdown(): Promise<void> {
    return this.#shutdown ??= this.#shutdownNow();
  }

  async #shutdownNow(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#listener.close();
    this.#wake?.();
    await this.#accepting;
    const open = [...this.#open];
    await Promise.all(open.map((c) => c.server?.shutdown().catch(() => {})));
    await Promise.all(open.map((c) => c.server?.finished.catch(() => {})));
  }

  async #acceptLoop(): Promise<void> {
    let pause = FIRST_PAUSE_MS;
    let failures = 0;
    while (!this.#closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        if (this.#closed) return;
        this.counters.acceptFailed(codeOf(e));
        if (failures++ === 0) {
          this.#log(`[mirage] cannot accept connections: ${errorMessage(e)}; retrying`);
        }
        await this.#pause(pause);
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
        continue;
      }
      if (failures > 0) {
        this.#log(`[mirage] accepting connections again (after ${failures} failed accepts)`);
        failures = 0;
        pause = FIRST_PAUSE_MS;
      }
      this.#serve(conn);
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #serve(conn: Deno.TcpConn): void {
    const c = new Served();
    const handler = this.#handler;
    const served = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
      c.requests++;
      c.inFlight++;
      info.completed.then(c.answered, c.answered);
      return handler(request, info, c);
    };
    try {
      c.server = serveConnection(conn, c.signal, served, this.#onError);
    } catch (e) {
      conn.close();
      this.#log(`[mirage] cannot serve a connection: ${errorMessage(e)}`);
      return;
    }
    this.#open.add(c);
    this.counters.opened();
    c.server.finished.catch(() => {}).finally(() => {
      this.#open.delete(c);
      this.counters.ended(c.requests, c.closedBy);
    });
  }

  #sweep(): void {
    const now = performance.now();
    for (const c of this.#open) {
      if (c.inFlight > 0 || c.closedBy) continue;
      const first = c.requests === 0;
      if (now - c.idleSince >= (first ? this.#headMs : this.#idleMs)) {
        c.close(first ? "head_timeout" : "idle_timeout");
      }
    }
  }
}
