/**
 * The scale suite: decision cost as the policy file grows from 10 to 10,000 generated rules,
 * with the probe action matching only a handful of them (the scope index must keep the cost
 * flat).
 */

import { type Action, compilePolicies, MemoryStateStore, type PolicySet } from "@mirage/core";
import { generatePolicies, probeAction } from "../generate_rules.ts";
import { type BatchPlan, timeNow } from "../lib/batch_timer.ts";
import { progress } from "../lib/progress.ts";
import { fmt, type Goal, type Ratio, type SuiteResult, type Table } from "../lib/report.ts";
import { type Percentiles, percentiles, rounded } from "../lib/stats.ts";

/** Rule counts measured. */
export const RULE_COUNTS = [10, 100, 1_000, 10_000] as const;
/** Per round and size; rounds interleave the sizes so that machine noise lands on all rows alike. */
const PLAN: BatchPlan = { batch: 256, samples: 120, warmupMs: 300 };
const ROUNDS = 5;

/** One row. */
export interface ScaleRow {
  readonly rules: number;
  readonly compileMs: number;
  readonly rulesApplied: number;
  readonly us: Percentiles;
  /** Every batch mean, µs per decision, for the JSON record. */
  readonly samplesUs: number[];
}

interface Compiled {
  readonly rules: number;
  readonly compileMs: number;
  readonly set: PolicySet;
  readonly samples: number[];
}

function compile(rules: number): Compiled {
  const doc = generatePolicies(rules);
  const start = performance.now();
  const set = compilePolicies(doc, { store: new MemoryStateStore() });
  return { rules, compileMs: performance.now() - start, set, samples: [] };
}

async function rowOf(c: Compiled, action: Action): Promise<ScaleRow> {
  const applied = (await c.set.decide(action)).decisions.length;
  const base = { rules: c.rules, compileMs: c.compileMs, rulesApplied: applied };
  return { ...base, us: percentiles(c.samples), samplesUs: rounded(c.samples) };
}

async function measureAll(): Promise<ScaleRow[]> {
  const action = probeAction();
  const sets = RULE_COUNTS.map(compile);
  for (let round = 1; round <= ROUNDS; round++) {
    progress("scale", `round ${round}/${ROUNDS}: ${RULE_COUNTS.join(", ")} rules`);
    for (const c of sets) c.samples.push(...await timeNow(PLAN, () => c.set.decideNow(action)));
  }
  return Promise.all(sets.map((c) => rowOf(c, action)));
}

function table(rows: readonly ScaleRow[]): Table {
  const base = rows[0] as ScaleRow;
  return {
    title: "Scale — decision cost by policy size (µs per decision)",
    columns: ["rules", "rules applied", "compile (ms)", "p50", "p99", "p50 ratio to 10 rules"],
    rows: rows.map((r) => [
      r.rules.toLocaleString("en-US"),
      String(r.rulesApplied),
      fmt(r.compileMs, 1),
      fmt(r.us.p50, 3),
      fmt(r.us.p99, 3),
      fmt(r.us.p50 / base.us.p50, 2),
    ]),
    notes: [
      "Rules from bench/generate_rules.ts (seeded); the probe action POST /v1/submit_bid matches the " +
      "same few rules at every size. Same batch timing as the decide suite; the sizes are measured " +
      `in ${ROUNDS} interleaved rounds so that machine noise falls on every row alike.`,
    ],
  };
}

/** Runs the scale suite. */
export async function runScale(): Promise<SuiteResult> {
  const rows = await measureAll();
  const base = rows[0] as ScaleRow;
  const ratios: Record<string, Ratio> = {};
  for (const r of rows.slice(1)) {
    ratios[`scale.rules_${r.rules}_vs_10.p50`] = { value: r.us.p50 / base.us.p50, better: "lower" };
  }
  const raw = { plan: PLAN, rounds: ROUNDS, rows };
  const largest = rows[rows.length - 1] as ScaleRow;
  const growth = largest.us.p50 / base.us.p50;
  const goals: Goal[] = [{
    goal: `decide p50 with ${
      largest.rules.toLocaleString("en-US")
    } rules ≤ 1.2× with ${base.rules}`,
    measured: `${fmt(growth, 2)}× (${fmt(largest.us.p50, 3)} µs vs ${fmt(base.us.p50, 3)} µs)`,
    met: growth <= 1.2,
  }];
  return { suite: "scale", raw, tables: [table(rows)], ratios, goals };
}
