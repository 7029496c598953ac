/**
 * Two targets compared under saturating load in alternation (A B, B A, A B, …), both running the
 * whole time, so that a machine whose load drifts (other processes on its 2 cores) weighs on
 * both alike. Each round also reads the target's CPU time from /proc, so that requests per
 * CPU-second — the capacity a target would have on cores of its own — can be compared when the
 * machine is too busy for requests per second to mean much.
 */

import { progress } from "../lib/progress.ts";
import type { Target } from "./targets.ts";
import { runWrk } from "./wrk.ts";

/** One target in one round. */
export interface RoundResult {
  readonly rps: number;
  /** Requests served per second of the target process's CPU time (user + system). */
  readonly perCpuSecond: number;
}

/** Each round of both targets, and the median ratios of b to a. */
export interface PairedResult {
  readonly rounds: readonly { readonly a: RoundResult; readonly b: RoundResult }[];
  /** Median over the rounds of b.rps / a.rps. */
  readonly ratio: number;
  /** Median over the rounds of b.perCpuSecond / a.perCpuSecond. */
  readonly cpuRatio: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[mid] as number
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** User + system CPU seconds of a process so far (Linux /proc; clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function round(t: Target, seconds: number): Promise<RoundResult> {
  const pid = t.process?.pid as number;
  const before = await cpuSeconds(pid);
  const { requestsPerSecond } = await runWrk(t.origin, seconds);
  const cpu = await cpuSeconds(pid) - before;
  return { rps: requestsPerSecond, perCpuSecond: requestsPerSecond * seconds / cpu };
}

/** Runs `rounds` alternating wrk loads of `seconds` each on two started proxy targets. */
export async function pairedWrk(
  a: Target,
  b: Target,
  rounds: number,
  seconds: number,
): Promise<PairedResult> {
  progress("gateway", `${a.name} vs ${b.name}: warm-up, then ${rounds} alternating rounds`);
  await runWrk(a.origin, 1);
  await runWrk(b.origin, 1);
  const out: { a: RoundResult; b: RoundResult }[] = [];
  for (let i = 0; i < rounds; i++) {
    const results = new Map<Target, RoundResult>();
    for (const t of i % 2 === 0 ? [a, b] : [b, a]) results.set(t, await round(t, seconds));
    out.push({ a: results.get(a) as RoundResult, b: results.get(b) as RoundResult });
  }
  return {
    rounds: out,
    ratio: median(out.map((r) => r.b.rps / r.a.rps)),
    cpuRatio: median(out.map((r) => r.b.perCpuSecond / r.a.perCpuSecond)),
  };
}
