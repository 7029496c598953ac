/**
 * The hono + `fetch` bare proxy, one of the two the gateway is measured against: hono and
 * `fetch`, no policy, no trace, bodies streamed both ways — a plain proxy as one would write it
 * with the web platform (the pooled bare proxy, `pooled_proxy.ts`, is the other).
 *
 * Deno's `fetch` decodes a gzip or brotli answer but keeps the upstream's `content-encoding` and
 * `content-length` (denoland/deno#12291), so a proxy that passes its body on sends decoded bytes
 * under headers that describe compressed ones. It decodes nothing when the request asks for
 * `accept-encoding: identity`: this proxy asks for that, so that the answer's bytes are the
 * upstream's and its headers stay true, whatever the upstream sends.
 *
 * `deno run -A bench/bare_proxy.ts --upstream http://127.0.0.1:9000 [--port 0]`
 *
 * @module
 */

import { Hono } from "hono";
import { parseArgs } from "node:util";

const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "te",
  "trailer",
];

function withoutHopByHop(headers: Headers): Headers {
  const out = new Headers(headers);
  for (const name of HOP_BY_HOP) out.delete(name);
  return out;
}

/** The proxy app: every request forwarded to the upstream with its method, path, query and body. */
export function bareProxy(upstream: URL): Hono {
  const app = new Hono();
  app.all("*", async (c) => {
    const url = new URL(c.req.url);
    const headers = withoutHopByHop(c.req.raw.headers);
    headers.delete("host");
    headers.set("accept-encoding", "identity");
    const answer = await fetch(`${upstream.origin}${url.pathname}${url.search}`, {
      method: c.req.method,
      headers,
      body: c.req.raw.body,
      redirect: "manual",
    });
    return new Response(answer.body, {
      status: answer.status,
      headers: withoutHopByHop(answer.headers),
    });
  });
  return app;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      upstream: { type: "string" },
      port: { type: "string", default: "0" },
    },
  });
  if (values.upstream === undefined) throw new Error("--upstream is required");
  const app = bareProxy(new URL(values.upstream));
  Deno.serve({
    hostname: "127.0.0.1",
    port: Number(values.port),
    onListen: ({ port }) => console.error(`bare proxy listening on http://127.0.0.1:${port}`),
  }, app.fetch);
}
