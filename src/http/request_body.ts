/**
 * A request body made readable for the rules, the same way on every surface and on the decide
 * route (docs/bodies.md): read up to the inspection limit, decompressed (gzip, deflate, br)
 * within the same limit, and read as JSON, form fields, multipart fields or text. The bytes that
 * go on (to the upstream) are always the ones the client sent. What cannot be read is said so,
 * with the status Mirage answers in enforce.
 *
 * @module
 */

import { promisify } from "node:util";
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from "node:zlib";
import { payloadOf, type PayloadReading, readPayload } from "../engine/payload.ts";
import { errorMessage } from "../errors.ts";
import { readRequestBody } from "./body_limit.ts";

/**
 * A request body as the surfaces need it.
 *
 * @example
 * ```ts
 * import type { RequestBody } from "./request_body.ts";
 * const b: RequestBody = { kind: "read", payload: { amount: 5 }, bytes: new Uint8Array([1]) };
 * ```
 */
export type RequestBody =
  /** Read: `payload` is what rules read; `bytes` what the client sent (none for no body). */
  | { readonly kind: "read"; readonly payload: unknown; readonly bytes: Uint8Array | undefined }
  /**
   * Larger than the limit as sent or once decompressed (413). `body` is the whole body as
   * sent: the bytes already read, then the rest of the stream.
   */
  | {
    readonly kind: "over";
    readonly error: string;
    readonly body: Uint8Array | ReadableStream<Uint8Array>;
  }
  /**
   * Read, but not readable as what it is (415): an unknown or corrupt content coding, JSON that
   * does not parse, contradictory form fields, a multipart body that does not parse, a body of
   * no stated type that reads as a form and as something else. `text` is its text when there is
   * one.
   */
  | {
    readonly kind: "uninspectable";
    readonly error: string;
    readonly bytes: Uint8Array;
    readonly text?: string;
  }
  /** The body could not be received at all (400): nothing to pass on. */
  | { readonly kind: "unreadable"; readonly error: string };

/**
 * The status Mirage answers for a body it cannot inspect, by kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BODY_STATUS } from "./request_body.ts";
 * assert.equal(BODY_STATUS.over, 413);
 * ```
 */
export const BODY_STATUS = { over: 413, uninspectable: 415, unreadable: 400 } as const;

type Inflate = (bytes: Uint8Array, options: ZlibOptions) => Promise<Uint8Array>;

const unbrotli = promisify(brotliDecompress);

/**
 * Brotli through `node:zlib`, which stops at the limit. Deno 2.9's `node:zlib` returns what it
 * decoded of a truncated stream without an error (Node throws "unexpected end of file"), so the
 * stream is also run through `DecompressionStream`, which refuses it; its output is no larger
 * than what `node:zlib` already produced within the limit.
 */
async function brotli(bytes: Uint8Array, options: ZlibOptions): Promise<Uint8Array> {
  const out = await unbrotli(bytes, options);
  const check = new Response(bytes as Uint8Array<ArrayBuffer>).body?.pipeThrough(
    new DecompressionStream("brotli"),
  );
  await new Response(check).arrayBuffer();
  return out;
}

/** Each coding `content-encoding` may name and its decoder (`x-gzip` is gzip, RFC 9110 §8.4.1.3). */
const DECODERS: ReadonlyMap<string, Inflate> = new Map<string, Inflate>([
  ["gzip", promisify(gunzip)],
  ["x-gzip", promisify(gunzip)],
  ["deflate", promisify(inflate)],
  ["br", brotli],
]);

/** The codings of a `content-encoding` header, in the order they were applied; identity dropped. */
function codingsOf(headers: Headers): string[] {
  const header = headers.get("content-encoding");
  if (header === null) return [];
  return header.split(",").map((c) => c.trim().toLowerCase()).filter((c) =>
    c !== "" && c !== "identity"
  );
}

type Decoded =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly kind: "over" | "uninspectable"; readonly error: string };

/** Node's zlib, told to stop at the limit, never holds more than that much of a bomb. */
function tooLarge(e: unknown): boolean {
  return (e as { code?: unknown })?.code === "ERR_BUFFER_TOO_LARGE";
}

/** Undoes the codings, last applied first, never producing more than `limit` bytes. */
async function decodeAll(bytes: Uint8Array, codings: string[], limit: number): Promise<Decoded> {
  let out = bytes;
  for (const coding of codings.toReversed()) {
    const inflate = DECODERS.get(coding);
    if (!inflate) {
      return {
        ok: false,
        kind: "uninspectable",
        error: `request body is ${coding}-encoded, a coding Mirage cannot read`,
      };
    }
    try {
      // maxOutputLength is at least 1 for zlib; a zero limit is checked below.
      out = new Uint8Array(await inflate(out, { maxOutputLength: Math.max(limit, 1) }));
    } catch (e) {
      if (tooLarge(e)) {
        return {
          ok: false,
          kind: "over",
          error:
            `request body larger than the inspection limit of ${limit} bytes once ${coding}-decoded`,
        };
      }
      const error = `request body is not valid ${coding}: ${errorMessage(e)}`;
      return { ok: false, kind: "uninspectable", error };
    }
    if (out.length > limit) {
      const error =
        `request body larger than the inspection limit of ${limit} bytes once ${coding}-decoded`;
      return { ok: false, kind: "over", error };
    }
  }
  return { ok: true, bytes: out };
}

function fromReading(reading: PayloadReading, bytes: Uint8Array): RequestBody {
  if (reading.kind !== "uninspectable") {
    return { kind: "read", payload: payloadOf(reading), bytes };
  }
  return {
    kind: "uninspectable",
    error: `request body not inspectable: ${reading.reason}`,
    bytes,
    text: reading.text,
  };
}

/**
 * A body's bytes, as sent under `headers`, for the rules: over the limit (as sent or once
 * decompressed), uninspectable, or read. The one reading of a body every surface and the decide
 * route share.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bodyForRules } from "./request_body.ts";
 * const headers = new Headers({ "content-type": "application/json" });
 * const sent = new TextEncoder().encode('{"amount":5}');
 * assert.deepEqual(await bodyForRules(sent, headers, 1024), { kind: "read", payload: { amount: 5 }, bytes: sent });
 * assert.equal((await bodyForRules(sent, headers, 4)).kind, "over");
 * const broken = await bodyForRules(sent, new Headers({ "content-encoding": "gzip" }), 1024);
 * assert.equal(broken.kind, "uninspectable");
 * ```
 */
export async function bodyForRules(
  sent: Uint8Array,
  headers: Headers,
  limit: number,
): Promise<RequestBody> {
  if (sent.length > limit) {
    const error = `request body larger than the inspection limit of ${limit} bytes`;
    return { kind: "over", error, body: sent };
  }
  const codings = codingsOf(headers);
  const contentType = headers.get("content-type");
  if (codings.length === 0 || sent.length === 0) {
    return fromReading(readPayload(sent, contentType), sent);
  }
  const decoded = await decodeAll(sent, codings, limit);
  if (!decoded.ok) {
    return decoded.kind === "over"
      ? { kind: "over", error: decoded.error, body: sent }
      : { kind: "uninspectable", error: decoded.error, bytes: sent };
  }
  return fromReading(readPayload(decoded.bytes, contentType), sent);
}

/**
 * Reads a request's body for the rules, at most `limit` bytes as sent and `limit` bytes once
 * decompressed (see {@link bodyForRules}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBodyForRules } from "./request_body.ts";
 * const req = new Request("http://x/", { method: "POST", body: "a=1&a=2", headers: { "content-type": "application/x-www-form-urlencoded" } });
 * const b = await readBodyForRules(req, 1024);
 * assert.deepEqual(b.kind === "read" && b.payload, { a: ["1", "2"] });
 * ```
 */
export async function readBodyForRules(request: Request, limit: number): Promise<RequestBody> {
  let body;
  try {
    body = await readRequestBody(request, limit);
  } catch (e) {
    return { kind: "unreadable", error: `cannot read the request body: ${errorMessage(e)}` };
  }
  if (body.kind === "none") return { kind: "read", payload: undefined, bytes: undefined };
  if (body.kind === "over") {
    const error = `request body larger than the inspection limit of ${limit} bytes`;
    return { kind: "over", error, body: body.stream };
  }
  return bodyForRules(body.bytes, request.headers, limit);
}
