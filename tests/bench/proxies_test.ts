/**
 * The bench's bare proxies are correct proxies, or their ratios mean nothing: a gzip answer
 * reaches the client as the upstream's bytes under the upstream's `content-encoding` through
 * each of them — hono + fetch (which decodes unless asked for `identity`), the pooled proxy on
 * the gateway's forwarding, and the same on undici's Pool — each run as the bench runs it, a
 * process of its own.
 */

import assert from "node:assert/strict";
import { BODY_TIMES_PATH, BodyTimes } from "../../bench/pooled_proxy.ts";
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

Deno.test("pooled bare proxy: it answers with each request's arrival → body time", async () => {
  const upstream = new TestUpstream();
  let proxy: Target | undefined;
  try {
    proxy = await startPooled(upstream.url, "pooled bare");
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxy.origin}/v1/get_quote`, {
        method: "POST",
        body: `{"n":${i}}`,
      });
      await res.body?.cancel();
    }
    const times = await (await fetch(`${proxy.origin}${BODY_TIMES_PATH}?last=10`)).json();
    assert.equal(times.length, 3);
    for (const us of times) assert.ok(typeof us === "number" && us > 0 && us < 10_000_000, `${us}`);
    assert.equal(upstream.seen.length, 3);
  } finally {
    await proxy?.process?.stop();
    await upstream.close();
  }
});

Deno.test("BodyTimes: the last n times, oldest first, from a ring that wraps", () => {
  const times = new BodyTimes();
  assert.deepEqual(times.last(5), []);
  const n = (1 << 16) + 3;
  for (let i = 0; i < n; i++) times.add(i);
  assert.deepEqual(times.last(3), [n - 3, n - 2, n - 1]);
  assert.equal(times.last(n).length, 1 << 16);
  assert.equal(times.last(n)[0], 3);
});
