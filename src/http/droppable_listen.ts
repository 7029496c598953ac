/**
 * A server whose handler can drop its request's connection without answering — what a declared
 * `reset` or `timeout` fault does in `mirage proxy --chaos` (docs/chaos.md). `Deno.serve` always
 * answers something (a handler that throws gets a 500), so this server owns the TCP connections:
 * it accepts them itself and pipes each to a `Deno.serve` on an internal loopback port, which
 * tells the handler whose connection a request came on. Only a chaos run pays for the extra hop.
 *
 * @module
 */

import { errorMessage, MirageError } from "../errors.ts";
import type { Listening, ListenOptions } from "./serve.ts";

/**
 * The connection a request came on.
 *
 * @example
 * ```ts
 * import type { Connection } from "./droppable_listen.ts";
 * const hangUp = (c: Connection) => c.drop();
 * ```
 */
export interface Connection {
  /** Closes the client's connection now: it gets no answer, as when a peer resets. */
  drop(): void;
}

/** A handler that is told the connection of each request. */
export type DroppableHandler = (
  request: Request,
  connection: Connection,
) => Response | Promise<Response>;

interface Pipe {
  readonly drop: () => void;
}

/** Copies both ways until either side ends, then closes both; never throws. */
function pipe(client: Deno.Conn, inner: Deno.Conn, done: () => void): Pipe {
  let open = true;
  const drop = () => {
    if (!open) return;
    open = false;
    for (const conn of [client, inner]) {
      try {
        conn.close();
      } catch {
        // Already closed by the other direction's end.
      }
    }
    done();
  };
  Promise.allSettled([
    client.readable.pipeTo(inner.writable),
    inner.readable.pipeTo(client.writable),
  ]).then(drop);
  return { drop };
}

class DroppableServer implements Listening {
  readonly port: number;
  readonly hostname: string;
  readonly #outer: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  readonly #inner: Deno.HttpServer<Deno.NetAddr>;
  /** Open connections, by the local port of their inner side (the inner server's view). */
  readonly #pipes = new Map<number, Pipe>();
  readonly #accepting: Promise<void>;

  constructor(handler: DroppableHandler, options: ListenOptions) {
    this.#inner = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      (request, info) => handler(request, this.#connection(info.remoteAddr.port)),
    );
    try {
      this.#outer = Deno.listen({ port: options.port, hostname: options.hostname });
    } catch (e) {
      void this.#inner.shutdown();
      throw e;
    }
    this.port = this.#outer.addr.port;
    this.hostname = this.#outer.addr.hostname;
    this.#accepting = this.#accept();
  }

  #connection(port: number): Connection {
    return { drop: () => this.#pipes.get(port)?.drop() };
  }

  async #accept(): Promise<void> {
    try {
      for await (const client of this.#outer) await this.#join(client);
    } catch (e) {
      // The listener was closed: shutdown has begun.
      if (!(e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted)) throw e;
    }
  }

  async #join(client: Deno.TcpConn): Promise<void> {
    let inner: Deno.TcpConn;
    try {
      inner = await Deno.connect({ port: this.#inner.addr.port, hostname: "127.0.0.1" });
    } catch {
      client.close();
      return;
    }
    const port = inner.localAddr.port;
    this.#pipes.set(port, pipe(client, inner, () => this.#pipes.delete(port)));
  }

  async shutdown(): Promise<void> {
    this.#outer.close();
    await this.#accepting;
    await this.#inner.shutdown();
    for (const p of [...this.#pipes.values()]) p.drop();
  }
}

/**
 * Starts a server whose handler may drop connections. Fails with {@link MirageError}
 * `listen_failed` when the port cannot be bound.
 *
 * @example
 * ```ts
 * import { listenDroppable } from "./droppable_listen.ts";
 * const server = listenDroppable((request, connection) => {
 *   if (new URL(request.url).pathname === "/drop") connection.drop();
 *   return new Response("ok");
 * }, { port: 0, hostname: "127.0.0.1" });
 * const res = await fetch(`http://127.0.0.1:${server.port}/`);
 * console.log(await res.text()); // ok
 * await server.shutdown();
 * ```
 */
export function listenDroppable(handler: DroppableHandler, options: ListenOptions): Listening {
  try {
    return new DroppableServer(handler, options);
  } catch (e) {
    throw new MirageError(
      "listen_failed",
      `cannot listen on ${options.hostname}:${options.port}: ${errorMessage(e)}`,
      { cause: e },
    );
  }
}
