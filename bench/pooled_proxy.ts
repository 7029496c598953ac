/**
 * The pooled bare proxy: the gateway's own forwarding — its upstream client on the keep-alive
 * pool that never resends, its hop-by-hop and `x-forwarded-*` headers, its body reading up to
 * the inspection limit — with no policy, no trace, no metrics, on `Deno.serve`. The fastest
 * correct proxy this runtime gives with that client, so that the gateway's ratio to it is
 * Mirage's own work: deciding, recording, its listener.
 *
 * `deno run -A bench/pooled_proxy.ts --upstream http://127.0.0.1:9000 [--port 0] [--client undici]
 * [--mirage-listener]`: with `--client undici`, the same proxy sends upstream through undici's
 * `Pool` instead, the other client that cannot resend (docs/gateway.md says why the gateway has
 * the first); with `--mirage-listener` it is served by Mirage's own listener
 * (`src/http/serve.ts`, as the gateway is) instead of `Deno.serve`, so that two rows give what
 * the listener costs.
 *
 * The `Deno.serve` and listener variants also time each request from its arrival to its body in
 * hand, as the gateway times its own decisions (`decide_us` starts at the same point and the
 * body read is its first wait), and answer `GET /_bench/body_times?last=N` with the last N of
 * those times: what a decision that reads the body cannot take less than, on this runtime, at
 * this load.
 *
 * @module
 */

import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { Forwarder } from "../src/gateway/forward.ts";
import { answerHeaders, upstreamHeaderRecord } from "../src/gateway/forward_headers.ts";
import { DEFAULT_MAX_BODY, readRequestBody } from "../src/http/body_limit.ts";
import { clientIp, listen } from "../src/http/serve.ts";

/** A request handler, as `Deno.serve` and Mirage's listener call it. */
export type Handler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Promise<Response>;

/** The request's headers by name, as the gateway reads them. */
function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}

async function bodyOf(
  request: Request,
): Promise<Uint8Array | ReadableStream<Uint8Array> | undefined> {
  const body = await readRequestBody(request, DEFAULT_MAX_BODY);
  return body.kind === "none" ? undefined : body.kind === "complete" ? body.bytes : body.stream;
}

/** Where the proxy answers with its recorded arrival → body times. */
export const BODY_TIMES_PATH = "/_bench/body_times";

/** The last arrival → body-read times, µs, in a ring that never allocates per request. */
export class BodyTimes {
  readonly #us = new Float64Array(1 << 16);
  #count = 0;

  /** Records one time, µs. */
  add(us: number): void {
    this.#us[this.#count++ % this.#us.length] = us;
  }

  /** The last `n` times (at most as many as the ring holds), oldest first. */
  last(n: number): number[] {
    const size = this.#us.length;
    const k = Math.min(n, this.#count, size);
    const out: number[] = [];
    for (let i = this.#count - k; i < this.#count; i++) out.push(this.#us[i % size] as number);
    return out;
  }
}

/** Through the gateway's `Forwarder`: what the gateway does after it has decided. */
export function forwarderProxy(upstream: URL, times: BodyTimes): Handler {
  const forwarder = new Forwarder({ upstream });
  return async (request, info) => {
    const { target } = forwarder.urls(new URL(request.url));
    const start = performance.now();
    const body = await bodyOf(request);
    times.add((performance.now() - start) * 1000);
    const res = await forwarder.forward({
      request,
      target,
      headers: headerRecord(request.headers),
      body,
      via: { clientIp: clientIp(info.remoteAddr), proto: "http" },
      answerHeaders: {},
    });
    return res.ok ? res.response : new Response(res.error, { status: res.status });
  };
}

/** undici's answer headers (an object, repeated names as arrays) as name/value pairs. */
function pairsOf(headers: Record<string, string | string[] | undefined>): [string, string][] {
  const out: [string, string][] = [];
  for (const name in headers) {
    const value = headers[name];
    if (Array.isArray(value)) { for (const v of value) out.push([name, v]); }
    else if (value !== undefined) out.push([name, value]);
  }
  return out;
}

/** The same proxy on undici's `Pool`: the same headers both ways, the answer body streamed. */
export function undiciProxy(upstream: URL): Handler {
  const pool = new Pool(upstream.origin);
  return async (request, info) => {
    const url = new URL(request.url);
    const body = await bodyOf(request);
    const length = body instanceof Uint8Array ? body.length : undefined;
    const via = { clientIp: clientIp(info.remoteAddr), proto: "http" };
    try {
      const res = await pool.request({
        path: `${url.pathname}${url.search}`,
        method: request.method as "GET",
        headers: upstreamHeaderRecord(headerRecord(request.headers), upstream.host, via, length),
        body: body instanceof ReadableStream ? Readable.from(body) : body ?? null,
      });
      // As the gateway's client does for a small answer: a declared length is taken whole (the
      // bench's answers are small; a large one would be buffered here), anything else streams.
      const answer = res.headers["content-length"] === undefined
        ? ReadableStream.from<Uint8Array>(res.body)
        : new Uint8Array(await res.body.arrayBuffer());
      return new Response(answer, {
        status: res.statusCode,
        headers: answerHeaders(pairsOf(res.headers)),
      });
    } catch (e) {
      return new Response(String(e), { status: 502 });
    }
  };
}

/** Answers `GET /_bench/body_times?last=N` from `times`; every other request goes to `proxy`. */
function withBodyTimes(proxy: Handler, times: BodyTimes): Handler {
  return (request, info) => {
    if (request.method !== "GET") return proxy(request, info);
    const url = new URL(request.url);
    if (url.pathname !== BODY_TIMES_PATH) return proxy(request, info);
    const last = Number(url.searchParams.get("last") ?? "0");
    return Promise.resolve(Response.json(times.last(Number.isFinite(last) ? last : 0)));
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      upstream: { type: "string" },
      port: { type: "string", default: "0" },
      client: { type: "string", default: "mirage" },
      "mirage-listener": { type: "boolean", default: false },
    },
  });
  if (values.upstream === undefined) throw new Error("--upstream is required");
  const upstream = new URL(values.upstream);
  const times = new BodyTimes();
  const handler = values.client === "undici"
    ? undiciProxy(upstream)
    : withBodyTimes(forwarderProxy(upstream, times), times);
  const address = { hostname: "127.0.0.1", port: Number(values.port) };
  const listening = (port: number) =>
    console.error(`pooled proxy listening on http://127.0.0.1:${port}`);
  if (values["mirage-listener"]) listening(listen(handler, address).port);
  else Deno.serve({ ...address, onListen: ({ port }) => listening(port) }, handler);
}
