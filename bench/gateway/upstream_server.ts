/**
 * The fallback upstream when nginx is not installed: a minimal Deno.serve answering one small
 * fixed JSON body to every request, after reading the request body.
 *
 * `deno run -A bench/gateway/upstream_server.ts [--port 0]`
 *
 * @module
 */

import { parseArgs } from "node:util";

/** The fixed answer every upstream in the gateway suite gives. */
export const UPSTREAM_BODY = '{"quote_id":"Q-001","price":24500}';

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { port: { type: "string", default: "0" } },
  });
  Deno.serve({
    hostname: "127.0.0.1",
    port: Number(values.port),
    onListen: ({ port }) => console.error(`upstream listening on http://127.0.0.1:${port}`),
  }, async (request) => {
    await request.body?.cancel();
    return new Response(UPSTREAM_BODY, { headers: { "content-type": "application/json" } });
  });
}
