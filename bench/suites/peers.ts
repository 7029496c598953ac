/**
 * The peers suite: the same procurement decisions by Mirage and by Cedar (wasm), in the same
 * process and run, as a ratio per decision; and the Python Mirage's published figures, shown as
 * published and not measured here.
 */

import { type Action, compilePolicies, MemoryStateStore } from "@mirage/core";
import { type BatchPlan, timeNow, timeSync } from "../lib/batch_timer.ts";
import { loadPolicyFile, repoUrl } from "../lib/policy_file.ts";
import { progress } from "../lib/progress.ts";
import { fmt, type Ratio, type SuiteResult, type Table } from "../lib/report.ts";
import { type Percentiles, percentiles } from "../lib/stats.ts";
import { generateProcurement } from "../scenarios/procurement.ts";
import type { Sequence } from "../scenarios/scenario.ts";
import { CEDAR_PACKAGE, type CedarApi, loadCedar } from "../peers/cedar_wasm.ts";
import { cedarAllows, replayWithCedar } from "../peers/cedar_requests.ts";

const PLAN: BatchPlan = { batch: 128, samples: 400, warmupMs: 700 };
const POLICY_SET_ID = "procurement";

/** What the suite measured. */
export interface PeersRaw {
  readonly mirageUs: Percentiles;
  readonly cedar:
    | { readonly version: string; readonly us: Percentiles; readonly agreement: number }
    | {
      readonly error: string;
    };
}

async function mirageVerdicts(sequences: readonly Sequence[]): Promise<boolean[]> {
  const doc = await loadPolicyFile("bench/policies/procurement.yaml");
  const out: boolean[] = [];
  for (const seq of sequences) {
    const set = compilePolicies(doc, { store: new MemoryStateStore() });
    for (const a of seq.actions) {
      out.push((await set.decide(a.action)).outcome !== "policy_violation");
    }
  }
  return out;
}

async function timeMirage(actions: readonly Action[]): Promise<Percentiles> {
  const set = compilePolicies(await loadPolicyFile("bench/policies/procurement.yaml"));
  return percentiles(
    await timeNow(PLAN, (i) => set.decide(actions[i % actions.length] as Action)),
  );
}

async function timeCedar(
  cedar: CedarApi,
  sequences: readonly Sequence[],
  mirage: readonly boolean[],
) {
  const text = await Deno.readTextFile(repoUrl("bench/peers/procurement.cedar"));
  const parsed = cedar.preparsePolicySet(POLICY_SET_ID, { staticPolicies: text });
  if (parsed.type !== "success") {
    throw new Error(`Cedar rejected the policy: ${JSON.stringify(parsed.errors)}`);
  }
  const { calls, allowed } = replayWithCedar(cedar, sequences, POLICY_SET_ID);
  const agreement = allowed.filter((ok, i) => ok === mirage[i]).length / allowed.length;
  const us = percentiles(timeSync(PLAN, (i) => cedarAllows(cedar, calls[i % calls.length]!)));
  return { version: cedar.getCedarVersion(), us, agreement };
}

function measuredTable(raw: PeersRaw): Table {
  const m = raw.mirageUs;
  const rows = [["Mirage (this run)", fmt(m.p50, 3), fmt(m.p95, 3), fmt(m.p99, 3), "1.00", "—"]];
  if ("error" in raw.cedar) {
    rows.push([
      `Cedar (${CEDAR_PACKAGE})`,
      "not measured",
      "",
      "",
      "",
      `could not load: ${raw.cedar.error}`,
    ]);
  } else {
    const c = raw.cedar;
    rows.push([
      `Cedar ${c.version} (wasm, this run)`,
      fmt(c.us.p50, 3),
      fmt(c.us.p95, 3),
      fmt(c.us.p99, 3),
      fmt(c.us.p50 / m.p50, 2),
      `${fmt(c.agreement * 100, 1)}% same allow/deny as Mirage`,
    ]);
  }
  return {
    title: "Peers — the procurement decisions, same process and run (µs per decision)",
    columns: ["engine", "p50", "p95", "p99", "p50 ratio to Mirage", "notes"],
    rows,
    notes: [
      "Cedar gets pre-parsed policies (statefulIsAuthorized) and requests built beforehand; it keeps no " +
      "state and has no regex, so the harness computes quoted/spent/sku_ok outside the timed call, " +
      "while Mirage's timings include its state store and regex. Both: batch means as in the decide suite.",
    ],
  };
}

function publishedTable(): Table {
  return {
    title: "Python Mirage (mirage-ci 0.2.0) — published, not measured here",
    columns: ["figure", "published value", "status"],
    rows: [
      [
        "time to decide, p50",
        "~454–1100 µs (re-reads both YAML files per request)",
        "published, not measured here",
      ],
      ["decision latency per policy", "1–4 µs", "published, not measured here"],
      ["no-gateway baseline, p50", "~83 µs", "published, not measured here"],
    ],
    notes: ["Set these beside the decide suite's per-decision and per-applied-rule figures."],
  };
}

/** Runs the peers suite. */
export async function runPeers(seed: number): Promise<SuiteResult> {
  const sequences = generateProcurement(seed, 64);
  const actions = sequences.flatMap((s) => s.actions.map((a) => a.action));
  progress("peers", "Mirage on the procurement decisions");
  const mirageUs = await timeMirage(actions);
  progress("peers", "Cedar on the same decisions");
  const loaded = await loadCedar();
  const cedar = "error" in loaded
    ? loaded
    : await timeCedar(loaded.api, sequences, await mirageVerdicts(sequences));
  const raw: PeersRaw = { mirageUs, cedar };
  const ratios: Record<string, Ratio> = {};
  if (!("error" in cedar)) {
    ratios["peers.mirage_vs_cedar.p50"] = { value: mirageUs.p50 / cedar.us.p50, better: "lower" };
  }
  return { suite: "peers", raw, tables: [measuredTable(raw), publishedTable()], ratios, goals: [] };
}
