/**
 * The upstream side of the gateway, on `node:http`: Deno's `fetch` always decodes a gzip or
 * brotli body (unless the request asks for `identity`) while keeping the upstream's
 * `content-encoding` and `content-length`, so a client would get decoded bytes under headers
 * that say otherwise. `node:http` hands over the bytes as they came off the wire, streams both
 * bodies and reports every response header, each `set-cookie` separately.
 *
 * @module
 */

import http from "node:http";
import https from "node:https";
import { once } from "node:events";
import { PooledAgents } from "./pooled_agents.ts";

/**
 * An upstream's origin as `node:http` takes it: what `http.request(url)` would read from the
 * URL (`urlToHttpOptions`), worked out once per upstream instead of once per request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type UpstreamOrigin, upstreamOrigin } from "./upstream_client.ts";
 * const origin: UpstreamOrigin = upstreamOrigin(new URL("https://[::1]:8443/base"));
 * assert.deepEqual(origin, { protocol: "https:", hostname: "::1", port: 8443, host: "[::1]:8443" });
 * ```
 */
export interface UpstreamOrigin {
  /** `https:` or `http:`. */
  readonly protocol: string;
  /** Host name, IPv6 addresses without their brackets. */
  readonly hostname: string;
  /** The port when the URL names one. */
  readonly port: number | undefined;
  /** `host[:port]`, for the `Host` header. */
  readonly host: string;
}

/**
 * The origin part of an upstream URL; the URL's user info is not part of it (requests are built
 * from the origin, which has none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { upstreamOrigin } from "./upstream_client.ts";
 * const origin = upstreamOrigin(new URL("http://user:pw@api.test/v1"));
 * assert.deepEqual(origin, { protocol: "http:", hostname: "api.test", port: undefined, host: "api.test" });
 * ```
 */
export function upstreamOrigin(url: URL): UpstreamOrigin {
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return {
    protocol: url.protocol,
    hostname,
    port: url.port === "" ? undefined : Number(url.port),
    host: url.host,
  };
}

/**
 * A request to send upstream; headers are already the ones to send.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UpstreamClient, upstreamOrigin, type UpstreamRequest } from "./upstream_client.ts";
 * await using server = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen() {} },
 *   async (req) => new Response(`${req.method} ${new URL(req.url).search} ${await req.text()}`),
 * );
 * const client = new UpstreamClient();
 * const request: UpstreamRequest = {
 *   origin: upstreamOrigin(new URL(`http://127.0.0.1:${server.addr.port}`)),
 *   path: "/bids?page=2",
 *   method: "POST",
 *   headers: { "content-length": "2" },
 *   body: new TextEncoder().encode("hi"),
 * };
 * const res = await client.send(request).response;
 * const body = res.body instanceof Uint8Array ? res.body : new Uint8Array(await new Response(res.body).arrayBuffer());
 * assert.equal(new TextDecoder().decode(body), "POST ?page=2 hi");
 * client.close();
 * ```
 */
export interface UpstreamRequest {
  /** The upstream to send it to. */
  readonly origin: UpstreamOrigin;
  /** Path and query. */
  readonly path: string;
  /** The method, as the client sent it. */
  readonly method: string;
  /** Exactly the headers to send, in the order to send them. */
  readonly headers: Readonly<Record<string, string>>;
  /** The whole body, a stream of it, or none. */
  readonly body: Uint8Array | ReadableStream<Uint8Array> | undefined;
  /**
   * Drops the client's connection. When the upstream fails while a body without a declared
   * length streams, this is called instead of erroring the body stream, so that the client sees
   * a cut answer and the runtime prints nothing (it logs every errored response stream, with its
   * stack).
   */
  readonly cutClient?: (() => void) | undefined;
}

/**
 * How a streamed response body ended: whole, cut by the upstream (the connection closed or
 * failed before the declared end), or cancelled by the client.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BodyEnd, UpstreamClient, upstreamOrigin } from "./upstream_client.ts";
 * await using server = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen() {} },
 *   () => new Response(ReadableStream.from([new TextEncoder().encode("streamed")])),
 * );
 * const client = new UpstreamClient();
 * const origin = upstreamOrigin(new URL(`http://127.0.0.1:${server.addr.port}`));
 * const res = await client.send({ origin, path: "/", method: "GET", headers: {}, body: undefined }).response;
 * assert.ok(res.body instanceof ReadableStream);
 * assert.equal(await new Response(res.body).text(), "streamed");
 * const end: BodyEnd | undefined = await res.ended;
 * assert.deepEqual(end, { kind: "complete", bytes: 8 });
 * client.close();
 * ```
 */
export type BodyEnd =
  | { readonly kind: "complete" | "cancelled"; readonly bytes: number }
  | { readonly kind: "failed"; readonly bytes: number; readonly error: string };

/**
 * The upstream's answer: its head, and its body as the bytes arrive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UpstreamClient, upstreamOrigin, type UpstreamResponse } from "./upstream_client.ts";
 * await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
 *   const headers = new Headers({ "content-encoding": "gzip" });
 *   headers.append("set-cookie", "a=1");
 *   headers.append("set-cookie", "b=2");
 *   return new Response(new Uint8Array([1, 2, 3]), { status: 201, headers });
 * });
 * const client = new UpstreamClient();
 * const origin = upstreamOrigin(new URL(`http://127.0.0.1:${server.addr.port}`));
 * const res: UpstreamResponse = await client
 *   .send({ origin, path: "/", method: "GET", headers: {}, body: undefined }).response;
 * assert.equal(res.status, 201);
 * // Repeated names stay apart, and the bytes are never decoded.
 * assert.deepEqual(res.headers.filter(([name]) => name === "set-cookie").map(([, v]) => v), ["a=1", "b=2"]);
 * const body = res.body instanceof Uint8Array ? res.body : new Uint8Array(await new Response(res.body).arrayBuffer());
 * assert.deepEqual([...body], [1, 2, 3]);
 * client.close();
 * ```
 */
export interface UpstreamResponse {
  /** Status code. */
  readonly status: number;
  /** Reason phrase. */
  readonly statusText: string;
  /** Name/value pairs as received, repeated names kept apart. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /**
   * The body bytes as received, never decoded: the whole body when it had already arrived
   * with the head and the upstream declared its `content-length` (so that handing it over
   * whole changes neither timing nor framing), else a stream of it.
   */
  readonly body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
  /** How a streamed body ended; `undefined` when the body came whole. */
  readonly ended: Promise<BodyEnd> | undefined;
}

/**
 * One request in flight.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UpstreamClient, type UpstreamExchange, upstreamOrigin } from "./upstream_client.ts";
 * const arrived = Promise.withResolvers<void>();
 * const never = Promise.withResolvers<Response>();
 * await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
 *   arrived.resolve();
 *   return never.promise;
 * });
 * const client = new UpstreamClient();
 * const origin = upstreamOrigin(new URL(`http://127.0.0.1:${server.addr.port}`));
 * const exchange: UpstreamExchange = client.send({ origin, path: "/", method: "GET", headers: {}, body: undefined });
 * await arrived.promise;
 * exchange.abort(new Error("gave up"));
 * await assert.rejects(exchange.response, /gave up/);
 * never.resolve(new Response("late"));
 * client.close();
 * ```
 */
export interface UpstreamExchange {
  /**
   * The response head; rejects with the socket's error (`code` such as `ECONNREFUSED`) or
   * with the reason given to {@link UpstreamExchange.abort}.
   */
  readonly response: Promise<UpstreamResponse>;
  /** Ends the exchange: before the response head, or while its body streams. */
  abort(reason: Error): void;
}

function responseOf(
  res: http.IncomingMessage,
  cutClient: (() => void) | undefined,
): UpstreamResponse {
  const { body, ended } = bodyOf(res, cutClient);
  return {
    status: res.statusCode ?? 502,
    statusText: res.statusMessage ?? "",
    headers: pairs(res.rawHeaders),
    body,
    ended,
  };
}

function pairs(raw: readonly string[]): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

async function pump(req: http.ClientRequest, body: ReadableStream<Uint8Array>): Promise<void> {
  try {
    for await (const chunk of body) {
      if (req.destroyed) return;
      if (!req.write(chunk)) await Promise.race([once(req, "drain"), once(req, "close")]);
    }
    req.end();
  } catch (e) {
    req.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}

function describe(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  return typeof code === "string" ? `${message} (${code})` : message;
}

/** Body bytes held for the runtime before the upstream is paused. */
const BUFFERED = 64 * 1024;

/**
 * A response body as a web stream that says how it ended. An upstream that fails before the
 * body's end must leave the client with a cut answer, never a clean end, and without the runtime
 * printing a stack trace (it prints one for every response stream that errors):
 *
 * - with a declared `content-length`, the stream just ends: the runtime sees the body short of
 *   its length and drops the connection itself;
 * - otherwise (chunked) the client's connection is dropped (`cutClient`), once the runtime has
 *   taken every byte that arrived and asks for more. The runtime sends the head only after a
 *   second chunk (or 250 ms), so an empty chunk goes first, and the cut waits a turn of the event
 *   loop so that what the runtime took is written. Without a `cutClient` the stream errors.
 *
 * A high-water mark of 0 makes a pull mean that the runtime is waiting; bytes that arrive
 * meanwhile are held here (up to 64 KiB, then the upstream is paused), since `node:http` drops
 * what it buffered when the upstream's connection fails.
 */
function streamOf(
  res: http.IncomingMessage,
  cutClient: (() => void) | undefined,
): { body: ReadableStream<Uint8Array>; ended: Promise<BodyEnd> } {
  const declared = res.headers["content-length"] !== undefined;
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let sent = 0;
  let chunks = 0;
  let waiting = false;
  let complete = false;
  let failure: { error: unknown } | undefined;
  let settle!: (end: BodyEnd) => void;
  const ended = new Promise<BodyEnd>((resolve) => (settle = resolve));
  let settled = false;
  const finish = (end: BodyEnd) => {
    if (settled) return;
    settled = true;
    settle(end);
  };
  const give = (c: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array) => {
    chunks++;
    sent += chunk.length;
    c.enqueue(chunk);
  };
  const cut = (c: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
    finish({ kind: "failed", bytes: sent, error: describe(error) });
    if (declared) c.close();
    else if (!cutClient) c.error(error);
    else if (chunks < 2) give(c, new Uint8Array(0));
    else setTimeout(cutClient, 0);
  };
  /** Answers a pending read — a held chunk, the end, the cut — or says there is nothing yet. */
  const answer = (c: ReadableStreamDefaultController<Uint8Array>): boolean => {
    const chunk = held.shift();
    if (chunk) {
      heldBytes -= chunk.length;
      give(c, chunk);
    } else if (complete) {
      finish({ kind: "complete", bytes: sent });
      c.close();
    } else if (failure) cut(c, failure.error);
    else return false;
    return true;
  };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      const fail = (e: unknown) => {
        if (complete || failure) return;
        failure = { error: e };
        if (waiting) waiting = !answer(c);
      };
      res.on("data", (chunk: Uint8Array) => {
        if (waiting) {
          waiting = false;
          give(c, chunk);
          return;
        }
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes >= BUFFERED) res.pause();
      });
      res.on("end", () => {
        complete = true;
        if (waiting) waiting = !answer(c);
      });
      res.on("error", fail);
      res.on("close", () => {
        if (!res.complete) fail(new Error("the upstream closed the connection before the end"));
      });
    },
    pull(c) {
      if (answer(c)) return;
      waiting = true;
      res.resume();
    },
    cancel() {
      finish({ kind: "cancelled", bytes: sent });
      // A body already whole (a HEAD answer, a 204) is drained, so the connection goes back to
      // the pool; one still arriving is cut.
      if (res.complete) res.resume();
      else res.destroy();
    },
  }, { highWaterMark: 0 });
  return { body, ended };
}

/**
 * The body of a response whose head was just parsed. The parser handles a whole socket read
 * before any promise reaction runs, so a small answer is usually complete by now: it is then
 * taken from the buffer as bytes, which Deno serves in one write, instead of going through a
 * web stream (per chunk: stream reads, promises and an op). A body still arriving streams.
 */
function bodyOf(
  res: http.IncomingMessage,
  cutClient: (() => void) | undefined,
): Pick<UpstreamResponse, "body" | "ended"> {
  // Without a content-length the client would get one from Deno instead of the upstream's
  // framing (chunked), so only a declared length is handed over whole.
  if (res.complete && res.headers["content-length"] !== undefined) {
    // Socket reads are Buffers over plain ArrayBuffers, never shared memory.
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    for (let chunk = res.read(); chunk !== null; chunk = res.read()) chunks.push(chunk);
    // Reading to the end releases the socket to the agent for the next request.
    res.resume();
    return { body: joined(chunks), ended: undefined };
  }
  return streamOf(res, cutClient);
}

function joined(chunks: Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  // A plain view of the one Buffer: Response copies its body with `slice`, and on a Buffer that
  // builds another Buffer.
  if (chunks.length === 1) {
    const c = chunks[0] as Uint8Array<ArrayBuffer>;
    return new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/** Methods whose request a proxy may send again (RFC 9110 §9.2.2). */
const IDEMPOTENT: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "TRACE",
  "PUT",
  "DELETE",
]);

/**
 * Whether a request may be sent once more after a failure: an idempotent method, with its whole
 * body still at hand (a streamed body is gone once sent).
 */
function mayResend(request: UpstreamRequest): boolean {
  return IDEMPOTENT.has(request.method) && !(request.body instanceof ReadableStream);
}

/**
 * Sends requests upstream over keep-alive pools that never resend by themselves
 * (`pooled_agents.ts`). A request that fails is a failure — with one exception, as RFC 9110
 * §9.2.2 and RFC 9112 §9.3.1 allow: an idempotent request whose reused connection failed
 * before any byte of the answer (the upstream had closed it as the request went out) is sent
 * once more, on a new connection, within the same deadline. {@link UpstreamClient.close} drops
 * every connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UpstreamClient, upstreamOrigin } from "./upstream_client.ts";
 * await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => new Response("up"));
 * const client = new UpstreamClient();
 * const origin = upstreamOrigin(new URL(`http://127.0.0.1:${server.addr.port}`));
 * for (let i = 0; i < 2; i++) {
 *   const res = await client.send({ origin, path: "/", method: "GET", headers: {}, body: undefined }).response;
 *   const body = res.body instanceof Uint8Array ? res.body : new Uint8Array(await new Response(res.body).arrayBuffer());
 *   assert.equal(new TextDecoder().decode(body), "up");
 * }
 * client.close();
 * ```
 */
export class UpstreamClient {
  readonly #agents = new PooledAgents();

  /**
   * Sends a request. Aborting goes through {@link UpstreamExchange.abort} rather than an
   * `AbortSignal`: node:http's `signal` option costs listeners and bookkeeping per request,
   * and the caller would have to combine two signals (`AbortSignal.any`) for it. An aborted
   * exchange is never sent again.
   */
  send(request: UpstreamRequest): UpstreamExchange {
    const secure = request.origin.protocol === "https:";
    let current!: http.ClientRequest;
    let aborted = false;
    const response = new Promise<UpstreamResponse>((resolve, reject) => {
      let answered = false;
      const attempt = (agent: http.Agent, resend: boolean) => {
        const req = current = this.#start(request, agent, secure);
        // Stays attached for the whole exchange: a late error without a listener would crash.
        req.on("error", (e) => {
          if (resend && !answered && !aborted && this.#agents.failedUnanswered(req)) {
            attempt(this.#agents.fresh(secure), false);
          } else reject(e);
        });
        req.once("response", (res: http.IncomingMessage) => {
          answered = true;
          // After the rest of this socket read is parsed (see bodyOf).
          queueMicrotask(() => resolve(responseOf(res, request.cutClient)));
        });
      };
      attempt(this.#agents.pool(secure), mayResend(request));
    });
    return {
      response,
      abort: (reason) => {
        aborted = true;
        current.destroy(reason);
      },
    };
  }

  #start(request: UpstreamRequest, agent: http.Agent, secure: boolean): http.ClientRequest {
    const { origin } = request;
    const options: http.RequestOptions = {
      protocol: origin.protocol,
      hostname: origin.hostname,
      path: request.path,
      method: request.method,
      headers: request.headers,
      agent,
    };
    if (origin.port !== undefined) options.port = origin.port;
    const req = (secure ? https : http).request(options);
    if (request.body instanceof ReadableStream) pump(req, request.body);
    else req.end(request.body);
    return req;
  }

  /** Closes every upstream connection, pooled or in flight. */
  close(): void {
    this.#agents.destroy();
  }
}
