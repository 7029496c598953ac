/**
 * The trace directory read at any size: trace files streamed byte for byte as `buildTrace`
 * writes them, summaries kept up to date from the journal's new lines (several writers, a line
 * in the middle of being written, a reset journal), files rewritten only when the journal
 * changed, pages of events, and a run followed as it grows.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildTrace,
  type PendingEvent,
  readTrace,
  type TraceEvent,
  TraceReader,
  TraceStore,
} from "@mirage/core";
import { canonicalJson } from "../../src/trace/canonical_json.ts";
import { tempDir } from "../support/fixtures.ts";
import { allowed, failed, flagged, unmatched, violation } from "../support/trace_events.ts";

const EVENTS: PendingEvent[] = [
  allowed,
  {
    ...flagged,
    request: { ...flagged.request, json: { note: 'ünïcødé \u2028 "quoted"\n', n: [] } },
  },
  violation,
  unmatched,
  failed,
  { ...allowed, response: { status: 200, bytes: 17 }, error: "cut", outcome: "error" },
  {
    request: { tool: "refund", args: { amount: 20, nested: { deep: [1, { x: null }] } } },
    outcome: "allowed",
    enforced: true,
    decisions: [],
    response: { ran: true },
  },
];

function timing(i: number) {
  return {
    at: `2026-01-01T00:00:${String(i % 60).padStart(2, "0")}.000Z`,
    evaluate_us: i,
    decide_us: i + 0.5,
    total_us: i * 2,
  };
}

async function record(dir: string, runId: string, events: readonly PendingEvent[], from = 0) {
  await using store = new TraceStore({ dir, mode: "enforce", materialiseOnClose: false });
  for (const [i, e] of events.entries()) await store.record(runId, e, timing(from + i));
}

function expectedTrace(runId: string, events: readonly PendingEvent[]): string {
  const numbered = events.map((e, i) => ({ seq: i + 1, ...e }) as TraceEvent);
  return `${canonicalJson(buildTrace(runId, "enforce", numbered), 2)}\n`;
}

function expectedTiming(runId: string, count: number): string {
  const events = Array.from({ length: count }, (_, i) => ({ seq: i + 1, ...timing(i) }));
  return `${JSON.stringify({ run_id: runId, events }, null, 2)}\n`;
}

Deno.test("trace files: streamed out byte for byte as buildTrace and the sidecar had them", async () => {
  await using dir = await tempDir();
  await record(dir.path, "mixed", EVENTS);
  await new TraceReader(dir.path).materialise("mixed");
  assert.equal(
    await Deno.readTextFile(join(dir.path, "mixed.json")),
    expectedTrace("mixed", EVENTS),
  );
  assert.equal(
    await Deno.readTextFile(join(dir.path, "mixed.timing.json")),
    expectedTiming("mixed", EVENTS.length),
  );
  const many = Array.from({ length: 3_000 }, (_, i) => EVENTS[i % EVENTS.length] as PendingEvent);
  await record(dir.path, "many", many);
  await new TraceReader(dir.path).materialise("many");
  assert.equal(await Deno.readTextFile(join(dir.path, "many.json")), expectedTrace("many", many));
  await Deno.writeTextFile(join(dir.path, "empty.jsonl"), "");
  await new TraceReader(dir.path).materialise("empty");
  const empty = await Deno.readTextFile(join(dir.path, "empty.json"));
  assert.equal(empty, `${canonicalJson(buildTrace("empty", "ci", []), 2)}\n`);
});

Deno.test("summaries: only new lines are read, a line being written waits, a cut line is skipped", async () => {
  await using dir = await tempDir();
  await record(dir.path, "r", [allowed, allowed]);
  const reader = new TraceReader(dir.path);
  assert.equal((await reader.run("r"))?.events, 2);
  const journal = join(dir.path, "r.jsonl");
  const line = (await Deno.readTextFile(journal)).split("\n")[0] as string;
  const violating = line.replace('"outcome":"allowed"', '"outcome":"policy_violation"');
  await Deno.writeTextFile(journal, violating.slice(0, 40), { append: true });
  const partial = await reader.run("r");
  assert.deepEqual(
    [partial?.events, partial?.outcome],
    [2, "allowed"],
    "half a line is not an event",
  );
  await Deno.writeTextFile(journal, `${violating.slice(40)}\n`, { append: true });
  const whole = await reader.run("r");
  assert.deepEqual([whole?.events, whole?.outcome], [3, "policy_violation"]);
  await Deno.writeTextFile(journal, '{"run_id":"r","mo\n', { append: true });
  await record(dir.path, "r", [flagged], 3);
  const fresh = await new TraceReader(dir.path).run("r");
  assert.deepEqual(fresh?.counts, {
    allowed: 2,
    flagged: 1,
    policy_violation: 1,
    unmatched_route: 0,
    error: 0,
  });
  assert.equal(fresh?.last_at, timing(3).at);
  const stored = JSON.parse(await Deno.readTextFile(join(dir.path, ".summaries", "r.json")));
  assert.equal(stored.journal.offset, (await Deno.stat(journal)).size);
});

Deno.test("summaries: a reset journal is read again from its start, even when it grew past the old offset", async () => {
  await using dir = await tempDir();
  await record(dir.path, "ci", [violation]);
  const reader = new TraceReader(dir.path);
  assert.equal((await reader.run("ci"))?.outcome, "policy_violation");
  {
    await using store = new TraceStore({ dir: dir.path, mode: "ci", reset: true });
    for (let i = 0; i < 4; i++) await store.record("ci", allowed, timing(i));
  }
  const after = await reader.run("ci");
  assert.deepEqual([after?.events, after?.outcome, after?.mode], [4, "allowed", "ci"]);
  assert.equal((await new TraceReader(dir.path).run("ci"))?.events, 4, "the stored summary too");
});

Deno.test("materialise: a run whose journal did not change is not written again", async () => {
  await using dir = await tempDir();
  await record(dir.path, "still", [allowed, violation]);
  await record(dir.path, "moving", [allowed]);
  const reader = new TraceReader(dir.path);
  await reader.materialise("still");
  await reader.materialise("moving");
  const mtime = async (id: string) =>
    (await Deno.stat(join(dir.path, `${id}.json`))).mtime?.getTime();
  const [still, moving] = [await mtime("still"), await mtime("moving")];
  await new Promise((r) => setTimeout(r, 20));
  await record(dir.path, "moving", [flagged], 1);
  for (const r of [reader, new TraceReader(dir.path)]) {
    await r.materialise("still");
    await r.materialise("moving");
    await readTrace(dir.path, "still");
  }
  assert.equal(await mtime("still"), still, "unchanged journal, untouched trace file");
  assert.notEqual(await mtime("moving"), moving);
  assert.equal((await readTrace(dir.path, "moving"))?.events.length, 2);
  await Deno.remove(join(dir.path, "still.json"));
  await reader.materialise("still");
  assert.equal(
    (await readTrace(dir.path, "still"))?.outcome,
    "policy_violation",
    "a deleted file comes back",
  );
});

Deno.test("events: pages across the page index, and every event streamed in order", async () => {
  await using dir = await tempDir();
  const events = Array.from({ length: 2_345 }, (_, i) => i % 10 ? allowed : violation);
  await record(dir.path, "big", events);
  const reader = new TraceReader(dir.path);
  for (const offset of [0, 999, 1_000, 1_001, 2_000, 2_340]) {
    const page = await reader.events("big", { offset, limit: 7 });
    const seqs = page?.events.map((e) => e.seq);
    const want = Array.from({ length: Math.min(7, 2_345 - offset) }, (_, i) => offset + i + 1);
    assert.deepEqual(seqs, want, `offset ${offset}`);
    assert.deepEqual(
      page?.events.map((e) => e.outcome),
      want.map((s) => (s - 1) % 10 ? "allowed" : "policy_violation"),
    );
  }
  assert.equal((await reader.events("big", { offset: 5_000 }))?.events.length, 0);
  assert.equal(await reader.events("nope"), undefined);
  let n = 0;
  for await (const e of reader.eachEvent("big")) assert.equal(e.seq, ++n);
  assert.equal(n, 2_345);
});

Deno.test("runs: several writers, a trace file without journal, newest first", async () => {
  await using dir = await tempDir();
  await record(dir.path, "old", [allowed]);
  const later = { at: "2027-06-01T00:00:00.000Z", evaluate_us: 0, decide_us: 0, total_us: 0 };
  {
    await using a = new TraceStore({ dir: dir.path, mode: "enforce" });
    await using b = new TraceStore({ dir: dir.path, mode: "enforce" });
    await Promise.all([a.record("new", allowed, later), b.record("new", flagged, later)]);
  }
  const copied = buildTrace("copied", "ci", [{ seq: 1, ...violation }]);
  await Deno.writeTextFile(join(dir.path, "copied.json"), JSON.stringify(copied));
  const { runs, total } = await new TraceReader(dir.path).list();
  assert.equal(total, 3);
  assert.deepEqual(runs.map((r) => [r.run_id, r.events, r.outcome]), [
    ["new", 2, "flagged"],
    ["old", 1, "allowed"],
    ["copied", 1, "policy_violation"],
  ]);
  const page = await new TraceReader(dir.path).events("copied");
  assert.equal(page?.events[0]?.outcome, "policy_violation");
});

Deno.test("follow: a run's new events as they are recorded, until aborted", async () => {
  await using dir = await tempDir();
  await record(dir.path, "live", [allowed]);
  const stop = new AbortController();
  const seen: number[] = [];
  const following = (async () => {
    for await (
      const e of new TraceReader(dir.path).follow("live", { intervalMs: 10, signal: stop.signal })
    ) {
      seen.push(e.seq);
      if (seen.length === 2) stop.abort();
    }
  })();
  await new Promise((r) => setTimeout(r, 50));
  await record(dir.path, "live", [flagged, violation], 1);
  await following;
  assert.deepEqual(seen, [2, 3], "only events recorded after following began");
  const all: number[] = [];
  const again = new AbortController();
  for await (
    const e of new TraceReader(dir.path).follow("live", {
      from: 1,
      intervalMs: 10,
      signal: again.signal,
    })
  ) {
    all.push(e.seq);
    if (all.length === 2) again.abort();
  }
  assert.deepEqual(all, [2, 3]);
});
