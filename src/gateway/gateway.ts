/**
 * `mirage gateway` as a library: the production request path in front of a real upstream, with
 * the admin routes (guarded), metrics, the decision log, traces, and reload on SIGHUP or file
 * change that never drops a request and keeps the old policies when a file is wrong.
 *
 * @module
 */

import { Hono } from "hono";
import type { Mode } from "../engine/outcome.ts";
import { errorMessage } from "../errors.ts";
import { checkAdmin } from "../http/admin_guard.ts";
import { ADMIN_PREFIX, adminRoutes } from "../http/admin_routes.ts";
import { errorAnswer } from "../http/answers.ts";
import { DEFAULT_MAX_BODY } from "../http/body_limit.ts";
import { handleDecide } from "../http/decide_route.ts";
import { ServerLifecycle } from "../http/lifecycle.ts";
import { isAdminPath } from "../http/reserved_path.ts";
import { Metrics } from "../http/metrics.ts";
import { Reloadable } from "../http/reloadable.ts";
import { decisionLogObserver, type DecisionSink } from "../log/decision_log.ts";
import { type EventObserver, Recorder } from "../trace/recorder.ts";
import { RunIdRule } from "../trace/run_id.ts";
import { TraceStore } from "../trace/trace_store.ts";
import { Forwarder } from "./forward.ts";
import { type GatewayConfig, loadGatewayConfig } from "./gateway_config.ts";
import { type GatewayContext, handleGatewayRequest } from "./gateway_handler.ts";

/**
 * Options of {@link startGateway}: the upstream, the mode and the policies file are required,
 * the rest has defaults.
 *
 * @example
 * ```ts
 * import type { GatewayOptions } from "./gateway.ts";
 * const o: GatewayOptions = { upstream: new URL("http://127.0.0.1:9000"), mode: "passthrough", policies: "policies/procurement.yaml" };
 * ```
 */
export interface GatewayOptions {
  /** The upstream's origin, optionally with a base path. */
  readonly upstream: URL;
  /** `enforce` stops violations; `passthrough` forwards them and records `enforced: false`. */
  readonly mode: Mode;
  /** Path of the policies file. */
  readonly policies: string;
  /** Path of a mocks file whose routes are the allowed surface; default none (every route). */
  readonly surface?: string | undefined;
  /** Port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  readonly hostname?: string;
  /** Trace directory; default `artifacts/traces`. */
  readonly traces?: string;
  /** Wait for the upstream's response head, in ms; default 10,000. */
  readonly timeoutMs?: number;
  /** Request body bytes read for the policies; default 1 MiB. */
  readonly maxBody?: number;
  /** When set, admin routes need `authorization: Bearer <token>` (from any client). */
  readonly adminToken?: string | undefined;
  /** Run id of requests without `x-mirage-run-id`; default `MIRAGE_RUN_ID`, else `default`. */
  readonly runId?: string;
  /** Where decision lines go; default none. */
  readonly decisionLog?: DecisionSink | undefined;
  /** Where the listening line and reload messages go; default `console.error`. */
  readonly log?: (line: string) => void;
  /** Reload on SIGHUP and file change; default true. */
  readonly watch?: boolean;
}

type Settings =
  & Required<Omit<GatewayOptions, "surface" | "adminToken" | "decisionLog" | "runId">>
  & {
    readonly surface: string | undefined;
    readonly adminToken: string | undefined;
    readonly decisionLog: DecisionSink | undefined;
  };

function settings(o: GatewayOptions): Settings {
  return {
    upstream: o.upstream,
    mode: o.mode,
    policies: o.policies,
    surface: o.surface,
    port: o.port ?? 8080,
    hostname: o.hostname ?? "127.0.0.1",
    traces: o.traces ?? "artifacts/traces",
    timeoutMs: o.timeoutMs ?? 10_000,
    maxBody: o.maxBody ?? DEFAULT_MAX_BODY,
    adminToken: o.adminToken,
    decisionLog: o.decisionLog,
    log: o.log ?? ((line) => console.error(line)),
    watch: o.watch ?? true,
  };
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

class Gateway implements GatewayHandle {
  readonly #options: Settings;
  readonly #holder: Reloadable<GatewayConfig>;
  readonly #traces: TraceStore;
  readonly #forwarder: Forwarder;
  readonly #metrics = new Metrics();
  readonly #ctx: GatewayContext;
  readonly #admin: Hono;
  readonly #lifecycle: ServerLifecycle<GatewayConfig>;

  constructor(options: Settings, runIds: RunIdRule, initial: GatewayConfig) {
    this.#options = options;
    const files = { policies: options.policies, surface: options.surface };
    this.#holder = new Reloadable(initial, (old) => loadGatewayConfig(files, old.policies.store));
    this.#forwarder = new Forwarder({ upstream: options.upstream, timeoutMs: options.timeoutMs });
    // A gateway run lives long and materialising re-reads its whole journal (250,000 events:
    // ~2 s, ~750 MiB), so neither an idle timer nor a stop does it; readers (the admin routes,
    // gate-run, readTrace) materialise on demand.
    this.#traces = new TraceStore({
      dir: options.traces,
      mode: options.mode,
      reset: false,
      materialiseOnClose: false,
    });
    const observers: EventObserver[] = [this.#metrics.observer()];
    if (options.decisionLog) observers.push(decisionLogObserver(options.decisionLog));
    this.#ctx = {
      mode: options.mode,
      maxBody: options.maxBody,
      runIds,
      config: () => this.#holder.current,
      forwarder: this.#forwarder,
      recorder: new Recorder({ traces: this.#traces, observers }),
    };
    this.#admin = this.#buildAdmin();
    this.#lifecycle = new ServerLifecycle({
      address: options,
      holder: this.#holder,
      log: options.log,
      reloaded: (cause, config) =>
        `[mirage] reloaded (${cause}) · ${config.policies.size} policies`,
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
    await this.#holder.current.policies.store.close();
    this.#forwarder.close();
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
      return errorAnswer(500, errorMessage(e), {
        runId: this.#ctx.runIds.resolve({ header: request.headers }),
      });
    }
  }

  #adminRequest(request: Request, clientIp: string): Response | Promise<Response> {
    const refusal = checkAdmin(
      this.#options.adminToken,
      clientIp,
      request.headers.get("authorization"),
    );
    if (!refusal) return this.#admin.fetch(request);
    const headers: Record<string, string> = refusal.status === 401
      ? { "www-authenticate": 'Bearer realm="mirage"' }
      : {};
    return errorAnswer(refusal.status, refusal.message, { code: "forbidden", headers });
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
 * ```ts
 * import { startGateway } from "./gateway.ts";
 * const gw = await startGateway({
 *   upstream: new URL("http://127.0.0.1:9"),
 *   mode: "enforce",
 *   policies: "policies/procurement.yaml",
 *   port: 0,
 *   watch: false,
 *   traces: await Deno.makeTempDir(),
 * });
 * console.log(gw.port > 0); // true
 * await gw.close();
 * ```
 */
export async function startGateway(options: GatewayOptions): Promise<GatewayHandle> {
  const s = settings(options);
  const runIds = new RunIdRule(options.runId === undefined ? {} : { option: options.runId });
  const gateway = new Gateway(s, runIds, await loadGatewayConfig(s));
  try {
    gateway.start();
  } catch (e) {
    await gateway.close();
    throw e;
  }
  return gateway;
}
