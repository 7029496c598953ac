/**
 * Serving plumbing shared by the CI proxy and the gateway: listen on a port (0 = any free
 * one) with idle and head timeouts and report the bound port, wait for SIGINT / SIGTERM, and
 * shut down gracefully — stop accepting, let in-flight requests finish, then run the server's
 * own cleanup.
 *
 * @module
 */

import { type ConnectionHandler, HttpListener, type HttpListenerOptions } from "./http_listener.ts";

/**
 * Where to listen, when to close idle connections, where connection counts and accept failures
 * go: the listener's options.
 *
 * @example
 * ```ts
 * import type { ListenOptions } from "./serve.ts";
 * const o: ListenOptions = { port: 0, hostname: "127.0.0.1", headTimeoutMs: 5_000 };
 * ```
 */
export type ListenOptions = HttpListenerOptions;

/**
 * A listening server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listen, type Listening } from "./serve.ts";
 * const server: Listening = listen(() => new Response("ok"), { port: 0, hostname: "127.0.0.1" });
 * assert.equal(server.hostname, "127.0.0.1");
 * assert.notEqual(server.port, 0); // the port the system picked
 * await server.shutdown();
 * ```
 */
export interface Listening {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** The bound interface. */
  readonly hostname: string;
  /** Stops accepting and resolves when in-flight requests have been answered. */
  shutdown(): Promise<void>;
}

/**
 * Starts an HTTP server on Mirage's own listener (`http_listener.ts`: idle and head timeouts,
 * survives running out of descriptors). Fails with a `MirageError` `listen_failed` when
 * the port cannot be bound, so that a CLI can say why instead of crashing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listen } from "./serve.ts";
 * const server = listen((request) => new Response(new URL(request.url).pathname), {
 *   port: 0,
 *   hostname: "127.0.0.1",
 * });
 * const res = await fetch(`http://127.0.0.1:${server.port}/ping`);
 * assert.equal(await res.text(), "/ping");
 * await server.shutdown();
 * ```
 */
export function listen(handler: ConnectionHandler, options: ListenOptions): Listening {
  const listener = new HttpListener(handler, options);
  return {
    port: listener.port,
    hostname: listener.addr.hostname,
    shutdown: () => listener.shutdown(),
  };
}

/**
 * A client's IP address as a server reads it; a Unix socket peer counts as local.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientIp } from "./serve.ts";
 * assert.equal(clientIp({ transport: "tcp", hostname: "10.0.0.7", port: 51000 }), "10.0.0.7");
 * assert.equal(clientIp({ transport: "unix", path: "/run/mirage.sock" }), "127.0.0.1");
 * ```
 */
export function clientIp(addr: Deno.Addr): string {
  return addr.transport === "tcp" || addr.transport === "udp" ? addr.hostname : "127.0.0.1";
}

/** Signals that stop a server; SIGTERM does not exist on Windows. */
const STOP_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];

/**
 * Resolves with the first SIGINT or SIGTERM, then stops listening for them, so that a second
 * signal during shutdown gets the default behaviour (the process ends).
 *
 * @example
 * ```ts ignore
 * import { stopSignal } from "./serve.ts";
 * const signal = await stopSignal();
 * console.log(`stopping on ${signal}`);
 * ```
 */
export function stopSignal(): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    const handlers = STOP_SIGNALS.map((signal) => {
      const handler = () => {
        for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
        resolve(signal);
      };
      Deno.addSignalListener(signal, handler);
      return [signal, handler] as const;
    });
  });
}
