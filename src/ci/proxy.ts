/**
 * `mirage proxy` as a library: the CI request path behind an HTTP server, with the admin
 * routes (guarded as on every surface; `v1/decide` included: tool calls are decided, answered
 * with their tool mocks and recorded in the run like requests), metrics, one log line per
 * request, and reload on SIGHUP or file change. Used by the `proxy` command, by
 * `gate-run -- COMMAND` and by the demo.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { type AuditLog, openAuditLog } from "../audit/audit_log.ts";
import type { Mode } from "../engine/outcome.ts";
import { type ChaosOption, type ChaosSwitch, chaosSwitch } from "../engine/chaos_switch.ts";
import { ChaosNetworkError, errorMessage } from "../errors.ts";
import { AdminGuard } from "../http/admin_guard.ts";
import type { ClientConnection } from "../http/http_listener.ts";
import { adminRoutes } from "../http/admin_routes.ts";
import { errorAnswer } from "../http/answers.ts";
import type { DecideContext } from "../http/decide_route.ts";
import { DEFAULT_HEAD_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "../http/http_listener.ts";
import { DEFAULT_MAX_BODY } from "../http/body_limit.ts";
import { ServerLifecycle } from "../http/lifecycle.ts";
import { Metrics } from "../http/metrics.ts";
import { Reloadable } from "../http/reloadable.ts";
import { ADMIN_PREFIX, isAdminPath } from "../http/reserved_path.ts";
import { requestLogObserver } from "../log/request_log.ts";
import { storeStatus } from "../state/state_store.ts";
import type { ServerOptions } from "../http/server_options.ts";
import { CallMemory } from "../tools/call_memory.ts";
import { Recorder } from "../trace/recorder.ts";
import { type ConsoleApp, serverConsole } from "../console/console_app.ts";
import { RunIdRule } from "../trace/run_id.ts";
import { TraceStore } from "../trace/trace_store.ts";
import { loadCiContext } from "./ci_context.ts";
import { type CiContext, handleCiRequest } from "./ci_handler.ts";

/**
 * Options of {@link startProxy}; everything but the two files has a default.
 *
 * @example
 * ```ts
 * import type { ProxyOptions } from "./proxy.ts";
 * const o: ProxyOptions = { policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", port: 0 };
 * ```
 */
export interface ProxyOptions extends ServerOptions {
  /** Path of the mocks file. */
  readonly mocks: string;
  /** Port; 0 picks a free one. Default 8001. */
  readonly port?: number;
  /** Run id of requests without an `x-mirage-run-id` header; default `MIRAGE_RUN_ID`, else `default`. */
  readonly runId?: string | undefined;
  /** `enforce` (default) answers 403/404; `passthrough` serves the mock and records `enforced: false`. */
  readonly mode?: Mode;
  /** Reload on SIGHUP; default true. */
  readonly reloadOnSignal?: boolean;
  /** Reload when either file changes; default true. */
  readonly watchFiles?: boolean;
  /** Where the listening line, request lines and reload messages go; default `console.log`. */
  readonly log?: (line: string) => void;
  /** Colour the request lines; default false. */
  readonly colour?: boolean;
  /**
   * Turns a fault profile of the mocks file on for every run (docs/chaos.md): `"7"`, `"flaky"`,
   * `"flaky:7"` or `{profile, seed}`. Default none: declared faults never fire.
   */
  readonly chaos?: ChaosOption;
}

/**
 * A running proxy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ProxyHandle, startProxy } from "./proxy.ts";
 * const traces = await Deno.makeTempDir();
 * const proxy: ProxyHandle = await startProxy({
 *   policies: "policies/procurement.yaml",
 *   mocks: "mocks/procurement.yaml",
 *   port: 0,
 *   traces,
 *   reloadOnSignal: false,
 *   watchFiles: false,
 *   log: () => {},
 * });
 * const health = await fetch(`${proxy.url}/_mirage/health`);
 * assert.equal((await health.json()).ok, true);
 * assert.equal(await proxy.reload(), true);
 * await proxy.close();
 * await Deno.remove(traces, { recursive: true });
 * ```
 */
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

type Settings =
  & Required<
    Omit<ProxyOptions, "runId" | "adminToken" | "decideToken" | "store" | "audit" | "chaos">
  >
  & { readonly chaos: ChaosSwitch | undefined };

function settings(o: ProxyOptions): Settings {
  return {
    policies: o.policies,
    mocks: o.mocks,
    port: o.port ?? 8001,
    hostname: o.hostname ?? "127.0.0.1",
    traces: o.traces ?? "artifacts/traces",
    mode: o.mode ?? "enforce",
    maxBody: o.maxBody ?? DEFAULT_MAX_BODY,
    reloadOnSignal: o.reloadOnSignal ?? true,
    watchFiles: o.watchFiles ?? true,
    log: o.log ?? ((line) => console.log(line)),
    colour: o.colour ?? false,
    idleTimeoutMs: o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    headTimeoutMs: o.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS,
    chaos: o.chaos === undefined ? undefined : chaosSwitch(o.chaos),
  };
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `3 routes · 4 policies`. */
function sizes(ctx: CiContext): string {
  return `${count(ctx.mocks?.size ?? 0, "route", "routes")} · ${
    count(ctx.policies.size, "policy", "policies")
  }`;
}

/** What the proxy's app gets with each request: the client's address and its connection. */
interface ProxyEnv {
  readonly remoteAddr: Deno.NetAddr;
  readonly connection: ClientConnection;
}

class CiProxy implements ProxyHandle {
  readonly runIds = new Set<string>();
  readonly #settings: Settings;
  readonly #runIds: RunIdRule;
  readonly #holder: Reloadable<CiContext>;
  readonly #metrics = new Metrics(() => storeStatus(this.#holder.current.policies.store));
  readonly #traces: TraceStore;
  readonly #recorder: Recorder;
  readonly #audit: AuditLog | undefined;
  readonly #app: Hono;
  readonly #console: ConsoleApp;
  readonly #lifecycle: ServerLifecycle<CiContext>;
  /** Ends the calls a declared fault holds, once the proxy starts closing. */
  readonly #closing = new AbortController();

  constructor(
    s: Settings,
    runIds: RunIdRule,
    traces: TraceStore,
    initial: CiContext,
    guard: AdminGuard,
    audit: AuditLog | undefined,
  ) {
    this.#settings = s;
    this.#runIds = runIds;
    this.#traces = traces;
    this.#audit = audit;
    this.#holder = new Reloadable(initial, (old) => loadCiContext(s, old.policies.store));
    this.#recorder = new Recorder({
      traces,
      strict: true,
      audit,
      observers: [
        this.#metrics.observer(),
        requestLogObserver(s.log, s.colour),
        ({ runId }) => this.runIds.add(runId),
      ],
    });
    this.#console = serverConsole({
      surface: "proxy",
      mode: "ci",
      traces: s.traces,
      policies: s.policies,
      recorder: this.#recorder,
    });
    this.#app = this.#buildApp(guard);
    this.#lifecycle = new ServerLifecycle({
      address: { ...s, counters: this.#metrics.connections },
      holder: this.#holder,
      log: s.log,
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
    return this.#holder.current.mocks?.size ?? 0;
  }

  get policies(): number {
    return this.#holder.current.policies.size;
  }

  start(): void {
    const s = this.#settings;
    // The guard reads the client's address, a chaos fault drops its connection.
    this.#lifecycle.listen((request, info, connection) =>
      this.#app.fetch(request, { remoteAddr: info.remoteAddr, connection } satisfies ProxyEnv)
    );
    const mode = s.mode === "enforce" ? "" : " · passthrough";
    const chaos = s.chaos ? ` · chaos ${s.chaos.profile}:${s.chaos.seed}` : "";
    s.log(
      `[mirage] proxy listening on :${this.port} · ${sizes(this.#holder.current)}${mode}${chaos}`,
    );
    if (s.reloadOnSignal || s.watchFiles) {
      this.#lifecycle.watch(s.watchFiles ? [s.policies, s.mocks] : [], s.reloadOnSignal);
    }
  }

  reload(): Promise<boolean> {
    return this.#lifecycle.reload();
  }

  close(): Promise<void> {
    this.#closing.abort();
    this.#console.close();
    return this.#lifecycle.close();
  }

  async #release(): Promise<void> {
    await this.#traces.close();
    await this.#audit?.close();
    await this.#holder.current.policies.store.close();
  }

  #buildApp(guard: AdminGuard): Hono {
    const app = new Hono();
    const decide: DecideContext = {
      mode: this.#settings.mode,
      maxBody: this.#settings.maxBody,
      runIds: this.#runIds,
      recorder: this.#recorder,
      calls: new CallMemory(),
      serveMocks: true,
      closing: this.#closing.signal,
      config: () => {
        const ctx = this.#holder.current;
        return {
          policies: ctx.policies,
          surface: ctx.mocks,
          redactor: ctx.redactor,
          chaos: ctx.chaos,
        };
      },
    };
    const traffic = (c: Context) => {
      const request = c.req.raw;
      const runId = this.#runIds.resolve({ header: request.headers });
      return this.#answer(request, runId, (c.env as ProxyEnv | undefined)?.connection);
    };
    // Hono routes on the decoded path; the admin routes answer only their own raw spelling,
    // as the gateway's do, and every other request is traffic (docs/bodies.md).
    app.use("*", (c, next) => isAdminPath(new URL(c.req.url).pathname) ? next() : traffic(c));
    app.route(
      ADMIN_PREFIX,
      adminRoutes({
        health: () => this.#health(),
        metrics: this.#metrics,
        traces: this.#settings.traces,
        guard,
        decide,
        console: this.#console.fetch,
      }),
    );
    app.onError((error, c) => {
      this.#settings.log(
        `[mirage] error answering ${c.req.method} ${c.req.path}: ${errorMessage(error)}`,
      );
      return errorAnswer(500, errorMessage(error));
    });
    return app;
  }

  /** The CI answer; a declared fault that answers nothing drops the connection instead. */
  async #answer(
    request: Request,
    runId: string,
    connection?: ClientConnection,
  ): Promise<Response> {
    const signal = AbortSignal.any([request.signal, this.#closing.signal]);
    try {
      return await handleCiRequest(this.#holder.current, this.#recorder, request, runId, {
        signal,
      });
    } catch (e) {
      if (!connection || !(e instanceof ChaosNetworkError || signal.aborted)) throw e;
      connection.abort();
      // Nobody reads this: the connection is gone. `Deno.serve` still wants a response.
      return new Response(null, { status: 204 });
    }
  }

  #health(): Record<string, unknown> {
    return {
      routes: this.routes,
      policies: this.policies,
      mode: this.#settings.mode,
      state: storeStatus(this.#holder.current.policies.store),
      ...(this.#settings.chaos ? { chaos: this.#settings.chaos } : {}),
    };
  }
}

/**
 * Loads both files, starts the proxy and prints its listening line. Throws `ConfigError` /
 * `MirageError` when a file is wrong or the port cannot be bound.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startProxy } from "./proxy.ts";
 * const traces = await Deno.makeTempDir();
 * const proxy = await startProxy({
 *   policies: "policies/procurement.yaml",
 *   mocks: "mocks/procurement.yaml",
 *   port: 0,
 *   traces,
 *   reloadOnSignal: false,
 *   watchFiles: false,
 *   log: () => {},
 * });
 * assert.ok(proxy.routes > 0);
 * const res = await fetch(`${proxy.url}/nowhere`, { headers: { "x-mirage-run-id": "r1" } });
 * assert.equal(res.status, 404);
 * await res.body?.cancel();
 * assert.deepEqual([...proxy.runIds], ["r1"]);
 * await proxy.close();
 * await Deno.remove(traces, { recursive: true });
 * ```
 */
export async function startProxy(options: ProxyOptions): Promise<ProxyHandle> {
  const s = settings(options);
  const traces = new TraceStore({ dir: s.traces, mode: "ci", reset: true, idleFlushMs: 200 });
  const runIds = new RunIdRule(options.runId === undefined ? {} : { option: options.runId });
  const guard = new AdminGuard(options);
  // The proxy owns the store it is given: a file that does not load releases it too.
  const ctx = await loadCiContext(s, options.store).catch(async (e) => {
    await options.store?.close();
    throw e;
  });
  const writer = { surface: "proxy", mode: s.mode, policiesDigest: ctx.policies.digest };
  const audit = await openAuditLog(options.audit, writer, async () => {
    await traces.close();
    await ctx.policies.store.close();
  });
  const proxy = new CiProxy(s, runIds, traces, ctx, guard, audit);
  try {
    proxy.start();
  } catch (e) {
    await proxy.close();
    throw e;
  }
  return proxy;
}
