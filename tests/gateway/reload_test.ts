/**
 * Policies reload on SIGHUP (and file change) while traffic flows: no request fails, the new
 * rules apply once the reload is logged, and a broken file keeps the previous rules serving.
 */

import assert from "node:assert/strict";
import { GatewayProcess } from "./gateway_process.ts";
import { json, POLICIES } from "./harness.ts";
import { rawRequest } from "./raw_client.ts";
import { TestUpstream } from "./upstream_server.ts";

/** Sends requests from several workers until stopped; counts answers by status and failures. */
function traffic(url: string, workers: number) {
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let running = true;
  const worker = async () => {
    while (running) {
      try {
        const res = await rawRequest(`${url}/echo`, { method: "POST", body: json({ amount: 70 }) });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      } catch (e) {
        failures.push(String(e));
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    statuses,
    failures,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

async function statusOf(url: string): Promise<number> {
  return (await rawRequest(`${url}/echo`, { method: "POST", body: json({ amount: 70 }) })).status;
}

Deno.test("reload under traffic: zero failed requests, new rules after the reload, broken file keeps the old", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mirage-gw-reload-" });
  const policies = `${dir}/policies.yaml`;
  const original = await Deno.readTextFile(POLICIES);
  await Deno.writeTextFile(policies, original);
  const upstream = new TestUpstream();
  const gateway = await GatewayProcess.start([
    "--upstream",
    upstream.url,
    "--mode",
    "enforce",
    "--policies",
    policies,
    "--traces",
    `${dir}/traces`,
    "--no-decision-log",
  ]);
  try {
    assert.equal(await statusOf(gateway.url), 200);
    const load = traffic(gateway.url, 4);
    await new Promise((r) => setTimeout(r, 200));
    await Deno.writeTextFile(policies, original.replace("value: 100", "value: 60"));
    gateway.signal("SIGHUP");
    await gateway.waitFor(/\[mirage\] reloaded/);
    assert.equal(await statusOf(gateway.url), 403, "the new cap applies after the reload");

    await Deno.writeTextFile(policies, "policies:\n  - name: broken\n    operator: maxx\n");
    gateway.signal("SIGHUP");
    await gateway.waitFor(/reload \(.*\) failed; still serving the previous policies/);
    assert.equal(await statusOf(gateway.url), 403, "a broken file keeps the previous rules");
    await new Promise((r) => setTimeout(r, 200));
    await load.stop();

    assert.deepEqual(load.failures, []);
    const answered = [...load.statuses.keys()].sort();
    assert.ok(answered.every((s) => s === 200 || s === 403), `unexpected statuses ${answered}`);
    assert.ok(
      (load.statuses.get(200) ?? 0) > 0 && (load.statuses.get(403) ?? 0) > 0,
      "traffic spanned the reload",
    );
  } finally {
    await gateway.stop();
    await upstream.close();
    await Deno.remove(dir, { recursive: true });
  }
});
