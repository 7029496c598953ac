/**
 * Forwarding one request so that neither side can tell a gateway is there: method, path,
 * query, end-to-end headers and body bytes go up untouched; status, headers (each `set-cookie`)
 * and body bytes come back as they arrive, never buffered and never decoded.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import { elapsedUs } from "../trace/timing.ts";
import { type Deadline, DeadlineQueue } from "./deadlines.ts";
import { answerHeaders, type ForwardedFor, upstreamHeaderRecord } from "./forward_headers.ts";
import { HopByHopFilters } from "./hop_by_hop.ts";
import { type BodyEnd, UpstreamClient, type UpstreamResponse } from "./upstream_client.ts";
import { type ForwardTarget, type RequestUrls, Upstream } from "./upstream_url.ts";

/**
 * A request to forward.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ForwardRequest, Forwarder } from "./forward.ts";
 * await using server = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen() {} },
 *   (req) => new Response(`${new URL(req.url).pathname} via ${req.headers.get("x-forwarded-for")}`),
 * );
 * const forwarder = new Forwarder({ upstream: new URL(`http://127.0.0.1:${server.addr.port}/api`) });
 * const request = new Request("http://gw.test/v1/bids");
 * const f: ForwardRequest = {
 *   request,
 *   target: forwarder.urls(new URL(request.url)).target,
 *   headers: {},
 *   body: undefined,
 *   via: { clientIp: "10.0.0.7", proto: "http" },
 *   answerHeaders: { "x-mirage-outcome": "allowed" },
 * };
 * const forwarded = await forwarder.forward(f);
 * assert.ok(forwarded.ok);
 * assert.equal(forwarded.response.headers.get("x-mirage-outcome"), "allowed");
 * assert.equal(await forwarded.response.text(), "/api/v1/bids via 10.0.0.7");
 * forwarder.close();
 * ```
 */
export interface ForwardRequest {
  /** The client's request (its body already taken into `body`). */
  readonly request: Request;
  /** Where the request goes: the upstream, and the path and query on it. */
  readonly target: ForwardTarget;
  /**
   * The request's headers by lower-case name, as `Headers.forEach` gives them (repeated names
   * joined, except `set-cookie`: its last value) — the action's `headers`, read once.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as read for inspection, or the stream of it when it was over the limit. */
  readonly body: Uint8Array | ReadableStream<Uint8Array> | undefined;
  /** What goes into `x-forwarded-*`. */
  readonly via: ForwardedFor;
  /** Headers added to the answer (the decision headers). */
  readonly answerHeaders: Readonly<Record<string, string>>;
  /** Drops the client's connection (when the upstream fails mid-body); see `UpstreamRequest`. */
  readonly cutClient?: (() => void) | undefined;
}

/**
 * The outcome of a forward: the upstream's answer, or why there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Forwarded, Forwarder } from "./forward.ts";
 * // A port nothing listens on any more.
 * const gone = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => new Response());
 * await gone.shutdown();
 * const forwarder = new Forwarder({ upstream: new URL(`http://127.0.0.1:${gone.addr.port}`) });
 * const request = new Request("http://gw.test/x");
 * const forwarded: Forwarded = await forwarder.forward({
 *   request,
 *   target: forwarder.urls(new URL(request.url)).target,
 *   headers: {},
 *   body: undefined,
 *   via: { clientIp: "127.0.0.1", proto: "http" },
 *   answerHeaders: {},
 * });
 * assert.equal(forwarded.ok, false);
 * assert.equal(!forwarded.ok && forwarded.status, 502);
 * assert.match(!forwarded.ok ? forwarded.error : "", /^upstream unreachable: ECONNREFUSED/);
 * forwarder.close();
 * ```
 */
export type Forwarded =
  | {
    readonly ok: true;
    readonly response: Response;
    readonly upstreamUs: number;
    /** How the streamed body ended; `undefined` when it went out whole. */
    readonly ended: Promise<BodyEnd> | undefined;
  }
  | {
    readonly ok: false;
    readonly status: number;
    readonly error: string;
    readonly upstreamUs: number;
  };

const NULL_BODY: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

function failure(e: unknown, timedOut: boolean, clientGone: boolean, timeoutMs: number) {
  if (timedOut) return { status: 504, error: `upstream did not answer within ${timeoutMs} ms` };
  if (clientGone) return { status: 499, error: "client closed the request" };
  const code = (e as { code?: unknown }).code;
  return {
    status: 502,
    error: `upstream unreachable: ${typeof code === "string" ? `${code} ` : ""}${errorMessage(e)}`,
  };
}

function toResponse(
  method: string,
  up: UpstreamResponse,
  extra: Readonly<Record<string, string>>,
  filters: HopByHopFilters,
): Response {
  const headers = answerHeaders(up.headers, filters);
  for (const name in extra) headers.set(name, extra[name] as string);
  const empty = method === "HEAD" || NULL_BODY.has(up.status);
  if (empty) discard(up.body);
  return new Response(empty ? null : up.body, {
    status: up.status,
    statusText: up.statusText,
    headers,
  });
}

function discard(body: UpstreamResponse["body"]): void {
  if (body instanceof ReadableStream) body.cancel().catch(() => {});
}

/** One forward in flight: how it ended, if it was cut short. */
class Exchange {
  timedOut = false;
  clientGone = false;
  readonly #abort: (reason: Error) => void;
  readonly #timeoutMs: number;

  constructor(abort: (reason: Error) => void, timeoutMs: number) {
    this.#abort = abort;
    this.#timeoutMs = timeoutMs;
  }

  /** The timeout (a {@link DeadlineQueue} callback). */
  readonly expire = (): void => {
    this.timedOut = true;
    this.#abort(new Error(`upstream did not answer within ${this.#timeoutMs} ms`));
  };

  /** The client's `abort` listener. */
  readonly gone = (): void => {
    this.clientGone = true;
    this.#abort(new Error("client closed the request"));
  };
}

/**
 * Options of {@link Forwarder}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Forwarder, type ForwarderOptions } from "./forward.ts";
 * const o: ForwarderOptions = { upstream: new URL("http://127.0.0.1:9000/base"), timeoutMs: 5_000 };
 * const forwarder = new Forwarder(o);
 * assert.equal(forwarder.timeoutMs, 5_000);
 * assert.equal(forwarder.upstream.url.pathname, "/base");
 * forwarder.close();
 * ```
 */
export interface ForwarderOptions {
  /** The upstream's origin, optionally with a base path. */
  readonly upstream: URL;
  /** How long to wait for the upstream's response head, in ms; default 10,000. */
  readonly timeoutMs?: number;
}

/**
 * Sends requests to one upstream and builds the clients' answers. A client that goes away
 * aborts the upstream exchange; the timeout covers the wait for the response head only, so
 * long streams (server-sent events) are not cut.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Forwarder } from "./forward.ts";
 * const forwarder = new Forwarder({ upstream: new URL("http://127.0.0.1:9000") });
 * assert.equal(forwarder.urls(new URL("http://gw/v1/x?a=1")).target.path, "/v1/x?a=1");
 * forwarder.close();
 * ```
 */
export class Forwarder {
  /** The upstream. */
  readonly upstream: Upstream;
  /** The wait for response heads, in ms. */
  readonly timeoutMs: number;
  readonly #client = new UpstreamClient();
  readonly #filters = new HopByHopFilters();
  /** The timeouts of all requests in flight share one timer: a timer each costs more. */
  readonly #deadlines: DeadlineQueue;

  /** A forwarder to `options.upstream`. */
  constructor(options: ForwarderOptions) {
    this.upstream = new Upstream(options.upstream);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.#deadlines = new DeadlineQueue(this.timeoutMs);
  }

  /** Where a request goes, and what the policies decide on. */
  urls(requestUrl: URL): RequestUrls {
    return this.upstream.urls(requestUrl);
  }

  /**
   * Sends a request upstream and builds the client's answer.
   *
   * The client's `request.signal` is listened to only until the answer's head is ready (Deno
   * without `--unstable-no-legacy-abort` also aborts it once a response was delivered). Later, a
   * client that leaves cancels the streamed body, which closes the upstream response. The two
   * causes abort the exchange directly and are told apart by flags: cheaper per request than
   * two abort controllers joined with `AbortSignal.any`.
   */
  async forward(f: ForwardRequest): Promise<Forwarded> {
    const start = performance.now();
    const bodyLength = f.body instanceof Uint8Array ? f.body.length : undefined;
    const { origin, path } = f.target;
    const upstream = this.#client.send({
      origin,
      path,
      method: f.request.method,
      headers: upstreamHeaderRecord(f.headers, origin.host, f.via, bodyLength, this.#filters),
      body: f.body,
      cutClient: f.cutClient,
    });
    const exchange = new Exchange(upstream.abort, this.timeoutMs);
    const deadline: Deadline = this.#deadlines.add(exchange.expire, start);
    const clientSignal = f.request.signal;
    if (clientSignal.aborted) exchange.gone();
    // Removed below in any case, so no `once`: the signal aborts at most once.
    else clientSignal.addEventListener("abort", exchange.gone);
    try {
      const up = await upstream.response;
      if (up.status < 200 || up.status > 599) {
        if (up.body instanceof ReadableStream) await up.body.cancel();
        return {
          ok: false,
          status: 502,
          error: `upstream answered status ${up.status}`,
          upstreamUs: elapsedUs(start),
        };
      }
      const response = toResponse(f.request.method, up, f.answerHeaders, this.#filters);
      return { ok: true, response, upstreamUs: elapsedUs(start), ended: up.ended };
    } catch (e) {
      const failed = failure(e, exchange.timedOut, exchange.clientGone, this.timeoutMs);
      return { ok: false, ...failed, upstreamUs: elapsedUs(start) };
    } finally {
      deadline.cancel();
      clientSignal.removeEventListener("abort", exchange.gone);
    }
  }

  /** Closes any upstream connection still open. */
  close(): void {
    this.#client.close();
  }
}
