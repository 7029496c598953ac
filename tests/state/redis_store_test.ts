/**
 * The Redis store against a real redis-server: the conformance suite (expiry aged by moving the
 * keys' TTLs back), key layout and prefixes, one atomic script under concurrent callers, the
 * script cache flushed, real expiry with a short TTL, a slow server, a server that goes away and
 * comes back, passwords that never show, and `session()` with `store: redisStore(url)`.
 */

import assert from "node:assert/strict";
import {
  MirageError,
  type MocksDocument,
  type PolicyDocument,
  redisStore,
  type RedisStoreOptions,
  session,
  type StateTransaction,
  storeStatus,
} from "@mirage/core";
import { RedisServer } from "../support/redis_server.ts";
import { runConformance } from "./conformance.ts";

/** Moves every TTL under `prefix` back by `ms`, deleting keys whose TTL runs out: time passing. */
const AGE_SCRIPT = `
for _, key in ipairs(redis.call("KEYS", ARGV[1] .. "*")) do
  local ttl = redis.call("PTTL", key)
  if ttl > 0 then
    if ttl <= tonumber(ARGV[2]) then redis.call("DEL", key)
    else redis.call("PEXPIRE", key, ttl - tonumber(ARGV[2])) end
  end
end
return 0
`;

/** Runs `fn` with a fresh redis-server, stopped afterwards. */
async function withRedis(fn: (server: RedisServer) => Promise<void>): Promise<void> {
  const server = await RedisServer.start();
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

function count(key: string, limit: number): StateTransaction {
  return {
    now: 0,
    blocked: false,
    marks: [],
    checks: [{ kind: "count", key, limit, block: true }],
  };
}

function rejectsWith(code: string, message?: RegExp): (e: unknown) => boolean {
  return (e) =>
    e instanceof MirageError && e.code === code && (!message || message.test(e.message));
}

Deno.test("redis store: the state-store conformance suite", async (t) => {
  await withRedis(async (server) => {
    const admin = await server.client();
    let n = 0;
    try {
      await runConformance(t, (options) => {
        const prefix = `case${++n}:`;
        const store = redisStore(server.url, { prefix, ...options });
        const age = async (ms: number) => {
          await admin.eval(AGE_SCRIPT, { keys: [], arguments: [prefix, String(ms)] });
        };
        return Promise.resolve({ store, age });
      });
    } finally {
      admin.destroy();
    }
  });
});

Deno.test("redis store: keys live under the prefix, one per kind, with their TTLs", async () => {
  await withRedis(async (server) => {
    const store = redisStore(server.url, { idleTtlMs: 60_000 });
    const admin = await server.client();
    try {
      await store.apply({
        now: 1000,
        blocked: false,
        checks: [
          { kind: "count", key: "bids\u0000run:r1", limit: 9, block: true },
          {
            kind: "sum",
            key: "spend\u0000global",
            limit: 9,
            amount: 2.5,
            block: true,
            global: true,
          },
          { kind: "rate", key: "calls\u0000run:r1", limit: 9, windowMs: 5000, block: true },
        ],
        marks: [{ key: "quote\u0000prior\u0000run:r1", member: '["S-1"]' }],
      });
      const keys = (await admin.keys("*")).map(String).sort();
      assert.deepEqual(keys, [
        "mirage:c:bids\u0000run:r1",
        "mirage:m:quote\u0000prior\u0000run:r1",
        "mirage:r:calls\u0000run:r1",
        "mirage:s:spend\u0000global",
      ]);
      assert.equal(String(await admin.get("mirage:s:spend\u0000global")), "2.5");
      assert.equal(await admin.pTTL("mirage:s:spend\u0000global"), -1);
      const ttls: [string, number][] = [["c:bids\u0000run:r1", 60_000], [
        "r:calls\u0000run:r1",
        5000,
      ]];
      for (const [key, max] of ttls) {
        const ttl = await admin.pTTL(`mirage:${key}`);
        assert.ok(ttl > max - 10_000 && ttl <= max, `${key}: ${ttl}`);
      }
    } finally {
      admin.destroy();
      await store.close();
    }
  });
});

Deno.test("redis store: two prefixes on one Redis keep apart", async () => {
  await withRedis(async (server) => {
    const a = redisStore(server.url, { prefix: "mirage:shop:" });
    const b = redisStore(server.url, { prefix: "mirage:payments:" });
    try {
      assert.equal((await a.apply(count("k", 1)))[0]?.passed, true);
      assert.equal((await a.apply(count("k", 1)))[0]?.passed, false);
      assert.equal((await b.apply(count("k", 1)))[0]?.passed, true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

Deno.test("redis store: 50 concurrent calls from two clients against count_lte 5: exactly 5 pass", async () => {
  await withRedis(async (server) => {
    const stores = [redisStore(server.url), redisStore(server.url)];
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stores[i % 2]!.apply(count("shared", 5))),
      );
      const passed = results.map((r) => r[0]?.passed);
      assert.equal(passed.filter(Boolean).length, 5);
      const actuals = results.map((r) => r[0]?.actual as number).sort((x, y) => x - y);
      assert.deepEqual(actuals.slice(0, 6), [1, 2, 3, 4, 5, 6]);
    } finally {
      for (const s of stores) await s.close();
    }
  });
});

Deno.test("redis store: a flushed script cache (as after a restart) is loaded again", async () => {
  await withRedis(async (server) => {
    const store = redisStore(server.url);
    const admin = await server.client();
    try {
      assert.equal((await store.apply(count("k", 9)))[0]?.actual, 1);
      await admin.scriptFlush();
      assert.equal((await store.apply(count("k", 9)))[0]?.actual, 2);
      assert.equal((await store.apply(count("k", 9)))[0]?.actual, 3);
      assert.equal(storeStatus(store).errors, 0);
    } finally {
      admin.destroy();
      await store.close();
    }
  });
});

Deno.test("redis store: Redis expires an idle key by itself after a short TTL", async () => {
  await withRedis(async (server) => {
    const store = redisStore(server.url, { idleTtlMs: 200 });
    try {
      assert.equal((await store.apply(count("k", 9)))[0]?.actual, 1);
      await new Promise((r) => setTimeout(r, 600));
      assert.equal((await store.apply(count("k", 9)))[0]?.actual, 1);
    } finally {
      await store.close();
    }
  });
});

Deno.test("redis store: a server slower than the time bound fails the call, then service resumes", async () => {
  await withRedis(async (server) => {
    const store = redisStore(server.url, { timeoutMs: 200 });
    const admin = await server.client();
    try {
      await store.apply(count("k", 9));
      const sleeping = admin.sendCommand(["DEBUG", "SLEEP", "2"]);
      await new Promise((r) => setTimeout(r, 300));
      await assert.rejects(store.apply(count("k", 9)), rejectsWith("state_timeout", /200 ms/));
      assert.equal(storeStatus(store).status, "error");
      await sleeping;
      // The call that timed out was still run by the server once it woke: it counts.
      assert.equal((await store.apply(count("k", 9)))[0]?.actual, 3);
      assert.equal(storeStatus(store).status, "ready");
      assert.equal(storeStatus(store).errors, 1);
    } finally {
      admin.destroy();
      await store.close();
    }
  });
});

Deno.test("redis store: Redis down fails calls at once; the client reconnects by itself", async () => {
  const first = await RedisServer.start();
  const port = first.port;
  const store = redisStore(first.url);
  let second: RedisServer | undefined;
  try {
    assert.equal((await store.apply(count("k", 9)))[0]?.actual, 1);
    await first.stop();
    await waitFor(() => storeStatus(store).status === "reconnecting");
    // Not a timeout: a known outage fails at once.
    await assert.rejects(store.apply(count("k", 9)), rejectsWith("state_unavailable"));
    const status = storeStatus(store);
    assert.equal(status.location, `redis://127.0.0.1:${port}/0`);
    assert.match(status.error ?? "", /is unavailable \(reconnecting: \w.*\)$/);
    second = await RedisServer.start({ port });
    await waitFor(() => storeStatus(store).status === "ready");
    // A new server (no persistence): state starts again, and the script is loaded again.
    assert.equal((await store.apply(count("k", 9)))[0]?.actual, 1);
  } finally {
    await store.close();
    await first.stop();
    await second?.stop();
  }
});

Deno.test("redis store: calls made before the first connection wait for it", async () => {
  await withRedis(async (server) => {
    const store = redisStore(server.url);
    try {
      assert.equal(storeStatus(store).status, "connecting");
      assert.equal((await store.apply(count("k", 9)))[0]?.actual, 1);
    } finally {
      await store.close();
    }
  });
});

Deno.test("redis store: a closed store refuses calls", async () => {
  await withRedis(async (server) => {
    const store = redisStore(server.url);
    await store.apply(count("k", 9));
    await store.close();
    await assert.rejects(store.apply(count("k", 9)), rejectsWith("state_unavailable", /closed/));
    assert.equal(storeStatus(store).status, "closed");
  });
});

Deno.test("redis store: the password authenticates and is never shown", async () => {
  const secret = "s3cret-Pa55";
  const server = await RedisServer.start({ password: secret });
  const good = redisStore(server.url);
  const bad = redisStore(`redis://:wrong-${secret}@127.0.0.1:${server.port}/0`, { timeoutMs: 300 });
  try {
    assert.equal((await good.apply(count("k", 9)))[0]?.actual, 1);
    assert.equal(storeStatus(good).location, `redis://:***@127.0.0.1:${server.port}/0`);
    const failure = await bad.apply(count("k", 9)).then(() => undefined, (e: unknown) => e);
    assert.ok(failure instanceof MirageError);
    await waitFor(() => storeStatus(bad).error !== undefined);
    const shown = JSON.stringify([
      storeStatus(good),
      storeStatus(bad),
      String(failure),
      failure.stack,
    ]);
    assert.ok(!shown.includes(secret), shown);
  } finally {
    await good.close();
    await bad.close();
    await server.stop();
  }
});

Deno.test("redis store: bad URLs and options are refused, with the password redacted", () => {
  const cases: [string, RedisStoreOptions, string][] = [
    ["http://:pw-123@127.0.0.1:6379", {}, "invalid_state_url"],
    ["redis://:pw-123@127.0.0.1:6379/x", {}, "invalid_state_url"],
    ["redis://:pw-123@127.0.0.1:6379", { timeoutMs: 0 }, "invalid_option"],
    ["redis://:pw-123@127.0.0.1:6379", { idleTtlMs: -5 }, "invalid_option"],
  ];
  for (const [url, options, code] of cases) {
    assert.throws(
      () => redisStore(url, options),
      (e) => e instanceof MirageError && e.code === code && !e.message.includes("pw-123"),
      url,
    );
  }
});

Deno.test("redis store: session() with store: redisStore(url) shares counts across sessions", async () => {
  await withRedis(async (server) => {
    const policies: PolicyDocument = {
      policies: [{
        name: "two_bids",
        path: "/v1/bid",
        operator: "count_lte",
        value: 2,
        per: "global",
        message: "two bids in all",
      }],
    };
    const mocks: MocksDocument = {
      mocks: [{
        name: "bid",
        method: "POST",
        path: "/v1/bid",
        response: { json: {} },
      }],
    };
    const open = (runId: string) =>
      session({ runId, policies, mocks, traces: false, store: redisStore(server.url) });
    const statuses: number[] = [];
    for (const runId of ["a", "b", "c"]) {
      await using mirage = await open(runId);
      const res = await mirage.fetch("http://api.test/v1/bid", { method: "POST", body: "{}" });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [200, 200, 403]);
  });
});

async function waitFor(ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error("timed out waiting for the store");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("redis store: values a rule is keyed on reach Redis as digests, never as they are", async () => {
  const token = "sk-live-4242424242";
  const card = "4111111111111111";
  await withRedis(async (server) => {
    const policies: PolicyDocument = {
      policies: [
        {
          name: "calls_per_key",
          path: "/v1/pay",
          operator: "count_lte",
          value: 1,
          per: "headers.x-api-key",
          message: "one payment per key",
        },
        {
          name: "quote_first",
          path: "/v1/pay",
          operator: "requires_prior",
          value: { path: "/v1/quote", same: ["payload.card"] },
          message: "quote the card first",
        },
      ],
    };
    const mocks: MocksDocument = {
      mocks: [
        { name: "quote", method: "POST", path: "/v1/quote", response: { json: {} } },
        { name: "pay", method: "POST", path: "/v1/pay", response: { json: {} } },
      ],
    };
    const store = redisStore(server.url);
    const admin = await server.client();
    try {
      await using mirage = await session({ runId: "r1", policies, mocks, traces: false, store });
      const post = async (path: string) => {
        const res = await mirage.fetch(`http://api.test${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": token },
          body: JSON.stringify({ card }),
        });
        await res.body?.cancel();
        return res.status;
      };
      assert.deepEqual([await post("/v1/quote"), await post("/v1/pay"), await post("/v1/pay")], [
        200,
        200,
        403,
      ]);
      const keys = (await admin.keys("*")).map(String);
      assert.ok(keys.some((k) => k.startsWith("mirage:c:calls_per_key\u0000field:")), keys.join());
      const stored = [...keys];
      for (const key of keys) {
        if (key.startsWith("mirage:m:")) stored.push(...(await admin.sMembers(key)).map(String));
      }
      for (const text of stored) {
        assert.ok(
          !text.includes(token) && !text.includes(card),
          `in Redis: ${JSON.stringify(text)}`,
        );
      }
    } finally {
      admin.destroy();
    }
  });
});
