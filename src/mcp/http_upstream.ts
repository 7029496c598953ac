/**
 * `mirage mcp --upstream`: the Streamable HTTP request path in front of a real MCP server. A
 * POST's one message is read and asked of the gate: a refused `tools/call` is answered here (HTTP
 * 200, `application/json`, the session untouched), everything else is forwarded as the same
 * bytes, under the upstream URL as the gateway forwards, and the answer — JSON or SSE — streamed
 * back as it arrives with `Mcp-Session-Id` and the other headers untouched. GET streams, DELETE
 * and any other method pass through unread: they carry no call (GET streams are ended when
 * Mirage stops, `open_streams.ts`).
 *
 * @module
 */

import type { Forwarder } from "../gateway/forward.ts";
import type { ForwardTarget } from "../gateway/upstream_url.ts";
import { decisionHeaders, errorAnswer, jsonAnswer } from "../http/answers.ts";
import { mediaType } from "../media_type.ts";
import type { ToolVerdict } from "../tools/tool_gate.ts";
import type { McpGate } from "./gate.ts";
import { idOf, type JsonRpcId } from "./jsonrpc.ts";
import type { OpenStreams } from "./open_streams.ts";
import { type PostContext, postedMessage } from "./posted_message.ts";
import { type MessageRewrite, rewriteSse } from "./sse_rewrite.ts";
import { isRecord } from "../is_record.ts";

/**
 * What every request of one upstream proxy shares.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Forwarder } from "../gateway/forward.ts";
 * import { CallMemory } from "../tools/call_memory.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { McpGate } from "./gate.ts";
 * import { loadMcpConfig } from "./mcp_config.ts";
 * import { handleUpstream, type UpstreamContext } from "./http_upstream.ts";
 * import { OpenStreams } from "./open_streams.ts";
 * const config = await loadMcpConfig({ policies: "scenarios/support_refunds/policies.yaml" });
 * const recorder = new Recorder();
 * const runIds = new RunIdRule({ env: undefined });
 * const gate = new McpGate({ mode: "enforce", recorder, calls: new CallMemory(), config: () => config, runIds });
 * const ctx: UpstreamContext = {
 *   maxBody: 1 << 20, recorder, runIds, config: () => config, gate,
 *   forwarder: new Forwarder({ upstream: new URL("http://127.0.0.1:9") }), streams: new OpenStreams(),
 * };
 * const url = new URL("http://127.0.0.1/mcp");
 * const body = JSON.stringify({
 *   jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "issue_store_credit", arguments: { credit: 900 } },
 * });
 * const res = await handleUpstream(ctx, new Request(url, { method: "POST", body }), "127.0.0.1", url);
 * const reply = await res.json(); // refused here: the upstream is never asked
 * assert.equal(reply.result.isError, true);
 * ctx.forwarder.close();
 * ```
 */
export interface UpstreamContext extends PostContext {
  /** Decides the client's messages. */
  readonly gate: McpGate;
  /** Sends requests to the MCP server. */
  readonly forwarder: Forwarder;
  /** The GET event streams, ended when Mirage stops. */
  readonly streams: OpenStreams;
}

/**
 * The MCP session header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SESSION_HEADER } from "./http_upstream.ts";
 * const headers = new Headers({ "Mcp-Session-Id": "7f3a" });
 * assert.equal(headers.get(SESSION_HEADER), "7f3a");
 * ```
 */
export const SESSION_HEADER = "mcp-session-id";

/** One request on its way to the upstream. */
interface Hop {
  readonly ctx: UpstreamContext;
  readonly request: Request;
  readonly target: ForwardTarget;
  readonly via: { readonly clientIp: string; readonly proto: string };
}

async function forward(
  hop: Hop,
  body: Uint8Array | ReadableStream<Uint8Array> | undefined,
  verdict: ToolVerdict | undefined,
): Promise<Response> {
  const res = await hop.ctx.forwarder.forward({
    request: hop.request,
    target: hop.target,
    headers: Object.fromEntries(hop.request.headers),
    body,
    via: hop.via,
    answerHeaders: verdict ? decisionHeaders(verdict, verdict.runId) : {},
  });
  if (res.ok) return res.response;
  const details = verdict ? { runId: verdict.runId, event: verdict.event } : {};
  return errorAnswer(res.status, res.error, details);
}

/** The answer to a `tools/list` with its result filtered, as JSON or as an event stream. */
async function filteredListing(res: Response, id: JsonRpcId, gate: McpGate): Promise<Response> {
  const rewrite: MessageRewrite = (m) =>
    isRecord(m) && m.id === id && "result" in m
      ? { ...m, result: gate.listing(m.result) }
      : undefined;
  const type = mediaType(res.headers.get("content-type"));
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  const init = { status: res.status, statusText: res.statusText, headers };
  if (type === "text/event-stream" && res.body) {
    return new Response(rewriteSse(res.body, rewrite), init);
  }
  if (type !== "application/json") return res;
  const text = await res.text();
  let replaced: unknown;
  try {
    replaced = rewrite(JSON.parse(text));
  } catch {
    replaced = undefined;
  }
  return new Response(replaced === undefined ? text : JSON.stringify(replaced), init);
}

/** Mirage's own answer to a call: the session header echoed, with the decision headers. */
function answered(
  reply: Readonly<Record<string, unknown>>,
  verdict: ToolVerdict | undefined,
  session: string | null,
): Response {
  const headers: Record<string, string> = verdict ? decisionHeaders(verdict, verdict.runId) : {};
  if (session !== null) headers[SESSION_HEADER] = session;
  return jsonAnswer(200, reply, headers);
}

async function posted(hop: Hop, decided: URL): Promise<Response> {
  const { ctx, request } = hop;
  const read = await postedMessage(ctx, request, decided);
  if (read instanceof Response) return read;
  const session = request.headers.get(SESSION_HEADER);
  const inspection = await ctx.gate.inspect(read.message, { headers: request.headers, session });
  if (inspection.kind === "drop") return new Response(null, { status: 202 });
  if (inspection.kind === "answer") return answered(inspection.reply, inspection.verdict, session);
  const res = await forward(hop, read.bytes, inspection.verdict);
  return inspection.listsTools && res.ok
    ? await filteredListing(res, idOf(read.message), ctx.gate)
    : res;
}

/**
 * Handles one request to the MCP endpoint (`url` is the request's URL, already parsed).
 *
 * @example
 * ```ts ignore
 * Deno.serve((req, info) => handleUpstream(ctx, req, info.remoteAddr.hostname, new URL(req.url)));
 * ```
 */
export function handleUpstream(
  ctx: UpstreamContext,
  request: Request,
  clientIp: string,
  url: URL,
): Promise<Response> {
  const { target, decided } = ctx.forwarder.urls(url);
  const hop: Hop = { ctx, request, target, via: { clientIp, proto: url.protocol.slice(0, -1) } };
  if (request.method === "POST") return posted(hop, decided);
  const res = forward(hop, request.body ?? undefined, undefined);
  return request.method === "GET" ? res.then((r) => ctx.streams.track(r)) : res;
}
