/**
 * A real upstream for the gateway tests, on loopback: it echoes what it received (method, path,
 * query, headers, body bytes), sets several cookies, serves pre-compressed gzip, streams
 * server-sent events on the test's cue, and can hang. It counts every request it sees.
 */

import { gzipSync } from "node:zlib";
import { encodeBase64 } from "./base64.ts";

/** What `/echo` answers. */
export interface Echo {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body_b64: string;
}

/** The bytes `/gzip` serves, before and after compression. */
export const GZIP_PLAIN = new TextEncoder().encode(JSON.stringify({ hello: "world ".repeat(200) }));
export const GZIP_BYTES: Uint8Array = new Uint8Array(gzipSync(GZIP_PLAIN));

/** A binary body with every byte value, including ones that are not UTF-8. */
export const BINARY: Uint8Array = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) % 256);

/** A certificate chain and key (PEM), to serve the test upstream over TLS. */
export interface UpstreamTls {
  readonly cert: string;
  readonly key: string;
}

/** A running test upstream. */
export class TestUpstream {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #waiting = new Set<() => void>();
  readonly #watchers = new Set<() => void>();
  readonly #scheme: string;
  /** Requests seen, by path. */
  readonly seen: string[] = [];
  /** The client port of each request seen: one port, one connection. */
  readonly ports: number[] = [];
  /** Paths of requests whose client went away before the answer. */
  readonly abandoned: string[] = [];
  #sseNext: (() => void) | undefined;

  /** Serves plain HTTP, or HTTPS with `tls` (its URL then names `localhost`, as the certificate does). */
  constructor(tls?: UpstreamTls) {
    this.#scheme = tls ? "https://localhost" : "http://127.0.0.1";
    this.#server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {}, ...tls },
      (req, info) => {
        this.ports.push(info.remoteAddr.port);
        return this.#handle(req);
      },
    );
  }

  /** `http://127.0.0.1:<port>`, or `https://localhost:<port>`. */
  get url(): string {
    return `${this.#scheme}:${this.#server.addr.port}`;
  }

  /** Resolves once `path` has been seen `count` times; never, if it is not. */
  arrived(path: string, count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.seen.filter((p) => p === path).length < count) return;
        this.#watchers.delete(check);
        resolve();
      };
      this.#watchers.add(check);
      check();
    });
  }

  /** Lets an open `/sse` stream send its last event and end. */
  releaseSse(): void {
    this.#sseNext?.();
  }

  /** Releases every hanging request and stops the server. */
  async close(): Promise<void> {
    for (const release of this.#waiting) release();
    this.releaseSse();
    await this.#server.shutdown();
  }

  #wait(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#waiting.delete(done);
        resolve();
      };
      this.#waiting.add(done);
    });
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    this.seen.push(url.pathname);
    for (const check of [...this.#watchers]) check();
    req.signal.addEventListener("abort", () => this.abandoned.push(url.pathname));
    if (url.pathname === "/gzip") return this.#gzip();
    if (url.pathname === "/sse") return this.#sse();
    if (url.pathname === "/hang") {
      await this.#wait();
      return new Response("late");
    }
    if (url.pathname === "/binary") {
      return new Response(BINARY.slice(), {
        headers: { "content-type": "application/octet-stream" },
      });
    }
    return this.#echo(req, url);
  }

  async #echo(req: Request, url: URL): Promise<Response> {
    const body = new Uint8Array(await req.arrayBuffer());
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    const echo: Echo = {
      method: req.method,
      path: url.pathname,
      search: url.search,
      headers,
      body_b64: encodeBase64(body),
    };
    const h = new Headers({
      "content-type": "application/json",
      "x-upstream": "yes",
      "connection": "x-secret-hop",
      "x-secret-hop": "1",
    });
    h.append("set-cookie", "a=1; Path=/; HttpOnly");
    h.append("set-cookie", "b=2; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
    h.append("set-cookie", "c=3");
    return new Response(JSON.stringify(echo), {
      status: url.searchParams.has("status") ? 201 : 200,
      headers: h,
    });
  }

  #gzip(): Response {
    return new Response(GZIP_BYTES.slice(), {
      headers: {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "content-length": String(GZIP_BYTES.length),
      },
    });
  }

  #sse(): Response {
    const enc = new TextEncoder();
    const next = new Promise<void>((resolve) => (this.#sseNext = resolve));
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(enc.encode("data: first\n\n"));
        await next;
        controller.enqueue(enc.encode("data: last\n\n"));
        controller.close();
      },
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  }
}
