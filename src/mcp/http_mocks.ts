/**
 * `mirage mcp --mocks` over Streamable HTTP: the mock server at the MCP endpoint. `initialize`
 * opens a session (its id deterministic, `Mcp-Session-Id` on the answer); every later POST names
 * an open session (400 without one, 404 for one that ended, as the transport spec says); answers
 * are JSON, notifications get 202; DELETE ends a session; GET has no server stream (405).
 *
 * @module
 */

import { errorAnswer, jsonAnswer } from "../http/answers.ts";
import { SESSION_HEADER } from "./http_upstream.ts";
import { INVALID_REQUEST, methodOf } from "./jsonrpc.ts";
import type { MockMcpServer } from "./mock_server.ts";
import type { MockSessions } from "./mock_sessions.ts";
import { faultAnswer, type PostContext, postedMessage } from "./posted_message.ts";

/**
 * What every request to one mocks server shares.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallMemory } from "../tools/call_memory.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { McpGate } from "./gate.ts";
 * import { loadMcpConfig } from "./mcp_config.ts";
 * import { handleMocksHttp, type MocksHttpContext } from "./http_mocks.ts";
 * import { MockMcpServer } from "./mock_server.ts";
 * import { MockSessions } from "./mock_sessions.ts";
 * const config = await loadMcpConfig({
 *   policies: "scenarios/support_refunds/policies.yaml", mocks: "scenarios/support_refunds/mocks.yaml", serving: true,
 * });
 * const recorder = new Recorder();
 * const runIds = new RunIdRule({ env: undefined });
 * const gate = new McpGate({ mode: "enforce", recorder, calls: new CallMemory(), serveMocks: true, config: () => config, runIds });
 * const ctx: MocksHttpContext = {
 *   maxBody: 1 << 20, recorder, runIds, config: () => config,
 *   server: new MockMcpServer(gate, () => config.tools), sessions: new MockSessions(),
 * };
 * const url = new URL("http://127.0.0.1/mcp");
 * const post = (body: string) => handleMocksHttp(ctx, new Request(url, { method: "POST", body }), url);
 * const opened = await post('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}');
 * await opened.body?.cancel();
 * assert.equal(ctx.sessions.has(opened.headers.get("mcp-session-id") ?? ""), true);
 * const unnamed = await post('{"jsonrpc":"2.0","id":2,"method":"ping"}'); // no Mcp-Session-Id
 * await unnamed.body?.cancel();
 * assert.equal(unnamed.status, 400);
 * ```
 */
export interface MocksHttpContext extends PostContext {
  /** Answers the messages. */
  readonly server: MockMcpServer;
  /** The open sessions. */
  readonly sessions: MockSessions;
}

const NO_STREAM = { allow: "POST, DELETE" };

/** The open session a request names, or the answer refusing it. */
function sessionOf(ctx: MocksHttpContext, request: Request): string | Response {
  const session = request.headers.get(SESSION_HEADER);
  if (session === null) {
    const message = "Bad Request: Mcp-Session-Id header is required (send initialize first)";
    return faultAnswer(400, { code: INVALID_REQUEST, message, id: null });
  }
  if (!ctx.sessions.has(session)) {
    return faultAnswer(404, { code: -32001, message: "Session not found", id: null });
  }
  return session;
}

async function post(ctx: MocksHttpContext, request: Request, url: URL): Promise<Response> {
  const read = await postedMessage(ctx, request, url);
  if (read instanceof Response) return read;
  const opening = methodOf(read.message) === "initialize" && "id" in read.message;
  const session = opening ? ctx.sessions.open() : sessionOf(ctx, request);
  if (session instanceof Response) return session;
  const reply = await ctx.server.answer(read.message, { headers: request.headers, session });
  if (reply === undefined) return new Response(null, { status: 202 });
  return jsonAnswer(200, reply, { [SESSION_HEADER]: session });
}

/**
 * Handles one request to the mocks server's MCP endpoint.
 *
 * @example
 * ```ts ignore
 * Deno.serve((req) => handleMocksHttp(ctx, req, new URL(req.url)));
 * ```
 */
export async function handleMocksHttp(
  ctx: MocksHttpContext,
  request: Request,
  url: URL,
): Promise<Response> {
  if (request.method === "POST") return await post(ctx, request, url);
  if (request.method === "DELETE") {
    const session = sessionOf(ctx, request);
    if (session instanceof Response) return session;
    ctx.sessions.end(session);
    return new Response(null, { status: 200 });
  }
  await request.body?.cancel();
  return errorAnswer(405, `${request.method} is not served here: POST messages, DELETE a session`, {
    code: "method_not_allowed",
    headers: NO_STREAM,
  });
}
