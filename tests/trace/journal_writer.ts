/**
 * A writer process for the trace store tests: records `count` events into `run` (and as many
 * into a run of its own) in `dir`, with `reset: false` as gateway replicas do.
 *
 * Usage: deno run --allow-read --allow-write journal_writer.ts <dir> <run> <writer> <count>
 */

import { TraceStore } from "../../src/trace/trace_store.ts";

const [dir, run, writer, count] = Deno.args as [string, string, string, string];
await using store = new TraceStore({ dir, mode: "enforce", reset: false });
for (let i = 0; i < Number(count); i++) {
  for (const runId of [run, `${run}-${writer}`]) {
    await store.record(runId, {
      request: { method: "POST", path: `/w/${writer}/${i}`, json: { pad: "x".repeat(i % 50) } },
      outcome: i % 7 === 0 ? "policy_violation" : "allowed",
      enforced: true,
      decisions: [],
      response: { status: i % 7 === 0 ? 403 : 200 },
    }, { at: new Date().toISOString(), evaluate_us: 0, decide_us: 1, total_us: 2 });
  }
}
