/**
 * The bench's bare proxies are correct proxies, or their ratios mean nothing: a gzip answer
 * reaches the client as the upstream's bytes under the upstream's `content-encoding` through
 * each of them — hono + fetch (which decodes unless asked for `identity`), the pooled proxy on
 * the gateway's forwarding, and the same on undici's Pool — each run as the bench runs it, a
 * process of its own.
 */

import assert from "node:assert/strict";
import { startHonoBare, startPooled, type Target } from "../../bench/gateway/targets.ts";
import { headerValues, rawRequest } from "../gateway/raw_client.ts";
import { GZIP_BYTES, TestUpstream } from "../gateway/upstream_server.ts";

const PROXIES: [string, (upstream: string) => Promise<Target>][] = [
  ["hono + fetch", startHonoBare],
  ["pooled (the gateway's forwarding)", (up) => startPooled(up, "pooled bare")],
  ["pooled, on Mirage's listener", (up) => startPooled(up, "pooled bare, mirage listener")],
  ["pooled on undici", (up) => startPooled(up, "pooled bare, undici")],
];

for (const [name, start] of PROXIES) {
  Deno.test(`${name} bare proxy: a gzip answer comes back as the upstream's bytes`, async () => {
    const upstream = new TestUpstream();
    let proxy: Target | undefined;
    try {
      proxy = await start(upstream.url);
      const res = await rawRequest(`${proxy.origin}/gzip`, {
        headers: [["accept-encoding", "gzip, br"]],
      });
      assert.equal(res.status, 200);
      assert.deepEqual(headerValues(res, "content-encoding"), ["gzip"]);
      assert.deepEqual(res.body, GZIP_BYTES);
      assert.deepEqual(upstream.seen, ["/gzip"]);
    } finally {
      await proxy?.process?.stop();
      await upstream.close();
    }
  });
}
