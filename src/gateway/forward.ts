/**
 * Forwarding one request so that neither side can tell a gateway is there: method, path,
 * query, end-to-end headers and body bytes go up untouched; status, headers (each `set-cookie`)
 * and body bytes come back as they arrive, never buffered and never decoded.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import { elapsedUs } from "../trace/timing.ts";
import { DeadlineQueue } from "./deadlines.ts";
import { hopByHopFilter } from "./hop_by_hop.ts";
import {
  type UpstreamClient,
  type UpstreamOrigin,
  upstreamOrigin,
  type UpstreamResponse,
} from "./upstream_client.ts";

/** What the gateway adds and removes on the way up. */
export interface ForwardedFor {
  /** The client's address, appended to `x-forwarded-for`. */
  readonly clientIp: string;
  /** The scheme the client used to reach the gateway. */
  readonly proto: string;
}

/** A request to forward. */
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
  /** How long to wait for the upstream's response head. */
  readonly timeoutMs: number;
}

/** The outcome of a forward: the upstream's answer, or why there is none. */
export type Forwarded =
  | { readonly ok: true; readonly response: Response; readonly upstreamUs: number }
  | {
    readonly ok: false;
    readonly status: number;
    readonly error: string;
    readonly upstreamUs: number;
  };

const NULL_BODY: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/**
 * The URL a request goes to: the upstream's origin and base path, then the request's path and
 * query. Built as text so that a path starting with `//` cannot name another host.
 */
export function upstreamUrl(upstream: URL, requestUrl: URL): URL {
  return new URL(
    `${upstream.origin}${basePath(upstream)}${requestUrl.pathname}${requestUrl.search}`,
  );
}

/**
 * The URL the policies decide on: the upstream's origin with the request's own path and query.
 * The upstream's base path is a deployment detail; rules name the API's paths as agents call them.
 */
export function decidedUrl(upstream: URL, requestUrl: URL): URL {
  return new URL(`${upstream.origin}${requestUrl.pathname}${requestUrl.search}`);
}

function basePath(upstream: URL): string {
  return upstream.pathname.replace(/\/+$/, "");
}

/** Where a request is forwarded: the upstream's origin, and the path and query to ask for. */
export interface ForwardTarget {
  /** The upstream's origin, as the client connects to it. */
  readonly origin: UpstreamOrigin;
  /** Path and query, the upstream's base path first (as {@link upstreamUrl} spells them). */
  readonly path: string;
}

/** What one parse of a request's URL gives: where it goes, and what the policies decide on. */
export interface RequestUrls {
  readonly target: ForwardTarget;
  /** As {@link decidedUrl}. */
  readonly decided: URL;
}

interface Upstream {
  readonly origin: UpstreamOrigin;
  /** The base path without trailing slashes; "" when there is none. */
  readonly base: string;
}

/** Per upstream URL, what every request to it shares (the URL objects live as long as a gateway). */
const upstreams = new WeakMap<URL, Upstream>();

function upstreamOf(upstream: URL): Upstream {
  let u = upstreams.get(upstream);
  if (!u) {
    upstreams.set(upstream, u = { origin: upstreamOrigin(upstream), base: basePath(upstream) });
  }
  return u;
}

/**
 * {@link upstreamUrl} and {@link decidedUrl} at once. Without a base path they are the same
 * text, so one parse serves both; with one, the upstream URL is parsed as before.
 */
export function requestUrls(upstream: URL, requestUrl: URL): RequestUrls {
  const u = upstreamOf(upstream);
  const decided = decidedUrl(upstream, requestUrl);
  const target = u.base === "" ? decided : upstreamUrl(upstream, requestUrl);
  return { target: { origin: u.origin, path: `${target.pathname}${target.search}` }, decided };
}

/**
 * The headers sent upstream, from the request's headers by name (see
 * {@link ForwardRequest.headers}): end-to-end ones, no `x-mirage-*`, the upstream's host,
 * `x-forwarded-*`; in name order, as `Headers` would list them.
 */
export function upstreamHeaderRecord(
  incoming: Readonly<Record<string, string>>,
  host: string,
  via: ForwardedFor,
  bodyLength: number | undefined,
): Record<string, string> {
  const drop = hopByHopFilter(incoming["connection"]);
  const clientHost = incoming["host"];
  const names: string[] = [];
  for (const name in incoming) {
    if (drop(name) || name.startsWith("x-mirage-") || name === "host") continue;
    if (name === "content-length" && bodyLength !== undefined) continue;
    // Set below whatever the client sent (x-forwarded-host only when the client named a host).
    if (name === "x-forwarded-for" || name === "x-forwarded-proto") continue;
    if (name === "x-forwarded-host" && clientHost) continue;
    names.push(name);
  }
  if (bodyLength !== undefined) names.push("content-length");
  names.push("host", "x-forwarded-for", "x-forwarded-proto");
  if (clientHost) names.push("x-forwarded-host");
  names.sort();
  const prior = incoming["x-forwarded-for"];
  const out: Record<string, string> = {};
  for (const name of names) {
    switch (name) {
      case "content-length":
        out[name] = bodyLength === undefined ? incoming[name] as string : String(bodyLength);
        break;
      case "host":
        out[name] = host;
        break;
      case "x-forwarded-for":
        out[name] = prior ? `${prior}, ${via.clientIp}` : via.clientIp;
        break;
      case "x-forwarded-proto":
        out[name] = via.proto;
        break;
      case "x-forwarded-host":
        out[name] = clientHost || incoming[name] as string;
        break;
      default:
        out[name] = incoming[name] as string;
    }
  }
  return out;
}

/** The headers sent upstream: end-to-end ones, no `x-mirage-*`, the upstream's host, `x-forwarded-*`. */
export function upstreamHeaders(
  incoming: Headers,
  target: URL,
  via: ForwardedFor,
  bodyLength: number | undefined,
): Headers {
  const byName: Record<string, string> = {};
  incoming.forEach((value, name) => (byName[name] = value));
  return new Headers(upstreamHeaderRecord(byName, target.host, via, bodyLength));
}

/** The upstream's response headers minus hop-by-hop ones; repeated names stay repeated. */
export function answerHeaders(upstream: UpstreamResponse["headers"]): Headers {
  let connection: string | undefined;
  for (const [name, value] of upstream) {
    if (name.toLowerCase() === "connection") {
      connection = connection === undefined ? value : `${connection},${value}`;
    }
  }
  const drop = hopByHopFilter(connection);
  const out = new Headers();
  for (const [name, value] of upstream) if (!drop(name)) out.append(name, value);
  return out;
}

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
): Response {
  const headers = answerHeaders(up.headers);
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

/** The wait for response heads, per timeout: one timer for every request in flight. */
const deadlines = new Map<number, DeadlineQueue>();

function deadlineQueue(ms: number): DeadlineQueue {
  let q = deadlines.get(ms);
  if (!q) deadlines.set(ms, q = new DeadlineQueue(ms));
  return q;
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
 * Sends a request upstream and builds the client's answer. A client that goes away aborts the
 * upstream exchange; the timeout covers the wait for the response head only, so long streams
 * (server-sent events) are not cut.
 *
 * The client's `request.signal` is listened to only until the answer's head is ready (Deno
 * without `--unstable-no-legacy-abort` also aborts it once a response was delivered). Later, a
 * client that leaves cancels the streamed body, which closes the upstream response. The two
 * causes abort the exchange directly and are told apart by flags: cheaper per request than
 * two abort controllers joined with `AbortSignal.any`. The timeouts of all requests share one
 * timer ({@link DeadlineQueue}): a timer per request costs more than the rest of the wait.
 */
export async function forward(client: UpstreamClient, f: ForwardRequest): Promise<Forwarded> {
  const start = performance.now();
  const bodyLength = f.body instanceof Uint8Array ? f.body.length : undefined;
  const { origin, path } = f.target;
  const upstream = client.send({
    origin,
    path,
    method: f.request.method,
    headers: upstreamHeaderRecord(f.headers, origin.host, f.via, bodyLength),
    body: f.body,
  });
  const exchange = new Exchange(upstream.abort, f.timeoutMs);
  const deadline = deadlineQueue(f.timeoutMs).add(exchange.expire, start);
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
    return {
      ok: true,
      response: toResponse(f.request.method, up, f.answerHeaders),
      upstreamUs: elapsedUs(start),
    };
  } catch (e) {
    const failed = failure(e, exchange.timedOut, exchange.clientGone, f.timeoutMs);
    return { ok: false, ...failed, upstreamUs: elapsedUs(start) };
  } finally {
    deadline.cancel();
    clientSignal.removeEventListener("abort", exchange.gone);
  }
}
