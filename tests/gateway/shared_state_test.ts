/**
 * Gateway processes sharing state through a real redis-server, as a team running replicas
 * would: one limit held exactly across two processes under concurrent load, a shared budget,
 * Redis killed under load (no hang, enforce answers 503, passthrough forwards, service resumes
 * when Redis is back without restarting anything), a slow Redis, idle expiry with a short TTL,
 * health and metrics that show the store, and a password that never shows.
 */

import assert from "node:assert/strict";
import { readTrace } from "@mirage/core";
import { runCli } from "../support/cli_process.ts";
import { RedisServer } from "../support/redis_server.ts";
import { GatewayProcess } from "./gateway_process.ts";
import { TestUpstream } from "./upstream_server.ts";

/** What a test gets: a Redis, an upstream, and a directory for files and traces. */
interface SharedRig {
  redis: RedisServer;
  upstream: TestUpstream;
  dir: string;
  /** Starts a gateway with these policies (YAML) sharing the rig's Redis; stopped after the test. */
  gateway(policies: string, options?: GatewayStart): Promise<GatewayProcess>;
}

interface GatewayStart {
  mode?: "enforce" | "passthrough";
  args?: string[];
  env?: Record<string, string>;
  /** Pass the Redis URL through MIRAGE_REDIS_URL instead of `--state`. */
  urlFromEnv?: boolean;
}

async function withSharedState(
  fn: (rig: SharedRig) => Promise<void>,
  redisOptions: { password?: string } = {},
): Promise<void> {
  const redis = await RedisServer.start(redisOptions);
  const upstream = new TestUpstream();
  const dir = await Deno.makeTempDir({ prefix: "mirage-gw-shared-" });
  const gateways: GatewayProcess[] = [];
  let n = 0;
  const gateway = async (policies: string, o: GatewayStart = {}) => {
    const file = `${dir}/policies-${++n}.yaml`;
    await Deno.writeTextFile(file, policies);
    const state = o.urlFromEnv ? [] : ["--state", redis.url];
    const env = { ...o.env, ...(o.urlFromEnv ? { MIRAGE_REDIS_URL: redis.url } : {}) };
    const g = await GatewayProcess.start([
      "--upstream",
      upstream.url,
      "--mode",
      o.mode ?? "enforce",
      "--policies",
      file,
      "--traces",
      `${dir}/traces-${n}`,
      ...state,
      ...(o.args ?? []),
    ], env);
    gateways.push(g);
    return g;
  };
  try {
    await fn({ redis, upstream, dir, gateway });
  } finally {
    for (const g of gateways) await g.stop();
    await upstream.close();
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** One request; fails the test (instead of hanging it) when no answer comes within 10 s. */
async function send(url: string, body: unknown = {}, runId = "shared") {
  const res = await fetch(`${url}/echo`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "x-mirage-run-id": runId },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, outcome: res.headers.get("x-mirage-outcome"), text };
}

async function health(url: string): Promise<{ state: Record<string, unknown> }> {
  const res = await fetch(`${url}/_mirage/health`);
  return await res.json();
}

async function metrics(url: string): Promise<string> {
  return await (await fetch(`${url}/_mirage/metrics`)).text();
}

async function waitFor(ok: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 15_000;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const FIVE_CALLS = `
policies:
  - name: five_calls
    operator: count_lte
    value: 5
    message: five calls per run
`;

Deno.test("two gateways sharing one Redis: count_lte 5 under 50 concurrent requests allows exactly 5", async () => {
  await withSharedState(async ({ gateway, upstream }) => {
    const gateways = [await gateway(FIVE_CALLS), await gateway(FIVE_CALLS)];
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => send(gateways[i % 2]!.url)),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 200).length, 5, statuses.join(" "));
    assert.equal(statuses.filter((s) => s === 403).length, 45, statuses.join(" "));
    assert.equal(upstream.seen.length, 5);
    // Both replicas took part in the load.
    for (const g of gateways) {
      assert.ok(g.decisionLines().length > 0);
      assert.equal((await health(g.url)).state.status, "ready");
    }
  });
});

Deno.test("two gateways sharing one Redis spend one sum_lte budget", async () => {
  const budget = `
policies:
  - name: budget
    field: amount
    operator: sum_lte
    value: { field: amount, limit: 100 }
    per: global
    message: 100 in all
`;
  await withSharedState(async ({ gateway }) => {
    const gateways = [await gateway(budget), await gateway(budget)];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(gateways[i % 2]!.url, { amount: 10 }, `run-${i}`)),
    );
    assert.equal(answers.filter((a) => a.status === 200).length, 10);
    const refused = answers.find((a) => a.status === 403);
    assert.match(refused?.text ?? "", /"actual":110/);
    assert.equal((await send(gateways[0]!.url, { amount: 0 })).status, 200);
    assert.equal((await send(gateways[1]!.url, { amount: 1 })).status, 403);
  });
});

const MANY_CALLS = `
policies:
  - name: many_calls
    operator: count_lte
    value: 100000
    message: plenty
`;

Deno.test("Redis killed under load: no hang, enforce answers 503, passthrough forwards, both resume when it is back", async () => {
  await withSharedState(async ({ redis, gateway, upstream }) => {
    const enforce = await gateway(MANY_CALLS);
    const passthrough = await gateway(MANY_CALLS, { mode: "passthrough" });
    const seen: Record<string, Set<number>> = { enforce: new Set(), passthrough: new Set() };
    let running = true;
    const load = Promise.all(
      [enforce, passthrough, enforce, passthrough].map(async (g) => {
        const name = g === enforce ? "enforce" : "passthrough";
        while (running) seen[name]!.add((await send(g.url)).status);
      }),
    );
    await waitFor(() => Promise.resolve(upstream.seen.length >= 20), "traffic");
    await redis.stop();
    await waitFor(
      async () => (await health(enforce.url)).state.status === "reconnecting",
      "the gateway to see Redis gone",
    );
    const down = await send(enforce.url);
    assert.equal(down.status, 503);
    assert.equal(down.outcome, "error");
    const body = JSON.parse(down.text);
    assert.equal(body.error, "evaluation_failed");
    assert.match(body.message, /Redis state store redis:\/\/127\.0\.0\.1:\d+\/0 is unavailable/);
    const forwarded = await send(passthrough.url);
    assert.deepEqual([forwarded.status, forwarded.outcome], [200, "error"]);
    const h = await health(enforce.url);
    assert.equal(h.state.store, "redis");
    assert.ok(Number(h.state.errors) > 0);
    assert.match(await metrics(enforce.url), /^mirage_state_store_up\{store="redis"\} 0$/m);

    const back = await RedisServer.start({ port: redis.port });
    try {
      await waitFor(
        async () => (await send(enforce.url)).status === 200,
        "enforce to serve again",
      );
      await waitFor(
        async () => (await send(passthrough.url)).outcome === "allowed",
        "passthrough to decide again",
      );
      running = false;
      await load;
      assert.ok(seen.enforce!.has(503) && seen.enforce!.has(200), [...seen.enforce!].join(" "));
      assert.deepEqual([...seen.passthrough!], [200]);
      assert.match(await metrics(enforce.url), /^mirage_state_store_up\{store="redis"\} 1$/m);
      const errors = enforce.decisionLines().filter((l) => l.outcome === "error");
      assert.ok(errors.length > 0 && errors.every((l) => l.status === 503));
    } finally {
      running = false;
      await load;
      await back.stop();
    }
  });
});

Deno.test("a Redis slower than --state-timeout-ms: enforce answers 503 at once with the reason", async () => {
  await withSharedState(async ({ redis, gateway }) => {
    const g = await gateway(MANY_CALLS, { args: ["--state-timeout-ms", "200"] });
    assert.equal((await send(g.url)).status, 200);
    const admin = await redis.client();
    try {
      const sleeping = admin.sendCommand(["DEBUG", "SLEEP", "3"]);
      await new Promise((r) => setTimeout(r, 300));
      const slow = await send(g.url);
      assert.equal(slow.status, 503);
      assert.match(JSON.parse(slow.text).message, /did not answer within 200 ms/);
      await sleeping;
      assert.equal((await send(g.url)).status, 200);
    } finally {
      admin.destroy();
    }
  });
});

Deno.test("--state-ttl: a run's count is forgotten after it has been idle that long", async () => {
  const once = `
policies:
  - name: once
    operator: count_lte
    value: 1
    message: once per run
`;
  await withSharedState(async ({ gateway }) => {
    const g = await gateway(once, { args: ["--state-ttl", "300ms"] });
    assert.deepEqual([(await send(g.url)).status, (await send(g.url)).status], [200, 403]);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await send(g.url)).status, 200);
    assert.match(
      g.stderr,
      /state in Redis redis:\/\/127\.0\.0\.1:\d+\/0 · prefix mirage: · idle TTL 300ms/,
    );
  });
});

Deno.test("the Redis password never reaches logs, traces, health, metrics, errors or --help", async () => {
  const secret = "pw-Zq81-secret";
  await withSharedState(async ({ redis, gateway, dir }) => {
    const g = await gateway(FIVE_CALLS, { urlFromEnv: true });
    assert.equal((await send(g.url)).status, 200);
    const shown = [
      JSON.stringify(await health(g.url)),
      await metrics(g.url),
    ];
    await redis.stop();
    await waitFor(async () => (await health(g.url)).state.status === "reconnecting", "outage");
    const down = await send(g.url);
    assert.equal(down.status, 503);
    shown.push(down.text, JSON.stringify(await health(g.url)));
    await g.stop();
    shown.push(g.stdout, g.stderr, JSON.stringify(await readTrace(`${dir}/traces-1`, "shared")));
    const env = { MIRAGE_REDIS_URL: redis.url };
    const required: Record<string, string[]> = {
      gateway: ["--upstream", "http://127.0.0.1:1", "--mode", "enforce", "--policies", "p.yaml"],
      proxy: ["--mocks", "m.yaml", "--policies", "p.yaml"],
    };
    for (const [command, args] of Object.entries(required)) {
      const help = await runCli([command, "--help"], { env });
      const state = ["--state", `redis://:${secret}@127.0.0.1:1/x`];
      const bad = await runCli([command, ...args, ...state], { env });
      assert.match(bad.stderr, /not a Redis URL: 'redis:\/\/\*\*\*@127\.0\.0\.1:1\/x'/);
      assert.equal(bad.code, 2);
      shown.push(help.stdout, help.stderr, bad.stdout, bad.stderr);
    }
    for (const text of shown) assert.ok(!text.includes(secret), text);
    assert.match(g.stderr, /state in Redis redis:\/\/:\*\*\*@127\.0\.0\.1/);
  }, { password: secret });
});
