/**
 * The trace store: several processes appending to one directory, run ids that try to leave
 * it, and a journal whose last line a crash cut short.
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { listRuns, readTrace, type TraceEvent, TraceStore } from "@mirage/core";
import { sanitiseRunId } from "../../src/trace/run_id.ts";
import { tracePaths } from "../../src/trace/trace_paths.ts";
import { tempDir } from "../support/fixtures.ts";

const WRITER = new URL("./journal_writer.ts", import.meta.url).pathname;

function event(path: string): Omit<TraceEvent, "seq"> {
  return {
    request: { method: "GET", path },
    outcome: "allowed",
    enforced: true,
    decisions: [],
    response: { status: 200 },
  };
}

const TIMING = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 0, decide_us: 1, total_us: 2 };

async function runWriter(dir: string, run: string, writer: number, count: number): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-write",
      WRITER,
      dir,
      run,
      String(writer),
      String(count),
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

Deno.test("trace store: four processes appending to one run lose and duplicate nothing", async () => {
  await using dir = await tempDir();
  const writers = [1, 2, 3, 4];
  const count = 150;
  await Promise.all(writers.map((w) => runWriter(dir.path, "shared", w, count)));

  const journal = await Deno.readTextFile(tracePaths(dir.path, "shared").journal);
  const lines = journal.split("\n");
  assert.equal(lines.pop(), "", "the journal ends with a complete line");
  assert.equal(lines.length, writers.length * count);
  for (const line of lines) JSON.parse(line);

  const trace = await readTrace(dir.path, "shared");
  const paths = trace?.events.map((e) => e.request.path) ?? [];
  const expected = writers.flatMap((w) => Array.from({ length: count }, (_, i) => `/w/${w}/${i}`));
  assert.deepEqual([...paths].sort(), expected.sort());
  assert.deepEqual(trace?.events.map((e) => e.seq), paths.map((_, i) => i + 1));
  for (const w of writers) {
    const own = await readTrace(dir.path, `shared-${w}`);
    assert.deepEqual(
      own?.events.map((e) => e.request.path),
      Array.from({ length: count }, (_, i) => `/w/${w}/${i}`),
    );
  }
  assert.deepEqual(await listRuns(dir.path), ["shared", ...writers.map((w) => `shared-${w}`)]);
});

Deno.test("trace store: a run id cannot name a file outside the directory", async () => {
  await using parent = await tempDir();
  const dir = `${parent.path}/traces`;
  const ids = [
    "../escape",
    "../../etc/passwd",
    "a/b",
    "/abs/path",
    "..",
    ".hidden",
    "a\\b",
    "x".repeat(300),
    "ü",
  ];
  {
    await using store = new TraceStore({ dir, mode: "ci", reset: true });
    for (const id of ids) await store.record(id, event(`/${id.length}`), TIMING);
  }
  assert.deepEqual([...Deno.readDirSync(parent.path)].map((e) => e.name), ["traces"]);
  const files = [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name);
  assert.equal(files.length, ids.length * 3);
  assert.equal([...Deno.readDirSync(`${dir}/.summaries`)].length, ids.length);
  for (const id of ids) {
    const safe = sanitiseRunId(id);
    assert.match(safe, /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/, id);
    assert.equal(dirname(tracePaths(dir, id).trace), dir);
    const trace = await readTrace(dir, id);
    assert.equal(trace?.run_id, id, "the trace keeps the id as given");
  }
  assert.notEqual(sanitiseRunId("a/b"), sanitiseRunId("a_b"));
  assert.notEqual(sanitiseRunId("a/b"), sanitiseRunId("a\\b"));
  assert.equal(sanitiseRunId("procurement-run.1"), "procurement-run.1");
  for (const reserved of ["nul", "CON.json", "com1", "lpt9.x"]) {
    assert.match(sanitiseRunId(reserved), /^_.*-[0-9a-f]{10}$/, reserved);
  }
  for (const id of ["a b", "../x", "nul", "x.timing", "ok-id", "é"]) {
    const once = sanitiseRunId(id);
    assert.equal(sanitiseRunId(once), once, `listing then reading '${id}' finds the same file`);
  }
  assert.equal(sanitiseRunId("console"), "console");
});

Deno.test("trace store: a journal line cut short by a crash loses only that line", async () => {
  await using dir = await tempDir();
  {
    await using store = new TraceStore({ dir: dir.path, mode: "enforce" });
    for (const p of ["/1", "/2", "/3"]) await store.record("crash", event(p), TIMING);
  }
  const journal = tracePaths(dir.path, "crash").journal;
  const whole = await Deno.readTextFile(journal);
  const last = whole.trimEnd().split("\n").pop() as string;
  await Deno.writeTextFile(journal, last.slice(0, last.length / 2), { append: true });
  assert.deepEqual((await readTrace(dir.path, "crash"))?.events.map((e) => e.request.path), [
    "/1",
    "/2",
    "/3",
  ]);

  {
    await using store = new TraceStore({ dir: dir.path, mode: "enforce" });
    assert.equal(await store.record("crash", event("/4"), TIMING), 4);
  }
  const trace = await readTrace(dir.path, "crash");
  assert.deepEqual(trace?.events.map((e) => [e.seq, e.request.path]), [[1, "/1"], [2, "/2"], [
    3,
    "/3",
  ], [4, "/4"]]);
});

Deno.test("trace store: reset starts a run afresh, the default appends", async () => {
  await using dir = await tempDir();
  const record = async (reset: boolean, path: string) => {
    await using store = new TraceStore({ dir: dir.path, mode: "ci", reset });
    return await store.record("r", event(path), TIMING);
  };
  assert.equal(await record(false, "/a"), 1);
  assert.equal(await record(false, "/b"), 2);
  assert.equal(await record(true, "/c"), 1);
  assert.deepEqual((await readTrace(dir.path, "r"))?.events.map((e) => e.request.path), ["/c"]);
  assert.equal(await readTrace(dir.path, "nothing"), undefined);
});

Deno.test("trace store: flush and idle flush materialise the trace while the store is open", async () => {
  await using dir = await tempDir();
  await using store = new TraceStore({ dir: dir.path, mode: "ci", idleFlushMs: 20 });
  await store.record("idle", event("/x"), TIMING);
  await store.flush("idle");
  const path = store.pathOf("idle");
  assert.equal(JSON.parse(await Deno.readTextFile(path)).events.length, 1);
  await store.record("idle", event("/y"), TIMING);
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 10));
    if (JSON.parse(await Deno.readTextFile(path)).events.length === 2) return;
  }
  assert.fail("the idle flush did not write the second event");
});

const VIOLATION: Omit<TraceEvent, "seq"> = {
  ...event("/v1/submit_bid"),
  outcome: "policy_violation",
  response: { status: 403 },
};

Deno.test("trace store: a reset never wipes a run another writer is still writing", async () => {
  await using dir = await tempDir();
  const first = new TraceStore({ dir: dir.path, mode: "ci", reset: true });
  await first.record("shared", VIOLATION, TIMING);
  {
    await using second = new TraceStore({ dir: dir.path, mode: "ci", reset: true });
    assert.equal(await second.record("shared", event("/b"), TIMING), 2, "appended after the first");
  }
  await first.close();
  const trace = await readTrace(dir.path, "shared");
  assert.deepEqual(trace?.events.map((e) => e.outcome), ["policy_violation", "allowed"]);
  {
    await using third = new TraceStore({ dir: dir.path, mode: "ci", reset: true });
    assert.equal(await third.record("shared", event("/c"), TIMING), 1, "alone: starts afresh");
  }
});

Deno.test("trace store: after close, recording throws instead of reopening the run", async () => {
  await using dir = await tempDir();
  const store = new TraceStore({ dir: dir.path, mode: "ci", reset: true });
  await store.record("r", VIOLATION, TIMING);
  await store.close();
  await assert.rejects(store.record("r", event("/late"), TIMING), /closed/);
  assert.deepEqual((await readTrace(dir.path, "r"))?.events.map((e) => e.outcome), [
    "policy_violation",
  ]);
});

Deno.test("trace store: a run id ending in .timing cannot pass for another run's sidecar", async () => {
  await using dir = await tempDir();
  {
    await using store = new TraceStore({ dir: dir.path, mode: "ci" });
    await store.record("ci", event("/a"), TIMING);
    for (const id of ["ci.timing", "ci.TIMING"]) await store.record(id, VIOLATION, TIMING);
  }
  const ids = await listRuns(dir.path);
  assert.equal(ids.length, 3, ids.join(", "));
  const outcomes = await Promise.all(
    ids.map(async (id) => (await readTrace(dir.path, id))?.outcome),
  );
  assert.deepEqual(outcomes.sort(), ["allowed", "policy_violation", "policy_violation"]);
});

Deno.test("trace store: many run ids keep a bounded number of journals open (Linux: /proc)", async () => {
  await using dir = await tempDir();
  // Reading /proc/self needs --allow-all; a child process may read this process's table.
  const openFiles = () => {
    const ls = new Deno.Command("ls", { args: [`/proc/${Deno.pid}/fd`] }).outputSync();
    return new TextDecoder().decode(ls.stdout).trim().split("\n").length;
  };
  const before = openFiles();
  {
    await using store = new TraceStore({ dir: dir.path, mode: "enforce" });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) await store.record(`run-${i}`, event(`/${round}`), TIMING);
    }
    assert.ok(openFiles() - before <= 70, `${openFiles() - before} files open for 300 runs`);
  }
  const trace = await readTrace(dir.path, "run-0");
  assert.deepEqual(trace?.events.map((e) => e.request.path), ["/0", "/1"]);
  assert.equal((await listRuns(dir.path)).length, 300);
});

Deno.test("trace store: materialiseOnClose false leaves materialising to readers", async () => {
  await using dir = await tempDir();
  {
    await using store = new TraceStore({
      dir: dir.path,
      mode: "enforce",
      materialiseOnClose: false,
    });
    await store.record("long", VIOLATION, TIMING);
  }
  const paths = tracePaths(dir.path, "long");
  await assert.rejects(Deno.stat(paths.trace), Deno.errors.NotFound);
  assert.equal((await readTrace(dir.path, "long"))?.outcome, "policy_violation");
  assert.ok((await Deno.stat(paths.trace)).isFile, "the reader wrote the trace file");
});

Deno.test("trace store: an event built from its number gets the number it is written under", async () => {
  await using dir = await tempDir();
  const store = new TraceStore({ dir: dir.path, mode: "ci", reset: true });
  try {
    const seen: number[] = [];
    const build = (seq: number) => {
      seen.push(seq);
      return event(`/built/${seq}`);
    };
    // Recorded in one turn of the event loop: one batch, numbers handed out in order.
    const numbers = await Promise.all([
      store.record("built", build, TIMING),
      store.record("built", event("/plain"), TIMING),
      store.record("built", build, TIMING),
    ]);
    assert.deepEqual(numbers, [1, 2, 3]);
    assert.deepEqual(seen, [1, 3]);
    assert.equal(await store.record("built", build, TIMING), 4);
  } finally {
    await store.close();
  }
  const trace = await readTrace(dir.path, "built");
  assert.deepEqual(trace?.events.map((e) => [e.seq, e.request.path]), [
    [1, "/built/1"],
    [2, "/plain"],
    [3, "/built/3"],
    [4, "/built/4"],
  ]);
});
