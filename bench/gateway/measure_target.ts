/**
 * One target under both loads: a short warm-up, saturating wrk, then the paced generator at a
 * fixed rate; peak RSS read after both.
 */

import { repoUrl } from "../lib/policy_file.ts";
import { progress } from "../lib/progress.ts";
import { median, percentile, rounded } from "../lib/stats.ts";
import { LOAD_REQUEST } from "./load_request.ts";
import type { PacedResult } from "./paced_load.ts";
import type { Target, TargetName } from "./targets.ts";
import { runWrk, type WrkResult } from "./wrk.ts";

/** Load settings. */
export interface LoadPlan {
  readonly wrkSeconds: number;
  readonly pacedRate: number;
  readonly pacedSeconds: number;
  readonly useWrk: boolean;
}

/** The paced run: percentiles for the tables, every latency for the JSON record. */
export interface PacedSummary {
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly achievedRps: number;
  readonly sendLagP50Us: number;
  readonly sendLagP99Us: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  /** Every latency of the measured part, µs, sorted, for the JSON record. */
  readonly latenciesUs: number[];
}

/** Everything measured on one target. */
export interface TargetResult {
  readonly name: TargetName;
  readonly saturated: WrkResult | undefined;
  readonly paced: PacedSummary;
  readonly peakRssKiB: number | undefined;
}

/** The paced load on one target, from a generator process of its own (`paced_load.ts`). */
export async function pacedRun(origin: string, plan: LoadPlan): Promise<PacedSummary> {
  const args = [
    "run",
    "-A",
    repoUrl("bench/gateway/paced_load.ts").pathname,
    "--url",
    `${origin}${LOAD_REQUEST.path}`,
    "--rate",
    String(plan.pacedRate),
    "--seconds",
    String(plan.pacedSeconds),
  ];
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
    .output();
  if (out.code !== 0) throw new Error(`paced load failed: ${new TextDecoder().decode(out.stderr)}`);
  const r = JSON.parse(new TextDecoder().decode(out.stdout)) as PacedResult;
  const lat = r.latenciesUs;
  return {
    sent: r.sent,
    ok: r.ok,
    errors: r.errors,
    achievedRps: r.achievedRps,
    sendLagP50Us: r.sendLagP50Us,
    sendLagP99Us: r.sendLagP99Us,
    p50Us: percentile(lat, 50),
    p99Us: percentile(lat, 99),
    p999Us: percentile(lat, 99.9),
    latenciesUs: rounded(lat, 0),
  };
}

/**
 * Several paced runs of one target as one: the median of each percentile and of the
 * generator's lag, the lowest achieved rate, every error, every latency.
 */
export function mergedPaced(rounds: readonly PacedSummary[]): PacedSummary {
  const mid = (f: (p: PacedSummary) => number) => median(rounds.map(f));
  return {
    sent: rounds.reduce((n, p) => n + p.sent, 0),
    ok: rounds.reduce((n, p) => n + p.ok, 0),
    errors: rounds.reduce((n, p) => n + p.errors, 0),
    achievedRps: Math.min(...rounds.map((p) => p.achievedRps)),
    sendLagP50Us: mid((p) => p.sendLagP50Us),
    sendLagP99Us: mid((p) => p.sendLagP99Us),
    p50Us: mid((p) => p.p50Us),
    p99Us: mid((p) => p.p99Us),
    p999Us: mid((p) => p.p999Us),
    latenciesUs: rounds.flatMap((p) => p.latenciesUs),
  };
}

/** Measures one started target. */
export async function measureTarget(t: Target, plan: LoadPlan): Promise<TargetResult> {
  let saturated: WrkResult | undefined;
  if (plan.useWrk) {
    progress("gateway", `${t.name}: warm-up, then wrk -t1 -c32 -d${plan.wrkSeconds}s`);
    await runWrk(t.origin, 1);
    saturated = await runWrk(t.origin, plan.wrkSeconds);
  }
  progress("gateway", `${t.name}: paced ${plan.pacedRate} req/s for ${plan.pacedSeconds}s`);
  const p = await pacedRun(t.origin, plan);
  const peakRssKiB = t.process ? await t.process.peakRssKiB() : undefined;
  return { name: t.name, saturated, paced: p, peakRssKiB };
}
