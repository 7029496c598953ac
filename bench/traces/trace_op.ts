/**
 * One trace-directory operation in a process of its own, so that its peak memory is its own:
 * `deno run -A bench/traces/trace_op.ts <op> <dir> [run] [offset]`, ops `list`, `page`,
 * `materialise`, `gate`, and the review console's `overview` and `runs` pages (answered by
 * its app, HTML read whole). Prints one JSON line: the time of the first and of a second call,
 * the longest the event loop waited during the first (a 5 ms ticker's worst lateness), and
 * the peak RSS (VmHWM).
 */

import { ConsoleApp } from "../../src/console/console_app.ts";
import { directoryFeed } from "../../src/console/live_feed.ts";
import { gateTraces } from "../../src/gate_run/gate_runs.ts";
import { TraceReader } from "../../src/trace/trace_reader.ts";
import { peakRss } from "../gateway/server_process.ts";

/** What one operation measured. */
export interface OpResult {
  readonly firstMs: number;
  readonly secondMs: number;
  readonly maxStallMs: number;
  readonly peakRssKiB: number | undefined;
  readonly detail: unknown;
}

/** The longest a 5 ms ticker was late while `work` ran. */
async function stallsDuring<T>(work: () => Promise<T>): Promise<{ value: T; maxStallMs: number }> {
  let worst = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  try {
    return { value: await work(), maxStallMs: worst };
  } finally {
    clearInterval(ticker);
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/** A console page answered by the console's app, its HTML read whole. */
function consolePage(reader: TraceReader, path: string): () => Promise<unknown> {
  const app = new ConsoleApp({ reader, live: directoryFeed(reader) });
  return async () => {
    const answer = await app.fetch(new Request(`http://127.0.0.1${path}`));
    const html = await answer.text();
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`);
    return { bytes: html.length };
  };
}

function operation(op: string, dir: string, run: string, offset: number): () => Promise<unknown> {
  const reader = new TraceReader(dir);
  switch (op) {
    case "overview":
      return consolePage(reader, "/");
    case "runs":
      return consolePage(reader, "/runs?outcome=policy_violation&page=3");
    case "list":
      return async () => {
        const page = await reader.list({ limit: 100 });
        return { total: page.total, first: page.runs[0]?.run_id };
      };
    case "page":
      return async () => (await reader.events(run, { offset, limit: 100 }))?.events.length;
    case "materialise":
      return async () => (await reader.materialise(run))?.events;
    case "gate":
      return async () => {
        const report = await gateTraces({
          traces: dir,
          runIds: [run],
          failOnFlagged: false,
          files: {},
        });
        return { listed: report.runs[0]?.events.length, omitted: report.runs[0]?.omitted };
      };
  }
  throw new Error(`unknown op ${op}`);
}

if (import.meta.main) {
  const [op, dir, run = "", offset = "0"] = Deno.args as [string, string, string?, string?];
  const work = operation(op, dir, run, Number(offset));
  const first = await stallsDuring(() => timed(work));
  const second = await timed(work);
  const result: OpResult = {
    firstMs: first.value.ms,
    secondMs: second.ms,
    maxStallMs: first.maxStallMs,
    peakRssKiB: await peakRss(Deno.pid),
    detail: first.value.value,
  };
  console.log(JSON.stringify(result));
}
