/**
 * The bare proxy the gateway is measured against: hono and `fetch`, no policy, no trace, the
 * same streaming of bodies in both directions. What the gateway costs beyond this is the cost
 * of deciding and recording.
 *
 * `deno run -A bench/bare_proxy.ts --upstream http://127.0.0.1:9000 [--port 0] [--mirage-listener]`:
 * with `--mirage-listener` it is served by Mirage's own listener (`src/http/serve.ts`, as the
 * gateway is) instead of `Deno.serve`, so that the two rows give what the listener costs.
 *
 * @module
 */

import { Hono } from "hono";
import { parseArgs } from "node:util";
import { listen } from "../src/http/serve.ts";

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
      "mirage-listener": { type: "boolean", default: false },
    },
  });
  if (values.upstream === undefined) throw new Error("--upstream is required");
  const app = bareProxy(new URL(values.upstream));
  const address = { hostname: "127.0.0.1", port: Number(values.port) };
  const listening = (port: number) =>
    console.error(`bare proxy listening on http://127.0.0.1:${port}`);
  if (values["mirage-listener"]) {
    listening(listen((request, info) => app.fetch(request, info), address).port);
  } else {
    Deno.serve({ ...address, onListen: ({ port }) => listening(port) }, app.fetch);
  }
}
