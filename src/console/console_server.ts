/**
 * `mirage console`'s server: the review console over a trace directory at `/`, on Mirage's
 * own listener (idle and head timeouts), behind the same admin guard as every server's admin
 * routes — loopback clients at a loopback host, or the admin token (also as the password of
 * HTTP Basic, which a browser asks for). Its live page follows the directory's journals.
 *
 * @module
 */

import { AdminGuard, CONSOLE_ROUTE } from "../http/admin_guard.ts";
import { clientIp, listen, type Listening } from "../http/serve.ts";
import { TraceReader } from "../trace/trace_reader.ts";
import { ConsoleApp } from "./console_app.ts";
import { directoryFeed } from "./live_feed.ts";

/**
 * The port `mirage console` listens on unless told otherwise.
 *
 * @example
 * ```ts
 * import { CONSOLE_PORT } from "@mirage/core/console";
 * console.log(`http://127.0.0.1:${CONSOLE_PORT}/`);
 * ```
 */
export const CONSOLE_PORT = 8003;

/**
 * Options of {@link startConsole}.
 *
 * @example
 * ```ts
 * import type { ConsoleOptions } from "@mirage/core/console";
 * const o: ConsoleOptions = { traces: "artifacts/traces", policies: "policies/procurement.yaml", port: 0 };
 * ```
 */
export interface ConsoleOptions {
  /** The trace directory. */
  readonly traces: string;
  /** The policy file whose rules the policies page lists. */
  readonly policies?: string | undefined;
  /** Port; default 8003, 0 picks a free one. */
  readonly port?: number;
  /** Interface to bind; default 127.0.0.1. */
  readonly hostname?: string;
  /** With it, every page needs it (Bearer, or as the Basic password), loopback included. */
  readonly adminToken?: string | undefined;
  /** Close an idle client connection after this long; default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Close a new connection whose request head is not complete by then; default 10 s. */
  readonly headTimeoutMs?: number;
  /** Where the listening line goes; default stderr. */
  readonly log?: (line: string) => void;
}

/**
 * A running console.
 *
 * @example
 * ```ts ignore
 * import { startConsole } from "@mirage/core/console";
 * const server = await startConsole({ traces: "artifacts/traces", port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export interface ConsoleHandle {
  /** The bound port. */
  readonly port: number;
  /** `http://host:port/`. */
  readonly url: string;
  /** Ends the live streams, finishes in-flight requests, stops listening. */
  close(): Promise<void>;
}

/**
 * Starts `mirage console`: the review console over `options.traces` at `/`. Throws a
 * `MirageError` `listen_failed` when the port cannot be bound.
 *
 * @example
 * ```ts
 * import { startConsole } from "@mirage/core/console";
 * const server = await startConsole({ traces: await Deno.makeTempDir(), port: 0, log: () => {} });
 * const page = await fetch(server.url);
 * console.log(page.status); // 200
 * await page.body?.cancel();
 * await server.close();
 * ```
 */
export async function startConsole(options: ConsoleOptions): Promise<ConsoleHandle> {
  const reader = new TraceReader(options.traces);
  const app = new ConsoleApp({
    reader,
    live: directoryFeed(reader),
    policies: options.policies,
    source: options.traces,
  });
  const guard = new AdminGuard({ adminToken: options.adminToken });
  const hostname = options.hostname ?? "127.0.0.1";
  const server: Listening = listen((request, info) => {
    const path = new URL(request.url).pathname;
    const refused = guard.refusal(`${CONSOLE_ROUTE}${path}`, clientIp(info.remoteAddr), request);
    return refused ?? app.fetch(request);
  }, {
    port: options.port ?? CONSOLE_PORT,
    hostname,
    idleTimeoutMs: options.idleTimeoutMs,
    headTimeoutMs: options.headTimeoutMs,
  });
  const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  const url = `http://${host}:${server.port}/`;
  // The first listing of a large directory reads every stored summary: do it before anyone asks.
  const warming = reader.scan().catch(() => []);
  const missing = await Deno.stat(options.traces).then(() => "", () => " (not there yet)");
  (options.log ?? ((line) => console.error(line)))(
    `[mirage] console on ${url} · traces ${options.traces}${missing}` +
      (options.policies ? ` · policies ${options.policies}` : ""),
  );
  let closing: Promise<void> | undefined;
  return {
    port: server.port,
    url,
    close: () =>
      closing ??= (async () => {
        app.close();
        await warming;
        await server.shutdown();
      })(),
  };
}
