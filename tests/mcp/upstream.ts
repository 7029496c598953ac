/**
 * A real Streamable HTTP MCP server on loopback for the tests: the SDK's
 * `WebStandardStreamableHTTPServerTransport` on `Deno.serve`, one transport and `McpServer` per
 * session (stateful, as most deployed servers are), answering with SSE unless `json` is set.
 */

// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { type ServerCall, toolServer } from "./fixtures/tool_server.ts";

/** Options of {@link McpUpstream}. */
export interface McpUpstreamOptions {
  /** Answer POSTs with `application/json` instead of an event stream. */
  readonly json?: boolean;
  /** Where the server is served; default `/mcp`. */
  readonly path?: string;
}

interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: McpServer;
}

/** The server, its sessions and what reached it. */
export class McpUpstream implements AsyncDisposable {
  /** Every call that reached a tool, in order. */
  readonly calls: ServerCall[] = [];
  /** Every request that arrived at the endpoint: method, headers and body text. */
  readonly requests: { method: string; headers: Headers; body: string }[] = [];
  readonly #sessions = new Map<string, Session>();
  readonly #http: Deno.HttpServer<Deno.NetAddr>;
  readonly #options: McpUpstreamOptions;
  #release: (() => void) | undefined;
  #held: Promise<void> | undefined;

  constructor(options: McpUpstreamOptions = {}) {
    this.#options = options;
    this.#http = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      (request) => this.#handle(request),
    );
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${this.#http.addr.port}`;
  }

  /** The MCP endpoint. */
  get url(): string {
    return `${this.origin}${this.#options.path ?? "/mcp"}`;
  }

  /** Makes `slow_report` wait until {@link release}. */
  hold(): void {
    this.#held = new Promise((resolve) => (this.#release = resolve));
  }

  /** Lets a held `slow_report` finish. */
  release(): void {
    this.#release?.();
  }

  async #handle(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== (this.#options.path ?? "/mcp")) {
      return new Response("not found", { status: 404 });
    }
    const body = request.body ? await request.clone().text() : "";
    this.requests.push({ method: request.method, headers: request.headers, body });
    const id = request.headers.get("mcp-session-id");
    const known = id === null ? undefined : this.#sessions.get(id);
    if (known) return await known.transport.handleRequest(request);
    if (id !== null) return new Response("unknown session", { status: 404 });
    return await this.#open().handleRequest(request);
  }

  #open(): WebStandardStreamableHTTPServerTransport {
    const server = toolServer(this.calls, { release: () => this.#held ?? Promise.resolve() });
    const transport: WebStandardStreamableHTTPServerTransport =
      new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        enableJsonResponse: this.#options.json ?? false,
        onsessioninitialized: (sessionId): void =>
          void this.#sessions.set(sessionId, { transport, server }),
        onsessionclosed: (sessionId) => void this.#sessions.delete(sessionId),
      });
    void server.connect(transport);
    return transport;
  }

  /** Closes every session and the listener. */
  async close(): Promise<void> {
    this.release();
    for (const { server } of this.#sessions.values()) await server.close();
    this.#sessions.clear();
    await this.#http.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
