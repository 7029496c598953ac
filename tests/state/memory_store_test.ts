/**
 * The memory store: the conformance suite with an injected expiry clock, and the bound on its
 * memory — a long-lived gateway forgets finished runs even when nobody asks about them again.
 */

import assert from "node:assert/strict";
import {
  compilePolicies,
  MemoryStateStore,
  MirageError,
  type StateStore,
  type StateTransaction,
  storeStatus,
  toolAction,
} from "@mirage/core";
import { runConformance } from "./conformance.ts";

Deno.test("memory store: the state-store conformance suite", async (t) => {
  await runConformance(t, (options) => {
    let now = 1_000_000;
    const store = new MemoryStateStore({ ...options, clock: () => now });
    return Promise.resolve({
      store,
      age: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    });
  });
});

Deno.test("memory store: keys of finished runs are swept away as new ones come, unread", async () => {
  let now = 0;
  const store = new MemoryStateStore({ idleTtlMs: 60_000, clock: () => now });
  const count = (key: string) => ({
    now,
    blocked: false,
    marks: [{ key, member: "m" }],
    checks: [{ kind: "count" as const, key, limit: 9, block: true }],
  });
  for (let i = 0; i < 5000; i++) await store.apply(count(`old-${i}`));
  assert.equal(store.size, 10_000);
  now += 60_001;
  for (let i = 0; i < 5000; i++) await store.apply(count(`new-${i}`));
  assert.equal(store.size, 10_000, "the old runs' keys made room for the new ones'");
  for (let i = 0; i < 5000; i++) await store.apply(count("one-run"));
  assert.equal(store.size, 10_002, "updating a live key sweeps nothing");
});

Deno.test("memory store: an idle TTL that is not a positive number is refused", () => {
  for (const idleTtlMs of [0, -1, NaN, Infinity]) {
    assert.throws(
      () => new MemoryStateStore({ idleTtlMs }),
      (e) => e instanceof MirageError && e.code === "invalid_option",
    );
  }
});

Deno.test("memory store: always ready", () => {
  assert.deepEqual(storeStatus(new MemoryStateStore()), {
    store: "memory",
    status: "ready",
    errors: 0,
  });
});

Deno.test("memory store: applySync answers and updates exactly as apply does", async () => {
  const clock = () => 5_000;
  const viaApply = new MemoryStateStore({ clock });
  const viaSync = new MemoryStateStore({ clock });
  const txs = Array.from({ length: 12 }, (_, i) => ({
    now: i * 1_000,
    blocked: i === 7,
    marks: [{ key: "prior", member: `m${i % 3}` }],
    checks: [
      { kind: "count" as const, key: "count", limit: 4, block: true },
      { kind: "sum" as const, key: "sum", limit: 30, amount: i, block: false },
      { kind: "rate" as const, key: "rate", limit: 3, windowMs: 2_500, block: true },
      { kind: "has" as const, key: "prior", member: "m1", block: false },
      { kind: "none" as const, key: "prior", block: false },
    ],
  }));
  for (const tx of txs) assert.deepEqual(viaSync.applySync(tx), await viaApply.apply(tx));
  assert.equal(viaSync.size, viaApply.size);
});

Deno.test("memory store: a transaction's wall-clock reading is its expiry clock only when both are Date.now", () => {
  const count = (now: number, wallClock: boolean) => ({
    now,
    wallClock,
    blocked: false,
    marks: [],
    checks: [{ kind: "count" as const, key: "k", limit: 9, block: true }],
  });
  const counts = (store: MemoryStateStore, wallClock: boolean) => {
    store.applySync(count(Date.now(), wallClock));
    // A reading two idle TTLs ahead: the key has expired if the store took it as its own.
    return store.applySync(count(Date.now() + 120_000, wallClock))[0]?.actual;
  };
  assert.equal(counts(new MemoryStateStore({ idleTtlMs: 60_000 }), true), 1);
  assert.equal(counts(new MemoryStateStore({ idleTtlMs: 60_000 }), false), 2);
  const ownClock = new MemoryStateStore({ idleTtlMs: 60_000, clock: () => Date.now() });
  assert.equal(counts(ownClock, true), 2, "a store with its own clock reads it");
});

Deno.test("a policy set says its reading is wall-clock only when its clock is Date.now", async () => {
  const seen: StateTransaction[] = [];
  const memory = new MemoryStateStore();
  const store: StateStore = {
    apply: (tx) => {
      seen.push(tx);
      return memory.apply(tx);
    },
    close: () => memory.close(),
  };
  const doc = { policies: [{ name: "c", message: "m", operator: "count_lte" as const, value: 5 }] };
  await compilePolicies(doc, { store }).decide(toolAction({ tool: "t" }));
  await compilePolicies(doc, { store, clock: () => 7 }).decide(toolAction({ tool: "t" }));
  assert.deepEqual(seen.map((tx) => tx.wallClock), [true, false]);
});
