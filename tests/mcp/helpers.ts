/**
 * What the MCP tests share: the fixture files, a real SDK client over Streamable HTTP, and
 * reading a tool result's text.
 */

import { fileURLToPath } from "node:url";
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

/** The text of a tool result's first content part. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content[0]?.text ?? "";
}

/** A fresh trace directory. */
export function tempTraces(): Promise<string> {
  return Deno.makeTempDir({ prefix: "mirage-mcp-traces-" });
}
