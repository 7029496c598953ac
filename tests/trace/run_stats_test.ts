/**
 * What a run's summary keeps for the review console: rule counts, containment, latency
 * histograms, busiest routes and tools, a timeline — kept incrementally (a summary brought up
 * to date equals one read from scratch), added up across runs, and read without the events.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  LatencyHistogram,
  type PendingEvent,
  RunStats,
  type TraceEvent,
  TraceReader,
  TraceStore,
} from "@mirage/core";
import { OutcomeTimeline } from "../../src/trace/outcome_timeline.ts";
import { TopCounts } from "../../src/trace/top_counts.ts";
import { tempDir } from "../support/fixtures.ts";
import { allowed, flagged, unmatched, violation } from "../support/trace_events.ts";

function at(
  minute: number,
  us = 1,
): { at: string; evaluate_us: number; decide_us: number; total_us: number } {
  const ms = Date.UTC(2026, 0, 1) + minute * 60_000;
  return { at: new Date(ms).toISOString(), evaluate_us: us, decide_us: us * 10, total_us: us * 20 };
}

async function record(
  dir: string,
  runId: string,
  mode: "enforce" | "passthrough",
  events: readonly PendingEvent[],
  from = 0,
) {
  await using store = new TraceStore({ dir, mode, materialiseOnClose: false });
  for (const [i, e] of events.entries()) await store.record(runId, e, at(from + i, from + i + 1));
}

const tool: PendingEvent = {
  request: { tool: "submit_bid", args: { amount: 90000 } },
  outcome: "policy_violation",
  enforced: false,
  policy: "enforce_bid_limit",
  decisions: violation.decisions,
  response: { ran: true },
};

Deno.test("latency histogram: percentiles within the bucket width, merged exactly", () => {
  const values = Array.from({ length: 1000 }, (_, i) => 1 + i * 0.37);
  const whole = new LatencyHistogram();
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  values.forEach((v, i) => {
    whole.add(v);
    (i % 2 ? a : b).add(v);
  });
  a.merge(b.state);
  assert.deepEqual(a.state, whole.state);
  for (const p of [50, 95, 99]) {
    const exact = values[Math.ceil((p / 100) * values.length) - 1] as number;
    const got = whole.percentile(p) as number;
    assert.ok(Math.abs(got - exact) / exact < 0.03, `p${p}: ${got} vs ${exact}`);
  }
  assert.equal(new LatencyHistogram().percentile(50), undefined);
  whole.add(Number.NaN);
  assert.equal(whole.count, 1000, "a value that is not a number is not counted");
});

Deno.test("top counts: exact below capacity; a heavy key survives a long tail", () => {
  const top = new TopCounts(undefined, 4);
  for (let i = 0; i < 500; i++) {
    top.add("hot");
    top.add(`cold-${i}`);
  }
  assert.deepEqual(top.top(1), [["hot", 500]]);
  assert.equal(Object.keys(top.state).length, 4);
  const small = new TopCounts();
  ["a", "b", "a"].forEach((k) => small.add(k));
  assert.deepEqual(small.top(5), [["a", 2], ["b", 1]]);
});

Deno.test("timeline: minute buckets, widened to fit a long run, merged onto aligned buckets", () => {
  const t = new OutcomeTimeline();
  t.add(at(0).at, "allowed");
  t.add(at(0).at, "policy_violation");
  t.add(at(3).at, "flagged");
  assert.equal(t.stepMs, 60_000);
  assert.deepEqual(t.buckets().map((b) => b.counts), [[1, 0, 0, 0, 1], [0, 1, 0, 0, 0]]);
  t.add(at(60 * 24 * 30).at, "error");
  assert.ok(t.stepMs > 60_000 && Object.keys(t.state.buckets).length <= 256);
  const chart = new OutcomeTimeline(undefined, { maxBuckets: 10 });
  chart.merge(t.state);
  chart.merge(new OutcomeTimeline(undefined).state);
  assert.ok(chart.buckets().length <= 10);
  const total = chart.buckets().reduce((n, b) => n + b.counts.reduce((x, y) => x + y, 0), 0);
  assert.equal(total, 4);
  t.add("not a time", "allowed");
  assert.equal(Object.values(t.state.buckets).flat().reduce((x, y) => x + y, 0), 4);
});

Deno.test("run stats: applied, failed, blocked; containment; routes and tools", () => {
  const stats = new RunStats();
  for (const e of [allowed, flagged, violation, unmatched, tool]) stats.add(e, at(0));
  const s = stats.state;
  assert.deepEqual(s.rules.enforce_bid_limit, { applied: 2, failed: 2, blocked: 1 });
  assert.deepEqual(s.rules.flag_bulk_quotes, { applied: 1, failed: 1, blocked: 0 });
  assert.deepEqual(
    [s.violations, s.contained],
    [2, 1],
    "the passthrough tool call was not stopped",
  );
  assert.deepEqual(s.routes, {
    list_suppliers: 1,
    get_quote: 1,
    submit_bid: 1,
    "DELETE /v1/orders": 1,
  });
  assert.deepEqual(s.tools, { submit_bid: 1 });
  assert.equal(new LatencyHistogram(s.decide_us).count, 5);
  assert.deepEqual(new RunStats(s).state, s, "a stored state resumes as it was");
});

Deno.test("reader: stats kept up to date from new lines equal stats read from scratch", async () => {
  await using dir = await tempDir();
  await record(dir.path, "r", "enforce", [allowed, violation]);
  const reader = new TraceReader(dir.path);
  const before = (await reader.scan())[0];
  assert.equal(before?.stats.contained, 1);
  await record(dir.path, "r", "enforce", [flagged, violation, tool], 2);
  const grown = (await reader.scan())[0];
  const fresh = (await new TraceReader(dir.path).scan())[0];
  await Deno.remove(join(dir.path, ".summaries"), { recursive: true });
  const scratch = (await new TraceReader(dir.path).scan())[0];
  assert.deepEqual(grown?.stats, scratch?.stats);
  assert.deepEqual(fresh?.stats, scratch?.stats);
  assert.deepEqual([grown?.stats.violations, grown?.stats.contained], [3, 2]);
  assert.equal(new LatencyHistogram(grown?.stats.evaluate_us).count, 5);
});

Deno.test("reader: scan filters by policy and id text; a copied trace file has stats too", async () => {
  await using dir = await tempDir();
  await record(dir.path, "nightly-1", "enforce", [violation]);
  await record(dir.path, "nightly-2", "passthrough", [flagged]);
  await record(dir.path, "manual", "enforce", [violation]);
  const reader = new TraceReader(dir.path);
  const ids = async (f: Parameters<TraceReader["scan"]>[0]) =>
    (await reader.scan(f)).map((e) => e.info.run_id).sort();
  assert.deepEqual(await ids({ policy: "enforce_bid_limit" }), ["manual", "nightly-1"]);
  assert.deepEqual(await ids({ search: "NIGHTLY" }), ["nightly-1", "nightly-2"]);
  assert.deepEqual(await ids({ search: "nightly", mode: "enforce" }), ["nightly-1"]);
  assert.equal((await reader.list({ policy: "flag_bulk_quotes" })).total, 1);
  await reader.materialise("manual");
  const other = join(dir.path, "copy");
  await Deno.mkdir(other);
  await Deno.copyFile(join(dir.path, "manual.json"), join(other, "manual.json"));
  await Deno.copyFile(join(dir.path, "manual.timing.json"), join(other, "manual.timing.json"));
  const copied = (await new TraceReader(other).scan())[0];
  const original = (await reader.scan({ search: "manual" }))[0];
  assert.deepEqual(copied?.stats, original?.stats);
});

Deno.test("reader: digest only when the trace file is current; event pages with timings", async () => {
  await using dir = await tempDir();
  await record(dir.path, "r", "enforce", [allowed, violation]);
  const reader = new TraceReader(dir.path);
  assert.equal(await reader.digest("r"), undefined, "not written yet");
  await reader.materialise("r");
  const trace = JSON.parse(await Deno.readTextFile(join(dir.path, "r.json")));
  assert.equal(await reader.digest("r"), trace.digest);
  await record(dir.path, "r", "enforce", [flagged], 2);
  assert.equal(await reader.digest("r"), undefined, "the journal grew since");
  const page = await reader.events("r", { offset: 1, limit: 5, timings: true });
  assert.deepEqual(page?.events.map((e) => e.seq), [2, 3]);
  assert.deepEqual(page?.timings?.map((t) => t?.at), [at(1).at, at(2).at]);
  assert.equal((await reader.events("r"))?.timings, undefined, "only when asked");
});

Deno.test("reader: followAll gives every run's new events, a new run's from its first", async () => {
  await using dir = await tempDir();
  await record(dir.path, "old", "enforce", [allowed]);
  const stop = new AbortController();
  const seen: string[] = [];
  const reader = new TraceReader(dir.path);
  const ready = Promise.withResolvers<void>();
  const following = (async () => {
    const events = reader.followAll({ signal: stop.signal, ready: ready.resolve });
    for await (const { runId, event, mode } of events) {
      seen.push(`${runId}#${(event as TraceEvent).seq} ${event.outcome} ${mode}`);
      if (seen.length === 3) stop.abort();
    }
  })();
  await ready.promise;
  await record(dir.path, "old", "enforce", [violation], 1);
  await record(dir.path, "new", "passthrough", [flagged, unmatched]);
  await following;
  assert.deepEqual(seen.sort(), [
    "new#1 flagged passthrough",
    "new#2 unmatched_route passthrough",
    "old#2 policy_violation enforce",
  ]);
});

Deno.test("reader: followAll waits for a trace directory that is not there yet, without making it", async () => {
  await using dir = await tempDir();
  const traces = join(dir.path, "later");
  const stop = new AbortController();
  const seen: string[] = [];
  const following = (async () => {
    for await (const { runId } of new TraceReader(traces).followAll({ signal: stop.signal })) {
      seen.push(runId);
      stop.abort();
    }
  })();
  await new Promise((r) => setTimeout(r, 300));
  await assert.rejects(Deno.stat(traces), Deno.errors.NotFound, "a reader creates nothing");
  await Deno.mkdir(traces);
  // The first event may land before the watch starts: the baseline read then skips it, so
  // record until one is seen.
  for (let seq = 0; seen.length === 0 && seq < 100; seq++) {
    await record(traces, "first", "enforce", [allowed], seq);
    await new Promise((r) => setTimeout(r, 50));
  }
  await following;
  assert.deepEqual(seen, ["first"]);
});

Deno.test("reader: followAll over a missing directory ends when aborted", async () => {
  await using dir = await tempDir();
  const stop = new AbortController();
  const events = new TraceReader(join(dir.path, "never")).followAll({ signal: stop.signal });
  setTimeout(() => stop.abort(), 100);
  for await (const _ of events) throw new Error("no event expected");
});
