/**
 * p50 / p95 / p99 decision latency, which `deno bench` does not print, for the actions of
 * `decide_bench.ts`; each sample is the mean of a batch of awaited decisions.
 *
 * Run: deno run --allow-read --allow-env bench/percentiles.ts
 */

import { type Action, compilePolicies, loadPolicies, type PolicySet } from "@mirage/core";
import { type BatchPlan, timeNow } from "./lib/batch_timer.ts";
import { percentiles } from "./lib/stats.ts";
import { generatePolicies, probeAction } from "./generate_rules.ts";
import { procurementActions } from "./procurement_actions.ts";

const PLAN: BatchPlan = { batch: 1_000, samples: 400, warmupMs: 500 };

async function row(set: PolicySet, action: Action): Promise<Record<string, string>> {
  const p = percentiles(await timeNow(PLAN, () => set.decide(action)));
  const us = (v: number) => `${v.toFixed(3)} µs`;
  return { p50: us(p.p50), p95: us(p.p95), p99: us(p.p99) };
}

const procurement = compilePolicies(
  await loadPolicies(new URL("../policies/procurement.yaml", import.meta.url)),
);
const { quote, suppliers, bid } = procurementActions();
await procurement.decide(quote);
const rows: Record<string, Record<string, string>> = {
  "procurement submit_bid": await row(procurement, bid),
  "procurement get_quote": await row(procurement, quote),
  "procurement suppliers": await row(procurement, suppliers),
};
for (const size of [1_000, 10_000]) {
  rows[`generated ${size}, probe`] = await row(
    compilePolicies(generatePolicies(size)),
    probeAction(),
  );
}
console.table(rows);
