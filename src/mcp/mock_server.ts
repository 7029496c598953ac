/**
 * `mirage mcp --mocks` with no upstream: Mirage is the MCP server, so that an agent's MCP client
 * runs in CI with no real server. It answers `initialize`, `ping`, `tools/list` (the declared
 * tools, with their input schemas) and `tools/call` (decided, then answered by the tool mocks);
 * notifications and responses need no answer; any other method is not found. The same for
 * every transport: a transport hands it one message and writes the reply, if any.
 *
 * @module
 */

import config from "../../deno.json" with { type: "json" };
import type { McpGate, MessageSource } from "./gate.ts";
import {
  idOf,
  type JsonRpcMessage,
  METHOD_NOT_FOUND,
  methodOf,
  rpcError,
  rpcResult,
} from "./jsonrpc.ts";
import type { McpTool } from "./tool_listing.ts";

/** Protocol versions this server speaks, newest first. */
const PROTOCOL_VERSIONS: readonly string[] = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
];

/** The version a client asked for when this server speaks it, else the newest. */
function negotiated(message: JsonRpcMessage): string {
  const params = message.params as { protocolVersion?: unknown } | undefined;
  const asked = params?.protocolVersion;
  return typeof asked === "string" && PROTOCOL_VERSIONS.includes(asked)
    ? asked
    : PROTOCOL_VERSIONS[0] as string;
}

/**
 * The MCP server of the declared tools.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallMemory } from "../tools/call_memory.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { McpGate } from "./gate.ts";
 * import { loadMcpConfig } from "./mcp_config.ts";
 * import { MockMcpServer } from "./mock_server.ts";
 * const config = await loadMcpConfig({ policies: "scenarios/support_refunds/policies.yaml", mocks: "scenarios/support_refunds/mocks.yaml", serving: true });
 * const gate = new McpGate({ mode: "enforce", recorder: new Recorder(), calls: new CallMemory(), serveMocks: true, config: () => config, runIds: new RunIdRule({ env: undefined }) });
 * const server = new MockMcpServer(gate, () => config.tools);
 * const reply = await server.answer({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "send_email", arguments: { to: "a@b.example" } } }, {});
 * assert.deepEqual(reply?.result, { content: [{ type: "text", text: "email to a@b.example queued" }] });
 * ```
 */
export class MockMcpServer {
  readonly #gate: McpGate;
  readonly #tools: () => readonly McpTool[];

  /** A server deciding calls with `gate` and listing `tools()`. */
  constructor(gate: McpGate, tools: () => readonly McpTool[]) {
    this.#gate = gate;
    this.#tools = tools;
  }

  /** The reply to one message; `undefined` for a notification or a response. */
  async answer(
    message: JsonRpcMessage,
    source: MessageSource,
  ): Promise<JsonRpcMessage | undefined> {
    const method = methodOf(message);
    // A notification, or a response to nothing this server asked: nothing to answer.
    if (method === undefined || !("id" in message)) return undefined;
    const id = idOf(message);
    switch (method) {
      case "initialize":
        return rpcResult(id, {
          protocolVersion: negotiated(message),
          capabilities: { tools: { listChanged: false } },
          serverInfo: { name: "mirage", version: config.version },
          instructions: "Tools declared in a Mirage mocks file; every call is decided by policy.",
        });
      case "ping":
        return rpcResult(id, {});
      case "tools/list":
        return rpcResult(id, this.#gate.listing({ tools: this.#tools() }));
      case "tools/call":
        return await this.#call(message, source);
      default:
        return rpcError(id, METHOD_NOT_FOUND, `Method not found: ${method}`);
    }
  }

  async #call(message: JsonRpcMessage, source: MessageSource): Promise<JsonRpcMessage> {
    const inspection = await this.#gate.inspect(message, source);
    if (inspection.kind === "answer") return inspection.reply;
    // Only a passthrough call outside the declared tools gets here: there is no tool to run.
    const params = message.params as { name?: unknown };
    return rpcResult(idOf(message), {
      content: [{ type: "text", text: `no tool mock declared for tool ${String(params.name)}` }],
      isError: true,
    });
  }
}
