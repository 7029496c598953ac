/**
 * The one JSON-RPC message of a Streamable HTTP POST, read up to the inspection limit, and the
 * answers to what cannot be read: protocol faults stay JSON-RPC errors (docs/mcp.md). A body over
 * the limit is an operational failure as well (docs/outcomes.md): it is recorded as an `error` event with
 * the 413 Mirage answered, since it could have been a call the rules never saw. A request whose
 * body is unreadable JSON or a batch is not recorded: nothing was asked that anyone could run.
 *
 * @module
 */

import { httpAction } from "../engine/action.ts";
import { errorMessage } from "../errors.ts";
import { jsonAnswer } from "../http/answers.ts";
import { readRequestBody } from "../http/body_limit.ts";
import { buildEvent } from "../trace/event.ts";
import type { Recorder } from "../trace/recorder.ts";
import type { Redactor } from "../trace/redact.ts";
import type { RunIdRule } from "../trace/run_id.ts";
import { elapsedUs } from "../trace/timing.ts";
import {
  decodeMessage,
  faultReply,
  INVALID_REQUEST,
  type JsonRpcMessage,
  PARSE_ERROR,
  type RpcFault,
} from "./jsonrpc.ts";

/** A posted message, or why there is none (with the HTTP status to answer). */
type Posted =
  | { readonly kind: "message"; readonly message: JsonRpcMessage; readonly bytes: Uint8Array }
  | {
    readonly kind: "fault";
    readonly status: number;
    readonly fault: RpcFault;
    /** The body was over the limit (413). */
    readonly oversized: boolean;
  };

function refused(status: number, code: number, message: string, oversized = false): Posted {
  return { kind: "fault", status, fault: { code, message, id: null }, oversized };
}

/** Reads the message of a POST: at most `maxBody` bytes, then strictly parsed. */
async function readPosted(request: Request, maxBody: number): Promise<Posted> {
  let body;
  try {
    body = await readRequestBody(request, maxBody);
  } catch (e) {
    return refused(400, PARSE_ERROR, `cannot read the request body: ${errorMessage(e)}`);
  }
  if (body.kind === "over") {
    await body.stream.cancel().catch(() => {});
    return refused(413, INVALID_REQUEST, `message larger than ${maxBody} bytes`, true);
  }
  const parsed = decodeMessage(body.kind === "complete" ? body.bytes : new Uint8Array());
  if (!parsed.ok) return { kind: "fault", status: 400, fault: parsed.fault, oversized: false };
  return {
    kind: "message",
    message: parsed.message,
    bytes: body.kind === "complete" ? body.bytes : new Uint8Array(),
  };
}

/**
 * The answer to a protocol fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { faultAnswer } from "./posted_message.ts";
 * const res = faultAnswer(400, { code: -32700, message: "Parse error", id: null });
 * assert.equal(res.status, 400);
 * assert.deepEqual(await res.json(), { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
 * ```
 */
export function faultAnswer(status: number, fault: RpcFault): Response {
  return jsonAnswer(status, faultReply(fault));
}

/**
 * What reading a POST needs: the limit, and where a refused body is recorded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Recorder } from "../trace/recorder.ts";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { type PostContext, postedMessage } from "./posted_message.ts";
 * const redactor = compileRedactor([]);
 * const ctx: PostContext = { maxBody: 1024, recorder: new Recorder(), runIds: new RunIdRule(), config: () => ({ redactor }) };
 * const url = new URL("http://127.0.0.1/mcp");
 * const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
 * const read = await postedMessage(ctx, new Request(url, { method: "POST", body }), url);
 * assert.ok(!(read instanceof Response));
 * assert.equal(read.message.method, "ping");
 * assert.equal(new TextDecoder().decode(read.bytes), body); // passed on as it came
 * ```
 */
export interface PostContext {
  /** Bytes of a posted message read at most. */
  readonly maxBody: number;
  /** Where a refused body is recorded. */
  readonly recorder: Recorder;
  /** Which run a refused body belongs to. */
  readonly runIds: RunIdRule;
  /** The redactor now. */
  readonly config: () => { readonly redactor: Redactor };
}

/** The message of a POST. */
interface PostedMessage {
  /** The message. */
  readonly message: JsonRpcMessage;
  /** Its bytes, to pass on as they came. */
  readonly bytes: Uint8Array;
}

/** Records a body over the limit as an `error` event of its run. */
function recordOversized(
  ctx: PostContext,
  request: Request,
  url: URL,
  error: string,
  start: number,
): Promise<number> {
  const at = new Date().toISOString();
  const runId = ctx.runIds.resolve({
    header: request.headers,
    mcpSession: request.headers.get("mcp-session-id"),
  });
  const action = httpAction({ method: request.method, url, headers: request.headers, runId });
  const event = buildEvent(
    { action, outcome: "error", enforced: true, response: { status: 413 }, error },
    ctx.config().redactor,
    { host: true },
  );
  const us = elapsedUs(start);
  return ctx.recorder.record(runId, event, { at, evaluate_us: 0, decide_us: us, total_us: us });
}

/**
 * The message of a POST, or the answer that refuses it (a body over the limit recorded first;
 * `url` is what the rules would have read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Recorder } from "../trace/recorder.ts";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { postedMessage } from "./posted_message.ts";
 * const redactor = compileRedactor([]);
 * const ctx = { maxBody: 8, recorder: new Recorder(), runIds: new RunIdRule(), config: () => ({ redactor }) };
 * const url = new URL("http://127.0.0.1/mcp");
 * const res = await postedMessage(ctx, new Request(url, { method: "POST", body: "x".repeat(9) }), url);
 * assert.ok(res instanceof Response);
 * assert.equal(res.status, 413);
 * ```
 */
export async function postedMessage(
  ctx: PostContext,
  request: Request,
  url: URL,
): Promise<PostedMessage | Response> {
  const start = performance.now();
  const read = await readPosted(request, ctx.maxBody);
  if (read.kind === "message") return read;
  if (read.oversized) await recordOversized(ctx, request, url, read.fault.message, start);
  return faultAnswer(read.status, read.fault);
}
