/**
 * Serving plumbing shared by the CI proxy and the gateway: listen on a port (0 = any free
 * one) and report the bound port, wait for SIGINT / SIGTERM, and shut down gracefully — stop
 * accepting, let in-flight requests finish, then run the server's own cleanup.
 *
 * @module
 */

import { errorMessage, MirageError } from "../errors.ts";

/** Where to listen. */
export interface ListenOptions {
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind, e.g. `127.0.0.1`. */
  readonly hostname: string;
}

/** A listening server. */
export interface Listening {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** The bound interface. */
  readonly hostname: string;
  /** Stops accepting and resolves when in-flight requests have been answered. */
  shutdown(): Promise<void>;
}

/**
 * Starts an HTTP server. Fails with a {@link MirageError} `listen_failed` when the port cannot
 * be bound, so that a CLI can say why instead of crashing.
 *
 * @example
 * ```ts
 * import { listen } from "./serve.ts";
 * const server = listen(() => new Response("ok"), { port: 0, hostname: "127.0.0.1" });
 * console.log(server.port);
 * await server.shutdown();
 * ```
 */
export function listen(handler: Deno.ServeHandler, options: ListenOptions): Listening {
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ port: options.port, hostname: options.hostname, onListen() {} }, handler);
  } catch (e) {
    throw new MirageError(
      "listen_failed",
      `cannot listen on ${options.hostname}:${options.port}: ${errorMessage(e)}`,
      {
        cause: e,
      },
    );
  }
  return {
    port: server.addr.port,
    hostname: server.addr.hostname,
    shutdown: () => server.shutdown(),
  };
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
