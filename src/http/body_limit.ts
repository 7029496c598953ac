/**
 * Reading a request body for inspection without ever buffering more than the limit: a body
 * that fits is read whole (the policies read it, the upstream gets the same bytes); a larger one
 * is never mistaken for an empty one — what was read is kept and the rest stays in the stream.
 *
 * @module
 */

/**
 * The inspection limit of every surface unless told otherwise: 1 MiB.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_MAX_BODY } from "./body_limit.ts";
 * assert.equal(DEFAULT_MAX_BODY, 1048576);
 * ```
 */
export const DEFAULT_MAX_BODY = 1024 * 1024;

/**
 * A body read up to the inspection limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type InspectedBody, readLimited } from "./body_limit.ts";
 * const body: InspectedBody = await readLimited(new Response("hello").body, 3);
 * assert.equal(body.kind, "over");
 * if (body.kind === "over") assert.equal(await new Response(body.stream).text(), "hello");
 * ```
 */
export type InspectedBody =
  | { readonly kind: "none" }
  | { readonly kind: "complete"; readonly bytes: Uint8Array }
  | {
    readonly kind: "over";
    /** The whole body: the bytes already read, then the rest as it arrives. */
    readonly stream: ReadableStream<Uint8Array>;
  };

/**
 * The chunks as one array of `total` bytes; a single chunk is returned as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concat } from "./body_limit.ts";
 * assert.deepEqual(concat([new Uint8Array([1]), new Uint8Array([2, 3])], 3), new Uint8Array([1, 2, 3]));
 * ```
 */
export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function replay(
  head: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = head.shift();
      if (next) return controller.enqueue(next);
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Reads `body` until it ends or grows past `limit` bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLimited } from "./body_limit.ts";
 * const b = await readLimited(new Response("hi").body, 3);
 * assert.deepEqual(b, { kind: "complete", bytes: new TextEncoder().encode("hi") });
 * assert.deepEqual(await readLimited(null, 3), { kind: "none" });
 * ```
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<InspectedBody> {
  if (!body) return { kind: "none" };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { kind: "complete", bytes: concat(chunks, total) };
    chunks.push(value);
    total += value.length;
    if (total > limit) return { kind: "over", stream: replay(chunks, reader) };
  }
}

/** Methods whose body Deno never hands over (`request.body` is null for them). */
const BODILESS: ReadonlySet<string> = new Set(["GET", "HEAD", "CONNECT"]);

/** A body length the request declares alone (no `transfer-encoding`), when it has one. */
function declaredLength(request: Request): number | undefined {
  if (BODILESS.has(request.method)) return undefined;
  const headers = request.headers;
  const length = headers.get("content-length");
  if (length === null || !/^\d+$/.test(length) || headers.has("transfer-encoding")) {
    return undefined;
  }
  return Number(length);
}

/**
 * The error a read of the body stream would have given. Both ways read the same stream, but
 * Deno words a vanished request resource differently in `bytes()` ("Cannot read body …") than
 * in the stream's own reads ("Cannot read request body …"), and the message reaches the trace.
 */
function asStreamError(e: unknown): unknown {
  if (!(e instanceof Deno.errors.BadResource)) return e;
  return new Deno.errors.BadResource("Cannot read request body as underlying resource unavailable");
}

/**
 * Reads a request's body as {@link readLimited} does. A body that declares a length within the
 * limit is taken whole with `request.bytes()` (the server holds it to that length), which skips
 * the web stream Deno would otherwise build around a body that has already arrived.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRequestBody } from "./body_limit.ts";
 * const b = await readRequestBody(new Request("http://x/", { method: "POST", body: "hi" }), 10);
 * assert.equal(b.kind, "complete");
 * ```
 */
export async function readRequestBody(request: Request, limit: number): Promise<InspectedBody> {
  const declared = declaredLength(request);
  if (declared === undefined || declared === 0 || declared > limit) {
    return readLimited(request.body, limit);
  }
  let bytes: Uint8Array;
  try {
    bytes = await request.bytes();
  } catch (e) {
    throw asStreamError(e);
  }
  // Only a request built in process can carry more than it declares; it stays over the limit.
  if (bytes.length > limit) return { kind: "over", stream: ReadableStream.from([bytes]) };
  return { kind: "complete", bytes };
}
