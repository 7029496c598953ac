/**
 * Forwarding one request so that neither side can tell a gateway is there: method, path,
 * query, end-to-end headers and body bytes go up untouched; status, headers (each `set-cookie`)
 * and body bytes come back as they arrive, never buffered and never decoded.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import { elapsedUs } from "../runtime/clock.ts";
import { hopByHopFilter } from "./hop_by_hop.ts";
import type { UpstreamClient, UpstreamResponse } from "./upstream_client.ts";

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
  /** The upstream URL for this request. */
  readonly target: URL;
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

/** The headers sent upstream: end-to-end ones, no `x-mirage-*`, the upstream's host, `x-forwarded-*`. */
export function upstreamHeaders(
  incoming: Headers,
  target: URL,
  via: ForwardedFor,
  bodyLength: number | undefined,
): Headers {
  const drop = hopByHopFilter(incoming.get("connection"));
  const out = new Headers();
  incoming.forEach((value, name) => {
    if (drop(name) || name.startsWith("x-mirage-") || name === "host") return;
    if (name === "content-length" && bodyLength !== undefined) return;
    out.append(name, value);
  });
  if (bodyLength !== undefined) out.set("content-length", String(bodyLength));
  out.set("host", target.host);
  const prior = incoming.get("x-forwarded-for");
  out.set("x-forwarded-for", prior ? `${prior}, ${via.clientIp}` : via.clientIp);
  out.set("x-forwarded-proto", via.proto);
  const host = incoming.get("host");
  if (host) out.set("x-forwarded-host", host);
  return out;
}

/** The upstream's response headers minus hop-by-hop ones; repeated names stay repeated. */
export function answerHeaders(upstream: UpstreamResponse["headers"]): Headers {
  const connection = upstream.filter(([n]) => n.toLowerCase() === "connection").map(([, v]) => v);
  const drop = hopByHopFilter(connection.join(","));
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

function toResponse(method: string, up: UpstreamResponse, extra: Record<string, string>): Response {
  const headers = answerHeaders(up.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
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

/**
 * Sends a request upstream and builds the client's answer. A client that goes away aborts the
 * upstream exchange; the timeout covers the wait for the response head only, so long streams
 * (server-sent events) are not cut.
 *
 * The client's `request.signal` is listened to only until the answer's head is ready (Deno
 * without `--unstable-no-legacy-abort` also aborts it once a response was delivered). Later, a
 * client that leaves cancels the streamed body, which closes the upstream response. The two
 * causes abort the exchange directly and are told apart by flags: cheaper per request than
 * two abort controllers joined with `AbortSignal.any`.
 */
export async function forward(client: UpstreamClient, f: ForwardRequest): Promise<Forwarded> {
  const start = performance.now();
  const bodyLength = f.body instanceof Uint8Array ? f.body.length : undefined;
  const exchange = client.send({
    url: f.target,
    method: f.request.method,
    headers: upstreamHeaders(f.request.headers, f.target, f.via, bodyLength),
    body: f.body,
  });
  let timedOut = false;
  let clientGone = false;
  const timer = setTimeout(() => {
    timedOut = true;
    exchange.abort(new Error(`upstream did not answer within ${f.timeoutMs} ms`));
  }, f.timeoutMs);
  const clientSignal = f.request.signal;
  const onClientGone = () => {
    clientGone = true;
    exchange.abort(new Error("client closed the request"));
  };
  if (clientSignal.aborted) onClientGone();
  else clientSignal.addEventListener("abort", onClientGone, { once: true });
  try {
    const up = await exchange.response;
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
      response: toResponse(f.request.method, up, { ...f.answerHeaders }),
      upstreamUs: elapsedUs(start),
    };
  } catch (e) {
    const failed = failure(e, timedOut, clientGone, f.timeoutMs);
    return { ok: false, ...failed, upstreamUs: elapsedUs(start) };
  } finally {
    clearTimeout(timer);
    clientSignal.removeEventListener("abort", onClientGone);
  }
}
