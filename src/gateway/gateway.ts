/**
 * `mirage gateway` as a library: the production request path in front of a real upstream, with
 * the admin routes (guarded), metrics, the decision log, traces, and reload on SIGHUP or file
 * change that never drops a request and keeps the old policies when a file is wrong.
 *
 * @module
 */

import type { Hono } from "hono";
import { type AuditLog, openAuditLog } from "../audit/audit_log.ts";
import type { Mode } from "../engine/outcome.ts";
import { errorMessage } from "../errors.ts";
import { AdminGuard } from "../http/admin_guard.ts";
import { adminApp } from "../http/admin_routes.ts";
import { errorAnswer } from "../http/answers.ts";
import { DEFAULT_MAX_BODY } from "../http/body_limit.ts";
import type { DecideContext } from "../http/decide_route.ts";
import {
  type ClientConnection,
  DEFAULT_HEAD_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
} from "../http/http_listener.ts";
import { ServerLifecycle } from "../http/lifecycle.ts";
import { isAdminPath } from "../http/reserved_path.ts";
import { Metrics } from "../http/metrics.ts";
import { Reloadable } from "../http/reloadable.ts";
import { clientIp } from "../http/serve.ts";
import { decisionLogObserver, type DecisionSink } from "../log/decision_log.ts";
import { type EventObserver, Recorder } from "../trace/recorder.ts";
import { type ConsoleApp, serverConsole } from "../console/console_app.ts";
import { RunIdRule } from "../trace/run_id.ts";
import { IsoTimes } from "../trace/timing.ts";
import { TraceStore } from "../trace/trace_store.ts";
import { CallMemory } from "../tools/call_memory.ts";
import { storeStatus } from "../state/state_store.ts";
import type { ServerOptions } from "../http/server_options.ts";
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
export interface GatewayOptions extends ServerOptions {
  /** The upstream's origin, optionally with a base path. */
  readonly upstream: URL;
  /** `enforce` stops violations; `passthrough` forwards them and records `enforced: false`. */
  readonly mode: Mode;
  /** Path of a mocks file whose routes are the allowed surface; default none (every route). */
  readonly surface?: string | undefined;
  /** Port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** Wait for the upstream's response head, in ms; default 10,000. */
  readonly timeoutMs?: number;
  /** Run id of requests without `x-mirage-run-id`; default `MIRAGE_RUN_ID`, else `default`. */
  readonly runId?: string | undefined;
  /** Where decision lines go; default none. */
  readonly decisionLog?: DecisionSink | undefined;
  /** Where the listening line and reload messages go; default `console.error`. */
  readonly log?: (line: string) => void;
  /** Reload on SIGHUP and file change; default true. */
  readonly watch?: boolean;
}

type Settings =
  & Required<
    Omit<
      GatewayOptions,
      "surface" | "adminToken" | "decideToken" | "decisionLog" | "runId" | "store" | "audit"
    >
  >
  & {
    readonly surface: string | undefined;
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
    idleTimeoutMs: o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    headTimeoutMs: o.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS,
    decisionLog: o.decisionLog,
    log: o.log ?? ((line) => console.error(line)),
    watch: o.watch ?? true,
  };
}

/**
 * A running gateway.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GatewayHandle, startGateway } from "./gateway.ts";
 * await using upstream = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => new Response("up"));
 * const dir = await Deno.makeTempDir();
 * const policies = `${dir}/policies.yaml`;
 * await Deno.writeTextFile(policies, "policies: []\n");
 * const gw: GatewayHandle = await startGateway({
 *   upstream: new URL(`http://127.0.0.1:${upstream.addr.port}`),
 *   mode: "enforce",
 *   policies,
 *   port: 0,
 *   watch: false,
 *   traces: `${dir}/traces`,
 *   log: () => {},
 * });
 * assert.equal(gw.url, `http://127.0.0.1:${gw.port}`);
 * assert.equal(await (await fetch(`${gw.url}/v1/x`)).text(), "up");
 * await Deno.writeTextFile(policies, "policies: [oops\n");
 * assert.equal(await gw.reload(), false);
 * await gw.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
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

class Gateway implements GatewayHandle {
  readonly #options: Settings;
  readonly #holder: Reloadable<GatewayConfig>;
  readonly #traces: TraceStore;
  readonly #forwarder: Forwarder;
  readonly #metrics = new Metrics(() => storeStatus(this.#holder.current.policies.store));
  readonly #ctx: GatewayContext;
  readonly #admin: Hono;
  readonly #console: ConsoleApp;
  readonly #lifecycle: ServerLifecycle<GatewayConfig>;
  /** Events still to record after their answers went out (see `GatewayContext.afterAnswer`). */
  readonly #late = new Set<Promise<void>>();
  readonly #audit: AuditLog | undefined;
  readonly #decide: DecideContext;

  constructor(
    options: Settings,
    runIds: RunIdRule,
    initial: GatewayConfig,
    guard: AdminGuard,
    audit: AuditLog | undefined,
  ) {
    this.#options = options;
    const files = { policies: options.policies, surface: options.surface };
    this.#holder = new Reloadable(initial, (old) => loadGatewayConfig(files, old.policies.store));
    this.#forwarder = new Forwarder({ upstream: options.upstream, timeoutMs: options.timeoutMs });
    // A gateway run lives long and materialising streams its whole journal (bench: 500,000
    // events take seconds, in bounded memory), so neither an idle timer nor a stop does it;
    // gate-run and readTrace materialise on demand, the admin routes answer from summaries.
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
      recorder: new Recorder({ traces: this.#traces, observers, audit }),
      afterAnswer: (work) => this.#later(work),
      times: new IsoTimes(),
    };
    this.#audit = audit;
    this.#decide = { ...this.#ctx, calls: new CallMemory() };
    this.#console = serverConsole({
      surface: "gateway",
      mode: options.mode,
      traces: options.traces,
      policies: options.policies,
      recorder: this.#ctx.recorder,
    });
    this.#admin = adminApp({
      health: () => this.#health(),
      metrics: this.#metrics,
      traces: options.traces,
      guard: guard,
      decide: this.#decide,
      console: this.#console.fetch,
    });
    this.#lifecycle = new ServerLifecycle({
      address: { ...options, counters: this.#metrics.connections },
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
    this.#lifecycle.listen((request, info, connection) => this.#handle(request, info, connection));
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
    this.#console.close();
    return this.#lifecycle.close();
  }

  #later(work: Promise<void>): void {
    const tracked = work.catch((e) =>
      this.#options.log(`[mirage] cannot record a cut answer: ${errorMessage(e)}`)
    ).finally(() => this.#late.delete(tracked));
    this.#late.add(tracked);
  }

  async #release(): Promise<void> {
    await Promise.all(this.#late);
    await this.#audit?.close();
    await this.#traces.close();
    await this.#holder.current.policies.store.close();
    this.#forwarder.close();
  }

  async #handle(
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
    connection: ClientConnection,
  ): Promise<Response> {
    try {
      const url = new URL(request.url);
      if (isAdminPath(url.pathname)) return await this.#admin.fetch(request, info);
      const ip = clientIp(info.remoteAddr);
      return await handleGatewayRequest(this.#ctx, request, ip, url, connection);
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

  #health(): Record<string, unknown> {
    const config = this.#holder.current;
    const health: Record<string, unknown> = {
      mode: this.#options.mode,
      upstream: this.#options.upstream.href,
      policies: config.policies.size,
    };
    if (config.surface) health.routes = config.surface.size;
    health.state = storeStatus(config.policies.store);
    return health;
  }
}

/**
 * Loads the files, starts the gateway and logs its listening line. Throws `ConfigError` /
 * `MirageError` when a file is wrong or the port cannot be bound.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startGateway } from "./gateway.ts";
 * const traces = await Deno.makeTempDir();
 * const lines: string[] = [];
 * const gw = await startGateway({
 *   upstream: new URL("http://127.0.0.1:9"),
 *   mode: "enforce",
 *   policies: "policies/procurement.yaml",
 *   port: 0,
 *   watch: false,
 *   traces,
 *   log: (line) => lines.push(line),
 * });
 * assert.ok(gw.port > 0);
 * assert.ok(lines.some((line) => line.includes(gw.url)));
 * await gw.close();
 * await Deno.remove(traces, { recursive: true });
 * ```
 */
export async function startGateway(options: GatewayOptions): Promise<GatewayHandle> {
  const s = settings(options);
  const runIds = new RunIdRule(options.runId === undefined ? {} : { option: options.runId });
  const guard = new AdminGuard(options);
  // The gateway owns the store it is given: a file that does not load releases it too.
  const config = await loadGatewayConfig(s, options.store).catch(async (e) => {
    await options.store?.close();
    throw e;
  });
  const writer = { surface: "gateway", mode: s.mode, policiesDigest: config.policies.digest };
  const audit = await openAuditLog(options.audit, writer, () => config.policies.store.close());
  const gateway = new Gateway(s, runIds, config, guard, audit);
  try {
    gateway.start();
  } catch (e) {
    await gateway.close();
    throw e;
  }
  return gateway;
}
