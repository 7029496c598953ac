/**
 * What the MCP tests share: the fixture files, a real SDK client over Streamable HTTP, and
 * reading a tool result's text.
 */

import { fileURLToPath } from "node:url";
import { type McpHandle, type McpOptions, startMcp } from "../../src/mcp/mcp.ts";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** The fixture files. */
export const FIXTURES = {
  policies: fileURLToPath(new URL("./fixtures/policies.yaml", import.meta.url)),
  mocks: fileURLToPath(new URL("./fixtures/mocks.yaml", import.meta.url)),
  stdioServer: fileURLToPath(new URL("./fixtures/stdio_server.ts", import.meta.url)),
};

/** A connected SDK client; `close()` ends its session. */
export async function httpClient(endpoint: string, headers: HeadersInit = {}): Promise<Client> {
  const client = new Client({ name: "mirage-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
    requestInit: { headers },
  });
  await client.connect(transport);
  return client;
}

/** Calls a tool through a connected client. */
export function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): ReturnType<Client["callTool"]> {
  return client.callTool({ name, arguments: args });
}

/** The text of a tool result's first content part. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content[0]?.text ?? "";
}

/** A fresh trace directory. */
export function tempTraces(): Promise<string> {
  return Deno.makeTempDir({ prefix: "mirage-mcp-traces-" });
}

/** A `mirage mcp` for a test, with its own trace directory; disposing stops it and removes that. */
export interface TestMcp extends AsyncDisposable {
  readonly mcp: McpHandle;
  readonly traces: string;
}

/** Starts `mirage mcp` on a free port with the fixture policies, quiet, not watching files. */
export async function testMcp(options: Partial<McpOptions>): Promise<TestMcp> {
  const traces = await tempTraces();
  const mcp = await startMcp({
    policies: FIXTURES.policies,
    port: 0,
    watch: false,
    traces,
    log: () => {},
    ...options,
  });
  return {
    mcp,
    traces,
    async [Symbol.asyncDispose]() {
      await mcp.close();
      await Deno.remove(traces, { recursive: true });
    },
  };
}

/** {@link testMcp} as the mocks server of the fixture mocks. */
export function mocksMcp(options: Partial<McpOptions> = {}): Promise<TestMcp> {
  return testMcp({ mocks: FIXTURES.mocks, ...options });
}

/** A raw `initialize` request, as a client sends it first. */
export function initializeMessage(id: string | number, protocolVersion = "2025-06-18"): unknown {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
}

/** A raw `tools/call` request. */
export function callMessage(id: string | number, name: string, args: unknown): unknown {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } };
}
