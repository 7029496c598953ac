/**
 * The state suite: what shared state on Redis costs against the memory store, in the same run —
 * decisions in process (one awaited at a time, and 32 in flight as under load) with a real
 * redis-server on loopback, and the gateway saturated with every request going through the
 * store (one count check and one mark each), the two gateways loaded in interleaved rounds.
 */

import { type Action, compilePolicies, MemoryStateStore, redisStore } from "@mirage/core";
import type { StateStore } from "@mirage/core";
import { RedisServer } from "../../tests/support/redis_server.ts";
import { type LoadPlan, measureTarget, type TargetResult } from "../gateway/measure_target.ts";
import { findNginx, startNginx } from "../gateway/nginx_upstream.ts";
import { gatewayCli, startGateway, type Target } from "../gateway/targets.ts";
import { hasWrk, runWrk, type WrkResult } from "../gateway/wrk.ts";
import type { BatchPlan } from "../lib/batch_timer.ts";
import { procurementPool } from "../lib/decide_pool.ts";
import { loadPolicyFile, repoUrl } from "../lib/policy_file.ts";
import { median } from "../lib/stats.ts";
import { progress } from "../lib/progress.ts";
import { fmt, type Goal, type Ratio, type SuiteResult, type Table } from "../lib/report.ts";
import { timePool } from "./decide.ts";

/** Fewer decisions than the decide suite: a Redis round trip is ~100× a memory decision. */
const PLAN: BatchPlan = { batch: 64, samples: 300, warmupMs: 500 };
/** Decisions in flight at once, as the gateway has under wrk's 32 connections. */
const IN_FLIGHT = 32;
const CONCURRENT_DECISIONS = 40_000;
const LOAD: Omit<LoadPlan, "useWrk"> = { wrkSeconds: 5, pacedRate: 1_000, pacedSeconds: 5 };
/** Saturated rounds per gateway, interleaved. */
const ROUNDS = 3;
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

/** One gateway: its saturated rounds (interleaved with the other's) and its paced run. */
interface GatewayRun {
  readonly name: string;
  readonly rounds: WrkResult[];
  readonly paced: TargetResult["paced"];
}

/** Redis ÷ memory throughput, per round (each pair measured back to back), then the median. */
function gatewayRatio(memory: GatewayRun, redis: GatewayRun): number {
  return median(
    memory.rounds.map((m, i) => (redis.rounds[i]?.requestsPerSecond ?? NaN) / m.requestsPerSecond),
  );
}

function gatewayTable(memory: GatewayRun, redis: GatewayRun, plan: LoadPlan): Table {
  const ratio = gatewayRatio(memory, redis);
  return {
    title: `State — gateway enforce saturated (wrk -t1 -c32 -d${plan.wrkSeconds}s, ${ROUNDS} ` +
      `interleaved rounds) and paced ${plan.pacedRate.toLocaleString("en-US")} req/s`,
    columns: [
      "target",
      "req/s by round",
      "median req/s",
      "× memory (median of rounds)",
      "p50 µs (median round)",
      "paced p50 µs",
      "paced p99 µs",
      "non-2xx",
    ],
    rows: [memory, redis].map((g) => {
      const rps = g.rounds.map((w) => w.requestsPerSecond);
      const mid = g.rounds.find((w) => w.requestsPerSecond === median(rps));
      return [
        g.name,
        plan.useWrk ? rps.map((x) => fmt(x, 0)).join(" / ") : "not measured",
        fmt(median(rps), 0),
        g === memory ? "1.00" : fmt(ratio, 2),
        fmt(mid?.latencyUs.p50, 0),
        fmt(g.paced.p50Us, 0),
        fmt(g.paced.p99Us, 0),
        String(g.rounds.reduce((n, w) => n + w.non2xx, 0)),
      ];
    }),
    notes: [
      "Policy: bench/policies/procurement.yaml plus a per-run count_lte on quotes, so that each " +
      "load request (POST /v1/get_quote) runs one count check and one mark through the store.",
      "Both gateways run at once; each round loads one, then the other (the order alternates), so " +
      "that a change in the machine's load falls on both halves of a round's ratio.",
      plan.useWrk
        ? "wrk, nginx, redis-server and the gateways share the machine's cores."
        : "wrk is not installed (apt-get install -y wrk): saturating load not measured.",
    ],
  };
}

async function runGateways(targets: readonly Target[], plan: LoadPlan): Promise<GatewayRun[]> {
  const rounds: WrkResult[][] = targets.map(() => []);
  if (plan.useWrk) {
    for (const t of targets) await runWrk(t.origin, 1);
    for (let r = 0; r < ROUNDS; r++) {
      progress("state", `saturated round ${r + 1}/${ROUNDS}`);
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        rounds[i]?.push(await runWrk((targets[i] as Target).origin, plan.wrkSeconds));
      }
    }
  }
  const out: GatewayRun[] = [];
  for (const [i, t] of targets.entries()) {
    const { paced } = await measureTarget(t, { ...plan, useWrk: false });
    out.push({ name: t.name, rounds: rounds[i] ?? [], paced });
  }
  return out;
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
  const targets: Target[] = [];
  try {
    targets.push(
      await startGateway(cli, up, "enforce", `${dir}/traces-memory`, {
        name: "gateway enforce, memory state",
        policies,
        args: [],
      }),
      await startGateway(cli, up, "enforce", `${dir}/traces-redis`, {
        name: "gateway enforce, Redis state",
        policies,
        args: ["--state", url],
      }),
    );
    return await runGateways(targets, plan) as [GatewayRun, GatewayRun];
  } finally {
    for (const t of targets) await t.process?.stop();
    await upstream.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
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
      const ratio = gatewayRatio(g0, g1);
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
