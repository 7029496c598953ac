/**
 * Saturating load on several targets in interleaved rounds: every target runs the whole time and
 * each round loads each one in turn, the order rotating from round to round, so that a machine
 * whose load drifts (other processes on its 2 cores) weighs on every target alike. Ratios are
 * taken within a round — two targets measured minutes apart say little on a shared machine — and
 * the median over the rounds is reported. Each round also reads the target's CPU time from
 * /proc, so that requests per CPU-second — the capacity a target would have on cores of its own —
 * can be compared when the machine is too busy for requests per second to mean much — and the
 * share of it spent by V8's worker threads (garbage collection), the CPU a request costs off
 * the main thread.
 */

import { progress } from "../lib/progress.ts";
import { median } from "../lib/stats.ts";
import type { Target } from "./targets.ts";
import { runWrk, type WrkResult } from "./wrk.ts";

/** One target in one round. */
export interface RoundResult {
  readonly wrk: WrkResult;
  /** Requests served per second of the target process's CPU time (user + system); NaN for a target without a process. */
  readonly perCpuSecond: number;
  /** CPU µs per request of the process's V8 worker threads (garbage collection); NaN likewise. */
  readonly gcUsPerRequest: number;
}

/** Every round of every target, by target name. */
export type Rounds = ReadonlyMap<string, readonly RoundResult[]>;

/** User + system CPU seconds so far in a /proc `stat` file (a process's or a thread's; ticks of 1/100 s). */
async function cpuSeconds(statFile: string): Promise<number> {
  const stat = await Deno.readTextFile(statFile);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds so far of the process's V8 worker threads (named `V8 DefaultWorker` and the like). */
async function v8WorkerSeconds(pid: number): Promise<number> {
  let total = 0;
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    try {
      const dir = `/proc/${pid}/task/${task.name}`;
      if (!(await Deno.readTextFile(`${dir}/comm`)).startsWith("V8")) continue;
      total += await cpuSeconds(`${dir}/stat`);
    } catch { /* the thread ended */ }
  }
  return total;
}

async function round(t: Target, seconds: number): Promise<RoundResult> {
  const pid = t.process?.pid;
  const before = pid === undefined ? NaN : await cpuSeconds(`/proc/${pid}/stat`);
  const gcBefore = pid === undefined ? NaN : await v8WorkerSeconds(pid);
  const wrk = await runWrk(t.origin, seconds);
  const cpu = pid === undefined ? NaN : await cpuSeconds(`/proc/${pid}/stat`) - before;
  const gc = pid === undefined ? NaN : await v8WorkerSeconds(pid) - gcBefore;
  const requests = wrk.requestsPerSecond * seconds;
  return { wrk, perCpuSecond: requests / cpu, gcUsPerRequest: gc * 1e6 / requests };
}

/**
 * Runs `rounds` rounds of `seconds` of wrk on each started target, after a 1-second warm-up of
 * each; round r starts at target r (mod the number of targets).
 */
export async function interleavedRounds(
  targets: readonly Target[],
  rounds: number,
  seconds: number,
): Promise<Rounds> {
  const out = new Map<string, RoundResult[]>(targets.map((t) => [t.name, []]));
  for (const t of targets) await runWrk(t.origin, 1);
  for (let r = 0; r < rounds; r++) {
    progress("gateway", `saturated round ${r + 1}/${rounds} over ${targets.length} targets`);
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(r + k) % targets.length] as Target;
      out.get(t.name)?.push(await round(t, seconds));
    }
  }
  return out;
}

/** The median over the rounds of `a`'s figure divided by `b`'s in the same round. */
export function roundRatio(
  rounds: Rounds,
  a: string,
  b: string,
  figure: (r: RoundResult) => number,
): number {
  const as = rounds.get(a) ?? [];
  const bs = rounds.get(b) ?? [];
  return median(as.map((r, i) => {
    const other = bs[i];
    return other ? figure(r) / figure(other) : NaN;
  }));
}
