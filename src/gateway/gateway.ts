/**
 * `mirage gateway` as a library: the production request path in front of a real upstream, with
 * the admin routes (guarded), metrics, the decision log, traces, and reload on SIGHUP or file
 * change that never drops a request and keeps the old policies when a file is wrong.
 *
 * @module
 */

import { Hono } from "hono";
import { type AuditLog, type AuditOptions, openAuditLog } from "../audit/audit_log.ts";
import { errorMessage } from "../errors.ts";
import { ADMIN_PREFIX, adminRoutes } from "../http/admin_routes.ts";
import { Reloadable } from "../http/reloadable.ts";
import { ServerLifecycle } from "../http/lifecycle.ts";
import { TraceStore } from "../trace/trace_store.ts";
import { checkAdmin } from "../http/admin_guard.ts";
import { handleDecide } from "./decide_route.ts";
import type { DecisionSink } from "../log/decision_log.ts";
import { errorAnswer } from "../http/error_answer.ts";
import { type GatewayConfig, loadGatewayConfig } from "./gateway_config.ts";
import { type GatewayContext, handleGatewayRequest } from "./gateway_handler.ts";
import { GatewayMetrics } from "./gateway_metrics.ts";
import { Recorder } from "./recorder.ts";
import { UpstreamClient } from "./upstream_client.ts";

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  /** The upstream's origin, optionally with a base path. */
  readonly upstream: URL;
  /** `enforce` stops violations; `passthrough` forwards them and records `enforced: false`. */
  readonly mode: "enforce" | "passthrough";
  /** Path of the policies file. */
  readonly policies: string;
  /** Path of a mocks file whose routes are the allowed surface. */
  readonly surface: string | undefined;
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind. */
  readonly hostname: string;
  /** Trace directory. */
  readonly traces: string;
  /** Wait for the upstream's response head, in ms. */
  readonly timeoutMs: number;
  /** Request body bytes read for the policies. */
  readonly maxBody: number;
  /** When set, admin routes need `authorization: Bearer <token>` (from any client). */
  readonly adminToken: string | undefined;
  /** Run id of requests without `x-mirage-run-id`. */
  readonly runId: string;
  /** Where decision lines go; `undefined` turns the decision log off. */
  readonly decisionLog: DecisionSink | undefined;
  /** Where the listening line and reload messages go. */
  readonly log: (line: string) => void;
  /** Reload on SIGHUP and file change. */
  readonly watch: boolean;
  /** Write an audit log of every decision and reload (docs/audit.md). */
  readonly audit?: AuditOptions;
}

/** A running gateway. */
export interface GatewayHandle {
  /** The bound port. */
  readonly port: number;
  /** `http://<host>:<port>`. */
  readonly url: string;
  /** Reloads the files now; false (and the old policies keep serving) when one is wrong. */
  reload(): Promise<boolean>;
  /** Stops accepting, finishes in-flight requests, writes traces, releases the store. */
  close(): Promise<void>;
}

/** The client's IP; a Unix socket peer counts as local. */
function clientAddress(addr: Deno.Addr): string {
  return addr.transport === "tcp" || addr.transport === "udp" ? addr.hostname : "127.0.0.1";
}

function isAdminPath(path: string): boolean {
  return path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
}

class Gateway implements GatewayHandle {
  readonly #options: GatewayOptions;
  readonly #holder: Reloadable<GatewayConfig>;
  readonly #traces: TraceStore;
  readonly #client = new UpstreamClient();
  readonly #metrics = new GatewayMetrics();
  readonly #ctx: GatewayContext;
  readonly #admin: Hono;
  readonly #lifecycle: ServerLifecycle<GatewayConfig>;
  readonly #audit: AuditLog | undefined;

  constructor(options: GatewayOptions, initial: GatewayConfig, audit: AuditLog | undefined) {
    this.#options = options;
    this.#audit = audit;
    const files = { policies: options.policies, surface: options.surface };
    this.#holder = new Reloadable(initial, (old) => loadGatewayConfig(files, old.policies.store));
    // A gateway run lives long and materialising re-reads its whole journal (250,000 events:
    // ~2 s, ~750 MiB), so neither an idle timer nor a stop does it; readers (the admin routes,
    // gate-run, readTrace) materialise on demand.
    this.#traces = new TraceStore({
      dir: options.traces,
      mode: options.mode,
      reset: false,
      materialiseOnClose: false,
    });
    this.#ctx = {
      enforce: options.mode === "enforce",
      upstream: options.upstream,
      maxBody: options.maxBody,
      timeoutMs: options.timeoutMs,
      defaultRunId: options.runId,
      config: () => this.#holder.current,
      client: this.#client,
      recorder: new Recorder(this.#traces, this.#metrics, options.decisionLog, audit),
    };
    this.#admin = this.#buildAdmin();
    this.#lifecycle = new ServerLifecycle({
      address: options,
      holder: this.#holder,
      log: options.log,
      reloaded: (cause, config) =>
        `[mirage] reloaded (${cause}) · ${config.policies.size} policies`,
      onReload: async (cause, config) => await audit?.reload(cause, config.policies.digest),
      kept: "policies",
      release: () => this.#release(),
    });
  }

  get port(): number {
    return this.#lifecycle.port;
  }

  get url(): string {
    return this.#lifecycle.url;
  }

  start(): void {
    this.#lifecycle.listen((request, info) =>
      this.#handle(request, clientAddress(info.remoteAddr))
    );
    const o = this.#options;
    const policies = this.#holder.current.policies.size;
    o.log(
      `[mirage] gateway listening on ${this.url} → ${o.upstream.href} · ${o.mode} · ${policies} policies`,
    );
    if (o.watch) {
      this.#lifecycle.watch(o.surface === undefined ? [o.policies] : [o.policies, o.surface]);
    }
  }

  reload(): Promise<boolean> {
    return this.#lifecycle.reload();
  }

  close(): Promise<void> {
    return this.#lifecycle.close();
  }

  async #release(): Promise<void> {
    await this.#traces.close();
    await this.#audit?.close();
    await this.#holder.current.policies.store.close();
    this.#client.close();
  }

  async #handle(request: Request, clientIp: string): Promise<Response> {
    try {
      const url = new URL(request.url);
      if (isAdminPath(url.pathname)) return await this.#adminRequest(request, clientIp);
      return await handleGatewayRequest(this.#ctx, request, clientIp, url);
    } catch (e) {
      // A bug must not let a request through unexamined: answer 500 and say why on stderr.
      this.#options.log(
        `[mirage] error answering ${request.method} ${request.url}: ${errorMessage(e)}`,
      );
      const runId = request.headers.get("x-mirage-run-id") || this.#options.runId;
      return errorAnswer(500, errorMessage(e), runId, 0, "error");
    }
  }

  #adminRequest(request: Request, clientIp: string): Response | Promise<Response> {
    const refusal = checkAdmin(
      this.#options.adminToken,
      clientIp,
      request.headers.get("authorization"),
    );
    if (!refusal) return this.#admin.fetch(request);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (refusal.status === 401) headers["www-authenticate"] = 'Bearer realm="mirage"';
    return new Response(JSON.stringify({ error: "forbidden", message: refusal.message }), {
      status: refusal.status,
      headers,
    });
  }

  #buildAdmin(): Hono {
    const app = new Hono();
    app.post(`${ADMIN_PREFIX}/v1/decide`, (c) => handleDecide(this.#ctx, c.req.raw));
    const health = () => this.#health();
    app.route(
      ADMIN_PREFIX,
      adminRoutes({ health, metrics: this.#metrics, traces: this.#options.traces }),
    );
    return app;
  }

  #health(): Record<string, unknown> {
    const config = this.#holder.current;
    const health: Record<string, unknown> = {
      mode: this.#options.mode,
      upstream: this.#options.upstream.href,
      policies: config.policies.size,
    };
    if (config.surface) health.routes = config.surface.size;
    return health;
  }
}

/**
 * Loads the files, starts the gateway and logs its listening line. Throws `ConfigError` /
 * `MirageError` when a file is wrong or the port cannot be bound.
 *
 * @example
 * ```ts ignore
 * import { startGateway } from "./gateway.ts";
 * const gw = await startGateway({ upstream: new URL("http://127.0.0.1:9000"), mode: "enforce", ... });
 * await gw.close();
 * ```
 */
export async function startGateway(options: GatewayOptions): Promise<GatewayHandle> {
  const config = await loadGatewayConfig(options);
  const writer = { surface: "gateway", mode: options.mode, policiesDigest: config.policies.digest };
  const audit = await openAuditLog(options.audit, writer, () => config.policies.store.close());
  const gateway = new Gateway(options, config, audit);
  try {
    gateway.start();
  } catch (e) {
    await gateway.close();
    throw e;
  }
  return gateway;
}
