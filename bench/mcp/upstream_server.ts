/**
 * The MCP suite's server: the SDK's McpServer behind its Web-standard Streamable HTTP transport
 * on Deno.serve, one session per client (as deployed servers are), a tool that answers at once.
 * `deno run -A bench/mcp/upstream_server.ts` prints `listening on http://127.0.0.1:<port>/mcp`.
 */

// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";

const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();

function open(): WebStandardStreamableHTTPServerTransport {
  const server = new McpServer({ name: "bench-tools", version: "1.0.0" });
  server.registerTool("lookup_order", {
    description: "Looks an order up.",
    inputSchema: { order_id: z.string() },
  }, (args) => ({ content: [{ type: "text", text: `order ${args.order_id}: shipped` }] }));
  const transport: WebStandardStreamableHTTPServerTransport =
    new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id): void => void sessions.set(id, transport),
    });
  void server.connect(transport);
  return transport;
}

const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
  const id = request.headers.get("mcp-session-id");
  const known = id === null ? undefined : sessions.get(id);
  if (known) return known.handleRequest(request);
  if (id !== null) return new Response("unknown session", { status: 404 });
  return open().handleRequest(request);
});
console.log(`listening on http://127.0.0.1:${http.addr.port}/mcp`);
