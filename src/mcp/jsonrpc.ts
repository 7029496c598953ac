/**
 * JSON-RPC 2.0 as MCP carries it: one message per HTTP body or stdio line, read strictly so that
 * Mirage decides on exactly what the server would execute. Anything Mirage cannot read as one
 * message is a protocol fault, answered as a JSON-RPC error and never passed on (a server with
 * a more lenient parser could otherwise run a call Mirage never saw).
 *
 * @module
 */

import { isRecord } from "../is_record.ts";

/**
 * A JSON-RPC id: requests carry a string or a number; errors to unreadable messages `null`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { idKey, type JsonRpcId } from "./jsonrpc.ts";
 * const ids: JsonRpcId[] = [1, "1", null];
 * assert.equal(new Set(ids.map(idKey)).size, 3);
 * ```
 */
export type JsonRpcId = string | number | null;

/**
 * One JSON-RPC message, parsed: an object with `jsonrpc: "2.0"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type JsonRpcMessage, methodOf } from "./jsonrpc.ts";
 * const ping: JsonRpcMessage = { jsonrpc: "2.0", id: 1, method: "ping" };
 * assert.equal(methodOf(ping), "ping");
 * ```
 */
export type JsonRpcMessage = Readonly<Record<string, unknown>>;

/**
 * Invalid JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PARSE_ERROR, parseMessage } from "./jsonrpc.ts";
 * const p = parseMessage('{"jsonrpc":"2.0",');
 * assert.equal(p.ok ? undefined : p.fault.code, PARSE_ERROR);
 * ```
 */
export const PARSE_ERROR = -32700;
/**
 * Not a JSON-RPC message (or a batch, which MCP no longer allows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INVALID_REQUEST, parseMessage } from "./jsonrpc.ts";
 * const p = parseMessage('{"id":1,"method":"ping"}'); // no "jsonrpc": "2.0"
 * assert.equal(p.ok ? undefined : p.fault.code, INVALID_REQUEST);
 * ```
 */
export const INVALID_REQUEST = -32600;
/**
 * A method the server does not have.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallMemory } from "../tools/call_memory.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { McpGate } from "./gate.ts";
 * import { loadMcpConfig } from "./mcp_config.ts";
 * import { METHOD_NOT_FOUND } from "./jsonrpc.ts";
 * import { MockMcpServer } from "./mock_server.ts";
 * const config = await loadMcpConfig({ policies: "scenarios/support_refunds/policies.yaml" });
 * const gate = new McpGate({
 *   mode: "enforce", recorder: new Recorder(), calls: new CallMemory(),
 *   config: () => config, runIds: new RunIdRule({ env: undefined }),
 * });
 * const reply = await new MockMcpServer(gate, () => []).answer({ jsonrpc: "2.0", id: 3, method: "resources/list" }, {});
 * assert.equal((reply?.error as { code: number }).code, METHOD_NOT_FOUND);
 * ```
 */
export const METHOD_NOT_FOUND = -32601;
/**
 * A method's params are not what it takes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallMemory } from "../tools/call_memory.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { McpGate } from "./gate.ts";
 * import { loadMcpConfig } from "./mcp_config.ts";
 * import { INVALID_PARAMS } from "./jsonrpc.ts";
 * const config = await loadMcpConfig({ policies: "scenarios/support_refunds/policies.yaml" });
 * const gate = new McpGate({
 *   mode: "enforce", recorder: new Recorder(), calls: new CallMemory(),
 *   config: () => config, runIds: new RunIdRule({ env: undefined }),
 * });
 * const answer = await gate.inspect({ jsonrpc: "2.0", id: 4, method: "tools/call", params: {} }, {});
 * assert.equal(answer.kind === "answer" && (answer.reply.error as { code: number }).code, INVALID_PARAMS);
 * ```
 */
export const INVALID_PARAMS = -32602;

/**
 * Why a message was refused before anything decided on it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INVALID_REQUEST, parseMessage, type RpcFault } from "./jsonrpc.ts";
 * const refused = (text: string): RpcFault | undefined => {
 *   const p = parseMessage(text);
 *   return p.ok ? undefined : p.fault;
 * };
 * const batch = refused('[{"jsonrpc":"2.0","id":1,"method":"ping"}]');
 * assert.deepEqual([batch?.code, batch?.id], [INVALID_REQUEST, null]);
 * assert.match(batch?.message ?? "", /^batches are not accepted/);
 * // A readable id is kept, so that the error answers the request.
 * assert.deepEqual(refused('{"jsonrpc":"2.0","id":7,"method":1}'), {
 *   code: INVALID_REQUEST,
 *   message: "a JSON-RPC method is a string",
 *   id: 7,
 * });
 * assert.equal(refused('{"jsonrpc":"2.0","id":1,"method":"ping"}'), undefined);

 * ```
 */
export interface RpcFault {
  /** The JSON-RPC error code. */
  readonly code: number;
  /** What was wrong, readably. */
  readonly message: string;
  /** The message's id when it had a readable one, else `null`. */
  readonly id: JsonRpcId;
}

/** A parsed message, or the fault that refuses it. */
type Parsed =
  | { readonly ok: true; readonly message: JsonRpcMessage }
  | { readonly ok: false; readonly fault: RpcFault };

function isId(v: unknown): v is JsonRpcId {
  return typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) || v === null;
}

function fault(code: number, message: string, id: JsonRpcId = null): Parsed {
  return { ok: false, fault: { code, message, id } };
}

/**
 * Reads one JSON-RPC message from its text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "./jsonrpc.ts";
 * assert.equal(parseMessage('{"jsonrpc":"2.0","id":1,"method":"ping"}').ok, true);
 * const p = parseMessage('[{"jsonrpc":"2.0","id":1,"method":"ping"}]');
 * assert.deepEqual(p, {
 *   ok: false,
 *   fault: { code: -32600, message: "batches are not accepted: send one JSON-RPC message at a time (MCP 2025-06-18)", id: null },
 * });
 * ```
 */
export function parseMessage(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fault(PARSE_ERROR, `Parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (Array.isArray(value)) {
    return fault(
      INVALID_REQUEST,
      "batches are not accepted: send one JSON-RPC message at a time (MCP 2025-06-18)",
    );
  }
  if (!isRecord(value) || value.jsonrpc !== "2.0") {
    return fault(INVALID_REQUEST, "not a JSON-RPC 2.0 message");
  }
  const id = "id" in value ? value.id : null;
  if (!isId(id)) return fault(INVALID_REQUEST, "a JSON-RPC id is a string or a number");
  if ("method" in value && typeof value.method !== "string") {
    return fault(INVALID_REQUEST, "a JSON-RPC method is a string", id);
  }
  return { ok: true, message: value };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads one JSON-RPC message from its bytes; bytes that are not UTF-8 are a parse error (two
 * decoders could otherwise read different text from them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMessage } from "./jsonrpc.ts";
 * const p = decodeMessage(new TextEncoder().encode('{"jsonrpc":"2.0","method":"notifications/initialized"}'));
 * assert.equal(p.ok, true);
 * assert.deepEqual(decodeMessage(new Uint8Array([0xff])), {
 *   ok: false,
 *   fault: { code: -32700, message: "Parse error: the message is not UTF-8", id: null },
 * });
 * ```
 */
export function decodeMessage(bytes: Uint8Array): Parsed {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return fault(PARSE_ERROR, "Parse error: the message is not UTF-8");
  }
  return parseMessage(text);
}

/**
 * The message's method, when it is a request or a notification.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { methodOf } from "./jsonrpc.ts";
 * assert.equal(methodOf({ jsonrpc: "2.0", id: 1, method: "tools/list" }), "tools/list");
 * assert.equal(methodOf({ jsonrpc: "2.0", id: 1, result: {} }), undefined);
 * ```
 */
export function methodOf(message: JsonRpcMessage): string | undefined {
  return typeof message.method === "string" ? message.method : undefined;
}

/**
 * The message's id (`null` when it has none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { idOf } from "./jsonrpc.ts";
 * assert.equal(idOf({ jsonrpc: "2.0", method: "notifications/initialized" }), null);
 * assert.equal(idOf({ jsonrpc: "2.0", id: 7, method: "ping" }), 7);
 * ```
 */
export function idOf(message: JsonRpcMessage): JsonRpcId {
  return isId(message.id) ? message.id : null;
}

/**
 * A key for an id that tells `1` from `"1"` (different ids in JSON-RPC).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { idKey } from "./jsonrpc.ts";
 * assert.notEqual(idKey(1), idKey("1"));
 * ```
 */
export function idKey(id: unknown): string {
  return `${typeof id}:${String(id)}`;
}

/**
 * A JSON-RPC error message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rpcError, METHOD_NOT_FOUND } from "./jsonrpc.ts";
 * assert.deepEqual(rpcError(3, METHOD_NOT_FOUND, "no method resources/list"), {
 *   jsonrpc: "2.0", id: 3, error: { code: -32601, message: "no method resources/list" },
 * });
 * ```
 */
export function rpcError(id: JsonRpcId, code: number, message: string): JsonRpcMessage {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

/**
 * A JSON-RPC result message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rpcResult } from "./jsonrpc.ts";
 * assert.equal(JSON.stringify(rpcResult(1, {})), '{"jsonrpc":"2.0","id":1,"result":{}}');
 * ```
 */
export function rpcResult(id: JsonRpcId, result: unknown): JsonRpcMessage {
  return { jsonrpc: "2.0", id, result };
}

/**
 * The error message answering a fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { faultReply, PARSE_ERROR } from "./jsonrpc.ts";
 * assert.deepEqual(faultReply({ code: PARSE_ERROR, message: "Parse error", id: null }), {
 *   jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" },
 * });
 * ```
 */
export function faultReply(f: RpcFault): JsonRpcMessage {
  return rpcError(f.id, f.code, f.message);
}
