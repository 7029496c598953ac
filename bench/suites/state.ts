/**
 * The state suite: what shared state on Redis costs against the memory store, in the same run —
 * decisions in process (one awaited at a time, and 32 in flight as under load) with a real
 * redis-server on loopback, and the gateway saturated with every request going through the
 * store (one count check and one mark each).
 */

import { type Action, compilePolicies, MemoryStateStore, redisStore } from "@mirage/core";
import type { StateStore } from "@mirage/core";
import { RedisServer } from "../../tests/support/redis_server.ts";
import { type LoadPlan, measureTarget, type TargetResult } from "../gateway/measure_target.ts";
import { findNginx, startNginx } from "../gateway/nginx_upstream.ts";
import { gatewayCli, startGateway, type Target } from "../gateway/targets.ts";
import { hasWrk } from "../gateway/wrk.ts";
import type { BatchPlan } from "../lib/batch_timer.ts";
import { procurementPool } from "../lib/decide_pool.ts";
import { loadPolicyFile, repoUrl } from "../lib/policy_file.ts";
import { progress } from "../lib/progress.ts";
import { fmt, type Goal, type Ratio, type SuiteResult, type Table } from "../lib/report.ts";
import { timePool } from "./decide.ts";

/** Fewer decisions than the decide suite: a Redis round trip is ~100× a memory decision. */
const PLAN: BatchPlan = { batch: 64, samples: 300, warmupMs: 500 };
/** Decisions in flight at once, as the gateway has under wrk's 32 connections. */
const IN_FLIGHT = 32;
const CONCURRENT_DECISIONS = 40_000;
const LOAD: Omit<LoadPlan, "useWrk"> = { wrkSeconds: 5, pacedRate: 1_000, pacedSeconds: 5 };
/** The goal: the gateway with Redis state keeps this share of its throughput with memory. */
const GATEWAY_FLOOR = 0.7;

/** A quote-counting rule added to the procurement policy, so every load request has a check. */
const QUOTE_COUNT = `
  - name: quotes_per_run
    description: A run may ask for many quotes, but not without end.
    method: POST
    path: /v1/get_quote
    operator: count_lte
    value: 1000000000
    message: Too many quotes in one run.
`;

interface StoreRow {
  readonly store: string;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly perSecond: number;
}

/** Decisions per second with `IN_FLIGHT` callers, each awaiting its decision before the next. */
async function concurrentRate(decide: (a: Action) => Promise<unknown>, pool: readonly Action[]) {
  let next = 0;
  const worker = async () => {
    while (next < CONCURRENT_DECISIONS) await decide(pool[next++ % pool.length] as Action);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return CONCURRENT_DECISIONS / ((performance.now() - start) / 1000);
}

async function decideRow(name: string, store: StateStore, pool: readonly Action[]) {
  const doc = await loadPolicyFile("bench/policies/procurement.yaml");
  progress("state", `decide with the ${name} store: ${pool.length} actions`);
  const sequential = await timePool(name, compilePolicies(doc, { store }), pool, PLAN);
  const concurrent = compilePolicies(doc, { store });
  const perSecond = await concurrentRate((a) => concurrent.decide(a), pool);
  return { store: name, p50Us: sequential.us.p50, p99Us: sequential.us.p99, perSecond };
}

function decideTable(rows: readonly StoreRow[]): Table {
  const memory = rows[0] as StoreRow;
  return {
    title: "State — decisions in process, memory vs Redis on loopback (procurement policy)",
    columns: [
      "store",
      "p50 µs (one at a time)",
      "p99 µs",
      `decisions/s (${IN_FLIGHT} in flight)`,
      "× memory",
    ],
    rows: rows.map((r) => [
      r.store,
      fmt(r.p50Us, 2),
      fmt(r.p99Us, 2),
      fmt(r.perSecond, 0),
      fmt(r.perSecond / memory.perSecond, 3),
    ]),
    notes: [
      `One at a time: batches of ${PLAN.batch} awaited decide() calls, ${PLAN.samples} batches. ` +
      `In flight: ${IN_FLIGHT} callers, ${
        CONCURRENT_DECISIONS.toLocaleString("en-US")
      } decisions ` +
      "after as many to warm up. Every action with a state rule or a prior-action watcher is one " +
      "EVALSHA; redis-server 7 (no persistence) shares the machine's cores with the benchmark.",
    ],
  };
}

function rps(r: TargetResult | undefined): number {
  return r?.saturated?.requestsPerSecond ?? NaN;
}

function gatewayTable(memory: TargetResult, redis: TargetResult, plan: LoadPlan): Table {
  return {
    title: `State — gateway enforce saturated (wrk -t1 -c32 -d${plan.wrkSeconds}s) and paced ` +
      `${plan.pacedRate.toLocaleString("en-US")} req/s, memory vs Redis state`,
    columns: [
      "target",
      "req/s",
      "× memory",
      "p50 µs",
      "p99 µs",
      "paced p50 µs",
      "paced p99 µs",
      "non-2xx",
    ],
    rows: [memory, redis].map((r) => [
      r.name,
      r.saturated ? fmt(rps(r), 0) : "not measured",
      fmt(rps(r) / rps(memory), 2),
      fmt(r.saturated?.latencyUs.p50, 0),
      fmt(r.saturated?.latencyUs.p99, 0),
      fmt(r.paced.p50Us, 0),
      fmt(r.paced.p99Us, 0),
      String(r.saturated?.non2xx ?? "—"),
    ]),
    notes: [
      "Policy: bench/policies/procurement.yaml plus a per-run count_lte on quotes, so that each " +
      "load request (POST /v1/get_quote) runs one count check and one mark through the store.",
      plan.useWrk
        ? "wrk, nginx, redis-server and the gateway share the machine's cores."
        : "wrk is not installed (apt-get install -y wrk): saturating load not measured.",
    ],
  };
}

async function measureGateways(url: string, plan: LoadPlan) {
  const cli = await gatewayCli();
  const nginx = await findNginx();
  if (!cli || !nginx) return undefined;
  const upstream = await startNginx(nginx);
  const dir = await Deno.makeTempDir({ prefix: "mirage-bench-state-" });
  const policies = `${dir}/policies.yaml`;
  const base = await Deno.readTextFile(repoUrl("bench/policies/procurement.yaml"));
  await Deno.writeTextFile(policies, `${base.trimEnd()}\n${QUOTE_COUNT}`);
  const up = `http://127.0.0.1:${upstream.port}`;
  const start = (variant: Parameters<typeof startGateway>[4]) => () =>
    startGateway(cli, up, "enforce", `${dir}/traces`, variant);
  const out: TargetResult[] = [];
  try {
    for (
      const s of [
        start({ name: "gateway enforce, memory state", policies, args: [] }),
        start({ name: "gateway enforce, Redis state", policies, args: ["--state", url] }),
      ]
    ) {
      const target: Target = await s();
      try {
        out.push(await measureTarget(target, plan));
      } finally {
        await target.process?.stop();
      }
    }
  } finally {
    await upstream.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return out as [TargetResult, TargetResult];
}

function notRun(reason: string): SuiteResult {
  const table: Table = { title: "State — not measured", columns: ["reason"], rows: [[reason]] };
  return { suite: "state", raw: { skipped: reason }, tables: [table], ratios: {}, goals: [] };
}

/** Runs the state suite. */
export async function runState(seed: number): Promise<SuiteResult> {
  let redis: RedisServer;
  try {
    redis = await RedisServer.start();
  } catch (e) {
    return notRun(e instanceof Error ? e.message : String(e));
  }
  try {
    const pool = procurementPool(seed);
    const memoryStore = new MemoryStateStore();
    const redisState = redisStore(redis.url, { prefix: "bench:decide:" });
    const rows = [
      await decideRow("memory", memoryStore, pool),
      await decideRow("Redis", redisState, pool),
    ];
    await redisState.close();
    const plan: LoadPlan = { ...LOAD, useWrk: await hasWrk() };
    const gateways = await measureGateways(redis.url, plan);
    const [memory, shared] = rows as [StoreRow, StoreRow];
    const ratios: Record<string, Ratio> = {
      "state.decide.redis_vs_memory.p50": { value: shared.p50Us / memory.p50Us, better: "lower" },
      "state.decide_in_flight.redis_vs_memory.rate": {
        value: shared.perSecond / memory.perSecond,
        better: "higher",
      },
    };
    const tables = [decideTable(rows)];
    const goals: Goal[] = [];
    if (gateways) {
      const [g0, g1] = gateways;
      const ratio = rps(g1) / rps(g0);
      tables.push(gatewayTable(g0, g1, plan));
      if (plan.useWrk) {
        ratios["state.gateway.saturated.redis_vs_memory.rps"] = { value: ratio, better: "higher" };
      }
      goals.push({
        goal: `gateway enforce, Redis state: saturated ≥ ${GATEWAY_FLOOR}× with memory state`,
        measured: `${fmt(ratio, 2)}×`,
        met: plan.useWrk && Number.isFinite(ratio) ? ratio >= GATEWAY_FLOOR : null,
      });
    }
    return {
      suite: "state",
      raw: { plan: PLAN, rows, gateways, load: plan },
      tables,
      ratios,
      goals,
    };
  } finally {
    await redis.stop();
  }
}
