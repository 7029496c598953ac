/**
 * `mirage proxy --state redis://…`: two CI proxies (say, parallel jobs of one pipeline) hold one
 * limit through a real redis-server, keep it across a reload, and report the store in health
 * and metrics.
 */

import assert from "node:assert/strict";
import { startProxyProcess } from "../support/cli_process.ts";
import { MOCKS_YAML, postJson, workspace } from "../support/fixtures.ts";
import { RedisServer } from "../support/redis_server.ts";

const TWO_BIDS = `policies:
  - name: two_bids
    method: POST
    path: /v1/submit_bid
    operator: count_lte
    value: 2
    message: two bids per run
`;

Deno.test("proxy: two processes with --state redis share one count_lte, across a reload", async () => {
  await using ws = await workspace(TWO_BIDS, MOCKS_YAML);
  const redis = await RedisServer.start();
  const args = (n: number) => [
    "--mocks",
    ws.mocks,
    "--policies",
    ws.policies,
    "--traces",
    `${ws.traces}-${n}`,
    "--state",
    redis.url,
    "--state-prefix",
    "mirage:ci:",
  ];
  const proxies = [await startProxyProcess(args(1)), await startProxyProcess(args(2))];
  try {
    const bid = async (i: number) => {
      const res = await fetch(`${proxies[i % 2]!.url}/v1/submit_bid`, postJson({ amount: 1 }));
      await res.body?.cancel();
      return res.status;
    };
    assert.deepEqual([await bid(0), await bid(1)], [201, 201]);
    proxies[0]!.process.kill("SIGHUP");
    await proxies[0]!.process.waitFor(/reloaded/);
    assert.deepEqual([await bid(0), await bid(1)], [403, 403]);
    const health = await (await fetch(`${proxies[0]!.url}/_mirage/health`)).json();
    assert.deepEqual([health.state.store, health.state.status], ["redis", "ready"]);
    const metrics = await (await fetch(`${proxies[1]!.url}/_mirage/metrics`)).text();
    assert.match(metrics, /^mirage_state_store_up\{store="redis"\} 1$/m);
    assert.match(
      proxies[0]!.process.stdout,
      /state in Redis redis:\/\/127\.0\.0\.1:\d+\/0 · prefix mirage:ci:/,
    );
    const admin = await redis.client();
    try {
      assert.deepEqual((await admin.keys("*")).map(String), [
        "mirage:ci:c:two_bids\u0000run:default",
      ]);
    } finally {
      admin.destroy();
    }
  } finally {
    for (const p of proxies) await p.stop();
    await redis.stop();
  }
});
