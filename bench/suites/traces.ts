/**
 * The traces suite: what reading a trace directory costs at size — listing the runs of a
 * directory of 10,000 runs and 1,000,000 events (with no stored summaries, with them, and
 * after 100 runs grew), and one large run (a page of events near its start and its end,
 * writing its trace files, gating it). Each operation runs in a process of its own
 * (bench/traces/trace_op.ts) for its peak memory; the event loop's longest stall is measured
 * with a 5 ms ticker. The review console's overview and runs pages are timed on the same
 * directory, once its summaries are stored.
 */

import { join } from "node:path";
import { repoUrl } from "../lib/policy_file.ts";
import { progress } from "../lib/progress.ts";
import { fmt, type Ratio, type SuiteResult, type Table } from "../lib/report.ts";
import { appendEvent, buildDirectory, writeJournal } from "../traces/build_dir.ts";
import type { OpResult } from "../traces/trace_op.ts";

const RUNS = 10_000;
const EVENTS = 1_000_000;
const LARGE_EVENTS = 500_000;
const LARGE = "large";

interface Row {
  readonly what: string;
  readonly result: OpResult;
}

async function runOp(args: readonly string[]): Promise<OpResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", repoUrl("bench/traces/trace_op.ts").pathname, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`trace_op ${args.join(" ")} failed (${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) as string);
}

function mib(kib: number | undefined): string {
  return kib === undefined ? "—" : fmt(kib / 1024, 0);
}

function table(rows: readonly Row[], journalMiB: number): Table {
  return {
    title: `Traces — a directory of ${RUNS.toLocaleString("en-US")} runs and ` +
      `${EVENTS.toLocaleString("en-US")} events; one run of ${
        LARGE_EVENTS.toLocaleString("en-US")
      } events`,
    columns: ["operation", "first call ms", "second call ms", "longest stall ms", "peak RSS MiB"],
    rows: rows.map((r) => [
      r.what,
      fmt(r.result.firstMs, 0),
      fmt(r.result.secondMs, 1),
      fmt(r.result.maxStallMs, 1),
      mib(r.result.peakRssKiB),
    ]),
    notes: [
      "Each operation in a fresh process (a new TraceReader): 'first call' reads what the stored " +
      "summaries (.summaries/) do not cover, 'second call' is the same call again in that process.",
      `The large run's journal is ${fmt(journalMiB, 0)} MiB. 'longest stall': the worst lateness ` +
      "of a 5 ms timer during the first call — how long other requests of a server would wait.",
    ],
  };
}

/** Runs the traces suite. */
export async function runTraces(): Promise<SuiteResult> {
  const root = await Deno.makeTempDir({ prefix: "mirage-bench-traces-" });
  const dir = join(root, "many");
  const one = join(root, "one");
  try {
    progress("traces", `writing ${RUNS} runs, ${EVENTS} events`);
    await buildDirectory(dir, RUNS, EVENTS);
    progress("traces", `writing one run of ${LARGE_EVENTS} events`);
    await Deno.mkdir(one);
    await writeJournal(one, LARGE, LARGE_EVENTS, Date.UTC(2026, 0, 1));
    const journalMiB = (await Deno.stat(join(one, `${LARGE}.jsonl`))).size / 1024 / 1024;
    const rows: Row[] = [];
    const measure = async (what: string, args: string[]) => {
      progress("traces", what);
      rows.push({ what, result: await runOp(args) });
    };
    await measure("list runs, no stored summaries", ["list", dir]);
    await measure("list runs, from stored summaries", ["list", dir]);
    const grown = Array.from({ length: 100 }, (_, i) => `run-${String(i * 97).padStart(5, "0")}`);
    await appendEvent(dir, grown, Date.UTC(2027, 0, 1));
    await measure("list runs after 100 runs grew by one event", ["list", dir]);
    await measure("console: overview page", ["overview", dir]);
    await measure("console: runs page (filtered, page 3)", ["runs", dir]);
    await measure("large run: page of 100 at offset 0 (summary built)", ["page", one, LARGE, "0"]);
    await measure("large run: page of 100 at offset 499,900", ["page", one, LARGE, "499900"]);
    await measure("large run: write its trace files", ["materialise", one, LARGE]);
    await measure("large run: gate-run", ["gate", one, LARGE]);
    const [cold, stored, grownRow, overview, runsPage] = rows.map((r) => r.result) as [
      OpResult,
      OpResult,
      OpResult,
      OpResult,
      OpResult,
    ];
    const gate = rows.at(-1)?.result as OpResult;
    const ratios: Record<string, Ratio> = {
      "traces.list.stored_vs_cold.ms": { value: stored.firstMs / cold.firstMs, better: "lower" },
      "traces.list.grown_vs_cold.ms": { value: grownRow.firstMs / cold.firstMs, better: "lower" },
      "traces.console.overview_vs_list.ms": {
        value: overview.secondMs / stored.secondMs,
        better: "lower",
      },
      "traces.console.runs_vs_list.ms": {
        value: runsPage.secondMs / stored.secondMs,
        better: "lower",
      },
      "traces.large.gate_rss_vs_journal": {
        value: (gate.peakRssKiB ?? NaN) / 1024 / journalMiB,
        better: "lower",
      },
    };
    return {
      suite: "traces",
      raw: { runs: RUNS, events: EVENTS, largeEvents: LARGE_EVENTS, journalMiB, rows },
      tables: [table(rows, journalMiB)],
      ratios,
      goals: [],
    };
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}
