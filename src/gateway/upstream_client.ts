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
import { Readable } from "node:stream";

/** A request to send upstream; headers are already the ones to send. */
export interface UpstreamRequest {
  /** Where to send it. */
  readonly url: URL;
  /** The method, as the client sent it. */
  readonly method: string;
  /** Exactly the headers to send. */
  readonly headers: Headers;
  /** The whole body, a stream of it, or none. */
  readonly body: Uint8Array | ReadableStream<Uint8Array> | undefined;
  /** Aborts the exchange: before the response head, or while its body streams. */
  readonly signal: AbortSignal;
}

/** The upstream's answer: its head, and its body as the bytes arrive. */
export interface UpstreamResponse {
  /** Status code. */
  readonly status: number;
  /** Reason phrase. */
  readonly statusText: string;
  /** Name/value pairs as received, repeated names kept apart. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The body bytes as received, never decoded. */
  readonly body: ReadableStream<Uint8Array>;
}

function pairs(raw: readonly string[]): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

function outgoingHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
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

/**
 * Keeps upstream connections alive between requests; {@link UpstreamClient.close} drops them.
 *
 * @example
 * ```ts
 * import { UpstreamClient } from "./upstream_client.ts";
 * const client = new UpstreamClient();
 * client.close();
 * ```
 */
export class UpstreamClient {
  readonly #http = new http.Agent({ keepAlive: true });
  readonly #https = new https.Agent({ keepAlive: true });

  /**
   * Sends a request and resolves with the response head; rejects with the socket's error
   * (`code` such as `ECONNREFUSED`) or an `AbortError` when `signal` fires first.
   */
  send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const secure = request.url.protocol === "https:";
    const options: http.RequestOptions = {
      method: request.method,
      headers: outgoingHeaders(request.headers),
      agent: secure ? this.#https : this.#http,
      signal: request.signal,
    };
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(request.url, options);
      // Stays attached for the whole exchange: a late error without a listener would crash.
      req.on("error", reject);
      req.once("response", (res: http.IncomingMessage) => {
        resolve({
          status: res.statusCode ?? 502,
          statusText: res.statusMessage ?? "",
          headers: pairs(res.rawHeaders),
          body: Readable.toWeb(res) as ReadableStream<Uint8Array>,
        });
      });
      if (request.body instanceof ReadableStream) pump(req, request.body);
      else req.end(request.body);
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}
