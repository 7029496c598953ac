/**
 * `mirage proxy` as a library: the CI request path behind an HTTP server, with the admin
 * routes, metrics, one log line per request, and reload on SIGHUP or file change. Used by the
 * `proxy` command, by `gate-run -- COMMAND` and by the demo.
 *
 * @module
 */

import { Hono } from "hono";
import { type AuditLog, type AuditOptions, openAuditLog } from "../audit/audit_log.ts";
import { errorMessage } from "../errors.ts";
import type { CiContext } from "./ci_handler.ts";
import { handleCiRequest } from "./ci_handler.ts";
import { TraceStore } from "../trace/trace_store.ts";
import { ADMIN_PREFIX, adminRoutes } from "../http/admin_routes.ts";
import { loadCiContext } from "./ci_context.ts";
import { Reloadable } from "../http/reloadable.ts";
import { ServerLifecycle } from "../http/lifecycle.ts";
import { Metrics } from "../http/metrics.ts";
import { requestLine } from "../log/request_log.ts";

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  /** Path of the policies file. */
  readonly policies: string;
  /** Path of the mocks file. */
  readonly mocks: string;
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind. */
  readonly hostname: string;
  /** Trace directory. */
  readonly traces: string;
  /** Run id of requests without an `x-mirage-run-id` header. */
  readonly runId: string;
  /** False for passthrough: violations are served and recorded `enforced: false`. */
  readonly enforce: boolean;
  /** Reload on SIGHUP. */
  readonly reloadOnSignal: boolean;
  /** Reload when either file changes. */
  readonly watchFiles: boolean;
  /** Where the listening line, request lines and reload messages go. */
  readonly log: (line: string) => void;
  /** Colour the request lines. */
  readonly colour: boolean;
  /** Write an audit log of every decision and reload (docs/audit.md). */
  readonly audit?: AuditOptions;
}

/** A running proxy. */
export interface ProxyHandle {
  /** The bound port. */
  readonly port: number;
  /** `http://<host>:<port>`, for agents. */
  readonly url: string;
  /** Number of mock routes now served. */
  readonly routes: number;
  /** Number of policies now enforced. */
  readonly policies: number;
  /** Every run id that sent a request. */
  readonly runIds: ReadonlySet<string>;
  /** Reloads both files now; false (and the old files keep serving) when one has errors. */
  reload(): Promise<boolean>;
  /** Stops accepting, finishes in-flight requests, writes every trace, releases the store. */
  close(): Promise<void>;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `3 routes · 4 policies`. */
function sizes(ctx: CiContext): string {
  return `${count(ctx.mocks.size, "route", "routes")} · ${
    count(ctx.policies.size, "policy", "policies")
  }`;
}

class CiProxy implements ProxyHandle {
  readonly runIds = new Set<string>();
  readonly #options: ProxyOptions;
  readonly #holder: Reloadable<CiContext>;
  readonly #metrics = new Metrics();
  readonly #counters = new Map<string, number>();
  readonly #app: Hono;
  readonly #lifecycle: ServerLifecycle<CiContext>;
  readonly #audit: AuditLog | undefined;

  constructor(options: ProxyOptions, initial: CiContext, audit: AuditLog | undefined) {
    this.#options = options;
    this.#audit = audit;
    this.#holder = new Reloadable(
      initial,
      (old) => loadCiContext({ ...options, traces: old.traces }, old.policies.store),
    );
    this.#app = this.#buildApp();
    this.#lifecycle = new ServerLifecycle({
      address: options,
      holder: this.#holder,
      log: options.log,
      reloaded: (_cause, ctx) => `[mirage] reloaded · ${sizes(ctx)}`,
      onReload: async (cause, ctx) => await audit?.reload(cause, ctx.policies.digest),
      kept: "files",
      release: () => this.#release(),
    });
  }

  get port(): number {
    return this.#lifecycle.port;
  }

  get url(): string {
    return this.#lifecycle.url;
  }

  get routes(): number {
    return this.#holder.current.mocks.size;
  }

  get policies(): number {
    return this.#holder.current.policies.size;
  }

  start(): void {
    this.#lifecycle.listen((request) => this.#app.fetch(request));
    const mode = this.#options.enforce ? "" : " · passthrough";
    this.#options.log(
      `[mirage] proxy listening on :${this.port} · ${sizes(this.#holder.current)}${mode}`,
    );
    const { reloadOnSignal, watchFiles } = this.#options;
    if (reloadOnSignal || watchFiles) {
      const files = watchFiles ? [this.#options.policies, this.#options.mocks] : [];
      this.#lifecycle.watch(files, reloadOnSignal);
    }
  }

  reload(): Promise<boolean> {
    return this.#lifecycle.reload();
  }

  close(): Promise<void> {
    return this.#lifecycle.close();
  }

  async #release(): Promise<void> {
    const ctx = this.#holder.current;
    await ctx.traces?.close();
    await this.#audit?.close();
    await ctx.policies.store.close();
  }

  #buildApp(): Hono {
    const app = new Hono();
    app.route(
      ADMIN_PREFIX,
      adminRoutes({
        health: () => this.#health(),
        metrics: this.#metrics,
        traces: this.#options.traces,
      }),
    );
    app.all("*", (c) => this.#handle(c.req.raw));
    app.onError((error, c) => {
      this.#options.log(
        `[mirage] error answering ${c.req.method} ${c.req.path}: ${errorMessage(error)}`,
      );
      return c.json({ error: "error", message: errorMessage(error) }, 500);
    });
    return app;
  }

  #health(): Record<string, unknown> {
    return {
      routes: this.routes,
      policies: this.policies,
      mode: this.#options.enforce ? "enforce" : "passthrough",
    };
  }

  async #handle(request: Request): Promise<Response> {
    const runId = request.headers.get("x-mirage-run-id") || this.#options.runId;
    this.runIds.add(runId);
    const next = () => {
      const n = (this.#counters.get(runId) ?? 0) + 1;
      this.#counters.set(runId, n);
      return n;
    };
    const ctx = this.#holder.current;
    const { response, event, timing } = await handleCiRequest(ctx, request, runId, next);
    const policiesDigest = ctx.policies.digest;
    await this.#audit?.decision({ runId, event, time: timing.at, policiesDigest });
    const failedPolicies = event.decisions.filter((d) => !d.passed).map((d) => d.policy);
    this.#metrics.observe({
      outcome: event.outcome,
      failedPolicies,
      decideSeconds: timing.decide_us / 1e6,
    });
    this.#options.log(requestLine(event, timing.total_us, this.#options.colour));
    return response;
  }
}

/**
 * Loads both files, starts the proxy and prints its listening line. Throws `ConfigError` /
 * `MirageError` when a file is wrong or the port cannot be bound.
 *
 * @example
 * ```ts
 * import { startProxy } from "./proxy.ts";
 * const proxy = await startProxy({
 *   policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", port: 0, hostname: "127.0.0.1",
 *   traces: "artifacts/traces", runId: "default", enforce: true, reloadOnSignal: false, watchFiles: false, log: console.log, colour: false,
 * });
 * await proxy.close();
 * ```
 */
export async function startProxy(options: ProxyOptions): Promise<ProxyHandle> {
  const traces = new TraceStore({ dir: options.traces, mode: "ci", reset: true, idleFlushMs: 200 });
  const ctx = await loadCiContext({ ...options, traces });
  const mode = options.enforce ? "enforce" : "passthrough";
  const writer = { surface: "proxy", mode, policiesDigest: ctx.policies.digest };
  const audit = await openAuditLog(options.audit, writer, async () => {
    await traces.close();
    await ctx.policies.store.close();
  });
  const proxy = new CiProxy(options, ctx, audit);
  try {
    proxy.start();
  } catch (e) {
    await proxy.close();
    throw e;
  }
  return proxy;
}
