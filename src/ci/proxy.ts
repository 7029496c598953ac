/**
 * `mirage proxy` as a library: the CI request path behind an HTTP server, with the admin
 * routes (`v1/decide` included: tool calls are decided, answered with their tool mocks and
 * recorded in the run like requests), metrics, one log line per request, and reload on SIGHUP
 * or file change. Used by the `proxy` command, by `gate-run -- COMMAND` and by the demo.
 *
 * @module
 */

import { Hono } from "hono";
import type { Mode } from "../engine/outcome.ts";
import { errorMessage } from "../errors.ts";
import { ADMIN_PREFIX, adminRoutes } from "../http/admin_routes.ts";
import { errorAnswer } from "../http/answers.ts";
import { type DecideContext, handleDecide } from "../http/decide_route.ts";
import { ServerLifecycle } from "../http/lifecycle.ts";
import { Metrics } from "../http/metrics.ts";
import { Reloadable } from "../http/reloadable.ts";
import { requestLogObserver } from "../log/request_log.ts";
import { Recorder } from "../trace/recorder.ts";
import { RunIdRule } from "../trace/run_id.ts";
import { TraceStore } from "../trace/trace_store.ts";
import { CallMemory } from "../tools/call_memory.ts";
import { loadCiContext } from "./ci_context.ts";
import { type CiContext, handleCiRequest } from "./ci_handler.ts";
import { type StateStore, storeStatus } from "../state/state_store.ts";

/**
 * Options of {@link startProxy}; everything but the two files has a default.
 *
 * @example
 * ```ts
 * import type { ProxyOptions } from "./proxy.ts";
 * const o: ProxyOptions = { policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", port: 0 };
 * ```
 */
export interface ProxyOptions {
  /** Path of the policies file. */
  readonly policies: string;
  /** Path of the mocks file. */
  readonly mocks: string;
  /** Port; 0 picks a free one. Default 8001. */
  readonly port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  readonly hostname?: string;
  /** Trace directory; default `artifacts/traces`. */
  readonly traces?: string;
  /** Run id of requests without an `x-mirage-run-id` header; default `MIRAGE_RUN_ID`, else `default`. */
  readonly runId?: string;
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
  /** Where the state operators keep state (kept across reloads, closed with the proxy); default in memory. */
  readonly store?: StateStore;
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

type Settings = Required<Omit<ProxyOptions, "runId" | "store">>;

/** Bytes of a posted `v1/decide` action read at most (the gateway's default inspection limit). */
const DECIDE_MAX_BODY = 1024 * 1024;

function settings(o: ProxyOptions): Settings {
  return {
    policies: o.policies,
    mocks: o.mocks,
    port: o.port ?? 8001,
    hostname: o.hostname ?? "127.0.0.1",
    traces: o.traces ?? "artifacts/traces",
    mode: o.mode ?? "enforce",
    reloadOnSignal: o.reloadOnSignal ?? true,
    watchFiles: o.watchFiles ?? true,
    log: o.log ?? ((line) => console.log(line)),
    colour: o.colour ?? false,
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

class CiProxy implements ProxyHandle {
  readonly runIds = new Set<string>();
  readonly #settings: Settings;
  readonly #runIds: RunIdRule;
  readonly #holder: Reloadable<CiContext>;
  readonly #metrics = new Metrics(() => storeStatus(this.#holder.current.policies.store));
  readonly #traces: TraceStore;
  readonly #recorder: Recorder;
  readonly #app: Hono;
  readonly #lifecycle: ServerLifecycle<CiContext>;

  constructor(s: Settings, runIds: RunIdRule, traces: TraceStore, initial: CiContext) {
    this.#settings = s;
    this.#runIds = runIds;
    this.#traces = traces;
    this.#holder = new Reloadable(initial, (old) => loadCiContext(s, old.policies.store));
    this.#recorder = new Recorder({
      traces,
      strict: true,
      observers: [
        this.#metrics.observer(),
        requestLogObserver(s.log, s.colour),
        ({ runId }) => this.runIds.add(runId),
      ],
    });
    this.#app = this.#buildApp();
    this.#lifecycle = new ServerLifecycle({
      address: s,
      holder: this.#holder,
      log: s.log,
      reloaded: (_cause, ctx) => `[mirage] reloaded · ${sizes(ctx)}`,
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
    this.#lifecycle.listen((request) => this.#app.fetch(request));
    const s = this.#settings;
    const mode = s.mode === "enforce" ? "" : " · passthrough";
    s.log(`[mirage] proxy listening on :${this.port} · ${sizes(this.#holder.current)}${mode}`);
    if (s.reloadOnSignal || s.watchFiles) {
      this.#lifecycle.watch(s.watchFiles ? [s.policies, s.mocks] : [], s.reloadOnSignal);
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
  }

  #buildApp(): Hono {
    const app = new Hono();
    const decide: DecideContext = {
      mode: this.#settings.mode,
      maxBody: DECIDE_MAX_BODY,
      runIds: this.#runIds,
      recorder: this.#recorder,
      calls: new CallMemory(),
      serveMocks: true,
      config: () => {
        const ctx = this.#holder.current;
        return { policies: ctx.policies, surface: ctx.mocks, redactor: ctx.redactor };
      },
    };
    app.post(`${ADMIN_PREFIX}/v1/decide`, (c) => handleDecide(decide, c.req.raw));
    app.route(
      ADMIN_PREFIX,
      adminRoutes({
        health: () => this.#health(),
        metrics: this.#metrics,
        traces: this.#settings.traces,
      }),
    );
    app.all("*", (c) => {
      const request = c.req.raw;
      const runId = this.#runIds.resolve({ header: request.headers });
      return handleCiRequest(this.#holder.current, this.#recorder, request, runId);
    });
    app.onError((error, c) => {
      this.#settings.log(
        `[mirage] error answering ${c.req.method} ${c.req.path}: ${errorMessage(error)}`,
      );
      return errorAnswer(500, errorMessage(error));
    });
    return app;
  }

  #health(): Record<string, unknown> {
    return {
      routes: this.routes,
      policies: this.policies,
      mode: this.#settings.mode,
      state: storeStatus(this.#holder.current.policies.store),
    };
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
 *   policies: "policies/procurement.yaml",
 *   mocks: "mocks/procurement.yaml",
 *   port: 0,
 *   reloadOnSignal: false,
 *   watchFiles: false,
 * });
 * console.log(proxy.routes > 0); // true
 * await proxy.close();
 * ```
 */
export async function startProxy(options: ProxyOptions): Promise<ProxyHandle> {
  const s = settings(options);
  const traces = new TraceStore({ dir: s.traces, mode: "ci", reset: true, idleFlushMs: 200 });
  const runIds = new RunIdRule(options.runId === undefined ? {} : { option: options.runId });
  // The proxy owns the store it is given: a file that does not load releases it too.
  const ctx = await loadCiContext(s, options.store).catch(async (e) => {
    await options.store?.close();
    throw e;
  });
  const proxy = new CiProxy(s, runIds, traces, ctx);
  try {
    proxy.start();
  } catch (e) {
    await proxy.close();
    throw e;
  }
  return proxy;
}
