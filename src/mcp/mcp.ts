/**
 * `mirage mcp` as a library (docs/mcp.md): the policy file in front of an MCP server — a Streamable
 * HTTP server (`upstream`), a stdio server it spawns (`command`) — or, with neither, Mirage as
 * the MCP server of a mocks file's declared tools (CI). Every transport asks one gate, records
 * through one recorder (traces, metrics, decision log) and reloads its files on SIGHUP or change
 * keeping the old rules when one is wrong; the admin routes sit behind the guard.
 *
 * @module
 */

import type { Hono } from "hono";
import { type AuditLog, openAuditLog } from "../audit/audit_log.ts";
import type { Mode } from "../engine/outcome.ts";
import { errorMessage, MirageError } from "../errors.ts";
import { Forwarder } from "../gateway/forward.ts";
import { AdminGuard } from "../http/admin_guard.ts";
import { adminApp } from "../http/admin_routes.ts";
import { errorAnswer } from "../http/answers.ts";
import { DEFAULT_MAX_BODY } from "../http/body_limit.ts";
import type { DecideContext } from "../http/decide_route.ts";
import { DEFAULT_HEAD_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "../http/http_listener.ts";
import { ServerLifecycle } from "../http/lifecycle.ts";
import { Metrics } from "../http/metrics.ts";
import { Reloadable } from "../http/reloadable.ts";
import { ADMIN_PREFIX, isAdminPath } from "../http/reserved_path.ts";
import { clientIp } from "../http/serve.ts";
import { decisionLogObserver, type DecisionSink } from "../log/decision_log.ts";
import { storeStatus } from "../state/state_store.ts";
import type { ServerOptions } from "../http/server_options.ts";
import { CallMemory } from "../tools/call_memory.ts";
import type { ToolVerdict } from "../tools/tool_gate.ts";
import { type EventObserver, Recorder } from "../trace/recorder.ts";
import { type ConsoleApp, serverConsole } from "../console/console_app.ts";
import { RunIdRule } from "../trace/run_id.ts";
import { TraceStore, type TraceStoreOptions } from "../trace/trace_store.ts";
import { McpGate } from "./gate.ts";
import { handleMocksHttp, type MocksHttpContext } from "./http_mocks.ts";
import { handleUpstream, type UpstreamContext } from "./http_upstream.ts";
import { INVALID_REQUEST } from "./jsonrpc.ts";
import { LineWriter } from "./lines.ts";
import { loadMcpConfig, type McpConfig } from "./mcp_config.ts";
import { MockMcpServer } from "./mock_server.ts";
import { MockSessions } from "./mock_sessions.ts";
import { OpenStreams } from "./open_streams.ts";
import { OriginCheck } from "./origin_check.ts";
import { faultAnswer } from "./posted_message.ts";
import { StdioBridge } from "./stdio_bridge.ts";
import { StdioMocks } from "./stdio_mocks.ts";

/**
 * Options of {@link startMcp}: the policies and one of `upstream`, `command` or `mocks` are
 * required, the rest has defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // @ts-types="@modelcontextprotocol/sdk/client/index"
 * import { Client } from "@modelcontextprotocol/sdk/client/index.js";
 * // @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
 * import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
 * import { type McpOptions, startMcp } from "./mcp.ts";
 * // Other shapes: `{ upstream: new URL("http://127.0.0.1:3000"), policies, mode: "passthrough" }`
 * // proxies an MCP server; `{ command: ["npx", "-y", "@acme/mcp-server"], policies }` wraps one.
 * const traces = await Deno.makeTempDir();
 * const ci: McpOptions = {
 *   mocks: "scenarios/support_refunds/mocks.yaml",
 *   policies: "scenarios/support_refunds/policies.yaml",
 *   port: 0,
 *   runId: "nightly",
 *   watch: false,
 *   traces,
 *   log: () => {},
 * };
 * const mcp = await startMcp(ci);
 * const client = new Client({ name: "example", version: "1.0.0" });
 * await client.connect(new StreamableHTTPClientTransport(new URL(mcp.endpoint ?? "")));
 * const sent = await client.callTool({ name: "send_email", arguments: { to: "a@acme.example" } });
 * assert.deepEqual(sent.content, [{ type: "text", text: "email to a@acme.example queued" }]);
 * const leak = { to: "a@acme.example", internal_notes: "VIP" };
 * const refused = await client.callTool({ name: "send_email", arguments: leak });
 * assert.equal(refused.isError, true);
 * assert.equal(refused._meta?.["mirage/outcome"], "policy_violation");
 * assert.equal(refused._meta?.["mirage/run_id"], "nightly");
 * await client.close();
 * await mcp.close();
 * await Deno.remove(traces, { recursive: true });

 * ```
 */
export interface McpOptions extends ServerOptions {
  /** A Streamable HTTP MCP server's URL: the client's path is forwarded under it. */
  readonly upstream?: URL | undefined;
  /** A stdio MCP server to spawn: the command and its arguments. */
  readonly command?: readonly string[] | undefined;
  /**
   * A mocks file. With `upstream` or `command` its tools are the allowed surface (its
   * `strict_tools` applies); with neither, Mirage serves its declared tools as the MCP server.
   */
  readonly mocks?: string | undefined;
  /** `enforce` (default) refuses violations; `passthrough` lets them through, recorded `enforced: false`. */
  readonly mode?: Mode;
  /**
   * Port of the HTTP listener; 0 picks a free one. With `upstream` default 8002; otherwise there
   * is no listener unless a port is given (`command`: admin routes only; `mocks`: MCP over HTTP
   * instead of stdio).
   */
  readonly port?: number | undefined;
  /** Where MCP is served over HTTP; default `/mcp`. */
  readonly path?: string;
  /** Origins a browser page may call from; default the loopback origins; `*` allows any. */
  readonly allowOrigins?: readonly string[] | undefined;
  /** Leave tools that a rule blocks whatever the call out of `tools/list`; default false. */
  readonly hideBlockedTools?: boolean;
  /** Run id of calls without `x-mirage-run-id`; default `MIRAGE_RUN_ID`, else the MCP session id, else `default`. */
  readonly runId?: string | undefined;
  /** Wait for the upstream's response head, in ms; default 60,000 (a tool may take its time). */
  readonly timeoutMs?: number;
  /** Where decision lines go; default none. */
  readonly decisionLog?: DecisionSink | undefined;
  /** Where the start line, reload messages and failures go; default `console.error`. */
  readonly log?: (line: string) => void;
  /** Reload on SIGHUP and file change; default true. */
  readonly watch?: boolean;
  /** The client's side of stdio; default the process's stdin and stdout. */
  readonly stdio?: {
    readonly input: ReadableStream<Uint8Array>;
    readonly output: WritableStream<Uint8Array>;
  };
  /** How long a spawned server has to end after its stdin closed, then after SIGTERM; default 2000 ms. */
  readonly graceMs?: number;
}

/**
 * A running `mirage mcp`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type McpHandle, startMcp } from "./mcp.ts";
 * const mcp: McpHandle = await startMcp({
 *   mocks: "scenarios/support_refunds/mocks.yaml",
 *   policies: "scenarios/support_refunds/policies.yaml",
 *   port: 0,
 *   watch: false,
 *   traces: await Deno.makeTempDir(),
 *   log: () => {},
 * });
 * assert.equal(mcp.transport, "http");
 * assert.equal(await mcp.reload(), true);
 * await mcp.close();
 * assert.equal(await mcp.exited, 0);
 * ```
 */
export interface McpHandle {
  /** Where MCP is spoken to the client. */
  readonly transport: "http" | "stdio";
  /** The bound port; 0 without a listener. */
  readonly port: number;
  /** `http://<host>:<port>`; empty without a listener. */
  readonly url: string;
  /** The MCP endpoint, when MCP is served over HTTP. */
  readonly endpoint: string | undefined;
  /** stdio: the spawned server's exit code once it ended (the mocks server: 0 once the client left); HTTP: 0 after `close()`. */
  readonly exited: Promise<number>;
  /** Reloads the files now; false (and the old rules keep deciding) when one is wrong. */
  reload(): Promise<boolean>;
  /** Stops the transports and the spawned server, finishes in-flight requests, writes traces. */
  close(): Promise<void>;
}

type Kind = "upstream" | "command" | "mocks";

interface Settings {
  readonly kind: Kind;
  readonly options: McpOptions;
  readonly mode: Mode;
  readonly path: string;
  readonly traces: string;
  readonly maxBody: number;
  readonly log: (line: string) => void;
  /** The listener's port, when there is one. */
  readonly port: number | undefined;
}

function kindOf(o: McpOptions): Kind {
  if (o.upstream && o.command) {
    throw new MirageError("invalid_option", "give an upstream URL or a server command, not both");
  }
  if (o.upstream) return "upstream";
  if (o.command) {
    if (o.command.length === 0) {
      throw new MirageError("invalid_option", "the server command is empty");
    }
    return "command";
  }
  if (o.mocks === undefined) {
    throw new MirageError(
      "invalid_option",
      "give an upstream URL, a server command, or a mocks file to serve",
    );
  }
  return "mocks";
}

function settings(o: McpOptions): Settings {
  const kind = kindOf(o);
  const path = o.path ?? "/mcp";
  if (!path.startsWith("/") || isAdminPath(path)) {
    throw new MirageError(
      "invalid_option",
      `the MCP path must start with / outside ${ADMIN_PREFIX}, got '${path}'`,
    );
  }
  return {
    kind,
    options: o,
    mode: o.mode ?? "enforce",
    path,
    traces: o.traces ?? "artifacts/traces",
    maxBody: o.maxBody ?? DEFAULT_MAX_BODY,
    log: o.log ?? ((line) => console.error(line)),
    port: o.port ?? (kind === "upstream" ? 8002 : undefined),
  };
}

/** A CI run owns its run ids; a long-lived proxy appends, and leaves materialising to readers. */
function traceOptions(s: Settings): TraceStoreOptions {
  if (s.kind === "mocks") return { dir: s.traces, mode: "ci", reset: true, idleFlushMs: 200 };
  return { dir: s.traces, mode: s.mode, reset: false, materialiseOnClose: s.kind === "command" };
}

/** The MCP request path over HTTP. */
type McpOverHttp = (request: Request, clientIp: string, url: URL) => Promise<Response>;

/** The running transport that speaks stdio, if any. */
type Stdio = StdioBridge | StdioMocks;

class Mcp implements McpHandle {
  readonly transport: "http" | "stdio";
  readonly exited: Promise<number>;
  readonly #s: Settings;
  readonly #holder: Reloadable<McpConfig>;
  readonly #traces: TraceStore;
  readonly #metrics = new Metrics(() => storeStatus(this.#holder.current.policies.store));
  readonly #runIds: RunIdRule;
  readonly #gate: McpGate;
  readonly #decide: DecideContext;
  readonly #origins: OriginCheck;
  readonly #admin: Hono;
  readonly #console: ConsoleApp;
  readonly #lifecycle: ServerLifecycle<McpConfig>;
  readonly #forwarder: Forwarder | undefined;
  readonly #streams = new OpenStreams();
  readonly #audit: AuditLog | undefined;
  #http: McpOverHttp | undefined;
  #stdio: Stdio | undefined;
  #output: LineWriter | undefined;
  #closed!: (code: number) => void;

  constructor(s: Settings, initial: McpConfig, audit: AuditLog | undefined) {
    this.#s = s;
    this.#audit = audit;
    const o = s.options;
    this.transport = s.kind === "upstream" || (s.kind === "mocks" && s.port !== undefined)
      ? "http"
      : "stdio";
    const files = { policies: o.policies, mocks: o.mocks, serving: s.kind === "mocks" };
    this.#holder = new Reloadable(initial, (old) => loadMcpConfig(files, old.policies.store));
    this.#traces = new TraceStore(traceOptions(s));
    this.#runIds = new RunIdRule(o.runId === undefined ? {} : { option: o.runId });
    const observers: EventObserver[] = [this.#metrics.observer()];
    if (o.decisionLog) observers.push(decisionLogObserver(o.decisionLog));
    const recorder = new Recorder({
      traces: this.#traces,
      observers,
      strict: s.kind === "mocks",
      log: s.log,
      audit,
    });
    const shared = {
      mode: s.mode,
      recorder,
      calls: new CallMemory<ToolVerdict>(),
      serveMocks: s.kind === "mocks",
      config: () => this.#holder.current,
      runIds: this.#runIds,
    };
    this.#gate = new McpGate({ ...shared, hideBlocked: o.hideBlockedTools ?? false });
    this.#decide = { ...shared, maxBody: s.maxBody };
    this.#origins = new OriginCheck(o.allowOrigins);
    this.#forwarder = o.upstream
      ? new Forwarder({ upstream: o.upstream, timeoutMs: o.timeoutMs ?? 60_000 })
      : undefined;
    this.#console = serverConsole({
      surface: "mcp",
      mode: s.kind === "mocks" ? "ci" : s.mode,
      traces: s.traces,
      policies: o.policies,
      recorder,
    });
    this.#admin = adminApp({
      health: () => this.#health(),
      metrics: this.#metrics,
      traces: s.traces,
      guard: new AdminGuard(o),
      decide: this.#decide,
      console: this.#console.fetch,
    });
    this.#lifecycle = new ServerLifecycle({
      address: {
        port: s.port ?? 0,
        hostname: o.hostname ?? "127.0.0.1",
        idleTimeoutMs: o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        headTimeoutMs: o.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS,
        counters: this.#metrics.connections,
      },
      holder: this.#holder,
      log: s.log,
      reloaded: (cause, config) =>
        `[mirage] reloaded (${cause}) · ${config.policies.size} policies`,
      onReload: async (cause, config) => await audit?.reload(cause, config.policies.digest),
      kept: "policies",
      release: () => this.#release(),
    });
    this.exited = new Promise((resolve) => (this.#closed = resolve));
  }

  get port(): number {
    return this.#lifecycle.port;
  }

  get url(): string {
    return this.port === 0 ? "" : this.#lifecycle.url;
  }

  get endpoint(): string | undefined {
    return this.#http && this.port !== 0 ? `${this.url}${this.#s.path}` : undefined;
  }

  start(): void {
    const s = this.#s;
    this.#http = this.#mcpOverHttp();
    if (s.port !== undefined) {
      this.#lifecycle.listen((request, info) => this.#handle(request, info));
    }
    if (this.transport === "stdio") this.#startStdio();
    s.log(this.#startLine());
    if (s.options.watch ?? true) {
      const mocks = s.options.mocks;
      this.#lifecycle.watch(
        mocks === undefined ? [s.options.policies] : [s.options.policies, mocks],
      );
    }
  }

  reload(): Promise<boolean> {
    return this.#lifecycle.reload();
  }

  close(): Promise<void> {
    this.#console.close();
    const closing = this.#lifecycle.close();
    // The listener has stopped accepting; GET streams would keep the stop waiting forever.
    this.#streams.endAll();
    return closing;
  }

  #startLine(): string {
    const o = this.#s.options;
    const to = o.upstream?.href ?? (o.command ? o.command.join(" ") : `mocks ${o.mocks}`);
    const where = this.endpoint
      ? `listening on ${this.endpoint}`
      : `on stdio${this.port ? ` · admin on ${this.url}` : ""}`;
    const policies = this.#holder.current.policies.size;
    return `[mirage] mcp ${where} → ${to} · ${this.#s.mode} · ${policies} policies`;
  }

  /** The MCP request path over HTTP, if MCP is served over HTTP. */
  #mcpOverHttp(): McpOverHttp | undefined {
    const s = this.#s;
    const post = {
      maxBody: s.maxBody,
      recorder: this.#decide.recorder,
      runIds: this.#runIds,
      config: () => this.#holder.current,
    };
    if (this.#forwarder) {
      const ctx: UpstreamContext = {
        ...post,
        gate: this.#gate,
        forwarder: this.#forwarder,
        streams: this.#streams,
      };
      return (request, clientIp, url) => handleUpstream(ctx, request, clientIp, url);
    }
    if (this.transport !== "http") return undefined;
    const ctx: MocksHttpContext = {
      ...post,
      server: new MockMcpServer(this.#gate, () => this.#holder.current.tools),
      sessions: new MockSessions(),
    };
    return (request, _clientIp, url) => handleMocksHttp(ctx, request, url);
  }

  #startStdio(): void {
    const s = this.#s;
    const stdio = s.options.stdio ?? { input: Deno.stdin.readable, output: Deno.stdout.writable };
    const output = this.#output = new LineWriter(stdio.output);
    const common = { input: stdio.input, output, maxLine: s.maxBody, log: s.log };
    const stdioServer: Stdio = s.options.command
      ? StdioBridge.spawn({
        ...common,
        command: s.options.command,
        gate: this.#gate,
        ...(s.options.graceMs === undefined ? {} : { graceMs: s.options.graceMs }),
      })
      : new StdioMocks({
        ...common,
        server: new MockMcpServer(this.#gate, () => this.#holder.current.tools),
      });
    this.#stdio = stdioServer;
    stdioServer.exited.then((code) => this.#closed(code));
  }

  async #release(): Promise<void> {
    const code = this.#stdio ? await this.#stdio.stop() : 0;
    await this.#output?.close();
    await this.#traces.close();
    await this.#audit?.close();
    await this.#holder.current.policies.store.close();
    this.#forwarder?.close();
    this.#closed(code);
  }

  async #handle(request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Promise<Response> {
    try {
      const url = new URL(request.url);
      if (isAdminPath(url.pathname)) return await this.#admin.fetch(request, info);
      if (!this.#http || url.pathname !== this.#s.path) {
        await request.body?.cancel();
        const where = this.#http ? `MCP is served at ${this.#s.path}` : "MCP is served on stdio";
        return errorAnswer(404, `nothing at ${url.pathname}: ${where}`);
      }
      const origin = request.headers.get("origin");
      if (!this.#origins.allows(origin)) {
        await request.body?.cancel();
        const message = `Origin ${origin} is not allowed (--allow-origin)`;
        return faultAnswer(403, { code: INVALID_REQUEST, message, id: null });
      }
      return await this.#http(request, clientIp(info.remoteAddr), url);
    } catch (e) {
      // A bug must not let a message through unexamined: answer 500 and say why.
      this.#s.log(`[mirage] error answering ${request.method} ${request.url}: ${errorMessage(e)}`);
      return errorAnswer(500, errorMessage(e));
    }
  }

  #health(): Record<string, unknown> {
    const o = this.#s.options;
    const config = this.#holder.current;
    const health: Record<string, unknown> = {
      mode: this.#s.mode,
      transport: this.transport,
      policies: config.policies.size,
    };
    if (o.upstream) health.upstream = o.upstream.href;
    if (o.command) health.command = o.command.join(" ");
    if (config.surface) health.tools = config.surface.tools.tools.size;
    health.state = storeStatus(config.policies.store);
    return health;
  }
}

/**
 * Loads the files, starts `mirage mcp` and logs its start line. Throws `ConfigError` /
 * `MirageError` when a file is wrong, the options contradict each other, the port cannot be
 * bound or the server command cannot be started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startMcp } from "./mcp.ts";
 * const mcp = await startMcp({
 *   mocks: "scenarios/support_refunds/mocks.yaml",
 *   policies: "scenarios/support_refunds/policies.yaml",
 *   port: 0,
 *   watch: false,
 *   traces: await Deno.makeTempDir(),
 *   log: () => {},
 * });
 * assert.match(mcp.endpoint ?? "", /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
 * await mcp.close();
 * ```
 */
export async function startMcp(options: McpOptions): Promise<McpHandle> {
  const s = settings(options);
  const files = { policies: options.policies, mocks: options.mocks, serving: s.kind === "mocks" };
  // `mirage mcp` owns the store it is given: a file that does not load releases it too.
  const config = await loadMcpConfig(files, options.store).catch(async (e) => {
    await options.store?.close();
    throw e;
  });
  const writer = { surface: "mcp", mode: s.mode, policiesDigest: config.policies.digest };
  const audit = await openAuditLog(options.audit, writer, () => config.policies.store.close());
  const mcp = new Mcp(s, config, audit);
  try {
    mcp.start();
  } catch (e) {
    await mcp.close();
    throw e;
  }
  return mcp;
}
