/**
 * HTTP on one accepted connection, with the runtime's own server (hyper, the one `Deno.serve`
 * runs). `Deno.serve` owns its listener and says nothing about connections, so a server that
 * must close idle ones or survive running out of descriptors accepts them itself
 * (`http_listener.ts`) and hands each one here. Deno 2.9.6 has no public API for this: the
 * runtime's `serveHttpOnConnection` is reached through `Deno[Deno.internal]`, the same function
 * its `node:http` server uses. The legacy `Deno.serveHttp` would do the job with a public API
 * but at more than twice the CPU per request (docs/operations.md#the-listener).
 *
 * @module
 */

import { MirageError } from "../errors.ts";

/**
 * The runtime's server on one connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConnectionServer, serveConnection } from "./serve_connection.ts";
 * const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
 * const client = await Deno.connect({ port: listener.addr.port, hostname: "127.0.0.1" });
 * const server: ConnectionServer = serveConnection(
 *   await listener.accept(),
 *   new AbortController().signal,
 *   () => new Response("ok"),
 *   () => new Response(null, { status: 500 }),
 * );
 * await server.shutdown(); // nothing in flight: the connection closes now
 * await server.finished;
 * assert.equal(await client.read(new Uint8Array(1)), null);
 * client.close();
 * listener.close();
 * ```
 */
export interface ConnectionServer {
  /** Settles when the connection is closed. */
  readonly finished: Promise<void>;
  /**
   * Graceful: a connection with no request in flight closes now (whether or not part of a
   * head has arrived); one with a request in flight closes once that answer is sent.
   */
  shutdown(): Promise<void>;
}

/** What the runtime calls with each request, as `Deno.serve` does. */
type Handler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

type ServeOnConnection = (
  conn: Deno.Conn,
  /** Aborting it drops the connection at once, mid-answer if need be. */
  signal: AbortSignal,
  handler: Handler,
  onError: (error: unknown) => Response | Promise<Response>,
  onListen: (scheme: string) => void,
) => ConnectionServer;

function runtimeBinding(): ServeOnConnection | undefined {
  const runtime = Deno as unknown as Record<PropertyKey, unknown>;
  const key = runtime.internal;
  const internals = typeof key === "symbol"
    ? runtime[key] as Record<string, unknown> | undefined
    : undefined;
  const fn = internals?.serveHttpOnConnection;
  return typeof fn === "function" ? fn as ServeOnConnection : undefined;
}

const binding: ServeOnConnection | undefined = runtimeBinding();

/**
 * True when this runtime can serve accepted connections (checked by the test suite).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canServeConnections } from "./serve_connection.ts";
 * assert.equal(canServeConnections(), true); // on the Deno Mirage pins
 * ```
 */
export function canServeConnections(): boolean {
  return binding !== undefined;
}

function noop(): void {}

/**
 * Serves HTTP on one accepted TCP connection. Throws a {@link MirageError} `runtime_unsupported`
 * when the runtime lacks the binding (another Deno version than the one Mirage pins).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveConnection } from "./serve_connection.ts";
 * const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
 * const answered = fetch(`http://127.0.0.1:${listener.addr.port}/`);
 * const server = serveConnection(
 *   await listener.accept(),
 *   new AbortController().signal,
 *   () => new Response("ok"),
 *   () => new Response(null, { status: 500 }),
 * );
 * assert.equal(await (await answered).text(), "ok");
 * await server.shutdown();
 * await server.finished;
 * listener.close();
 * ```
 */
export function serveConnection(
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: Handler,
  onError: (error: unknown) => Response | Promise<Response>,
): ConnectionServer {
  if (!binding) {
    throw new MirageError(
      "runtime_unsupported",
      `Deno ${Deno.version.deno} has no serveHttpOnConnection: run Mirage on the Deno it pins`,
    );
  }
  return binding(conn, signal, handler, onError, noop);
}
