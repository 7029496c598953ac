/**
 * The same agent behaviour gives a byte-identical trace file and the same digest; timings go
 * only to the sidecar.
 */

import assert from "node:assert/strict";
import { buildTrace, session, type Trace } from "@mirage/core";
import { tempDir } from "../support/fixtures.ts";
import { postJson, PROCUREMENT, runProcurement } from "./procurement.ts";

/** Runs the procurement scenario in a fresh session and returns the trace file's text. */
async function traceText(dir: string, runId: string, bid?: number): Promise<string> {
  {
    await using mirage = await session({ runId, ...PROCUREMENT, traces: dir });
    if (bid === undefined) await runProcurement(mirage);
    else await (await postJson(mirage, "/v1/submit_bid", { amount: bid })).body?.cancel();
  }
  return await Deno.readTextFile(`${dir}/${runId}.json`);
}

function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysOf(v, out);
    }
  }
  return out;
}

Deno.test("determinism: the same run twice gives byte-identical trace files", async () => {
  await using dir = await tempDir();
  await using elsewhere = await tempDir();
  const first = await traceText(dir.path, "procurement");
  const second = await traceText(dir.path, "procurement");
  const third = await traceText(elsewhere.path, "procurement");
  assert.equal(second, first);
  assert.equal(third, first);
  const trace = JSON.parse(first) as Trace;
  assert.match(trace.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(buildTrace(trace.run_id, trace.mode, trace.events).digest, trace.digest);
  assert.equal(trace.events.length, 3, "a second session starts the run afresh");
  assert.deepEqual(Object.keys(trace), [...Object.keys(trace)].sort(), "keys are sorted");
});

Deno.test("determinism: a different behaviour gives a different digest", async () => {
  await using dir = await tempDir();
  const high = JSON.parse(await traceText(dir.path, "bid", 50000)) as Trace;
  const higher = JSON.parse(await traceText(dir.path, "bid", 50001)) as Trace;
  assert.notEqual(high.digest, higher.digest);
});

Deno.test("determinism: timings go to <run>.timing.json, never into the trace", async () => {
  await using dir = await tempDir();
  const text = await traceText(dir.path, "timed");
  const keys = keysOf(JSON.parse(text));
  for (const k of ["at", "decide_us", "total_us", "upstream_us", "timing"]) {
    assert.ok(!keys.has(k), k);
  }
  assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT\d\d:\d\d/, "no wall-clock stamp");
  const timing = JSON.parse(await Deno.readTextFile(`${dir.path}/timed.timing.json`));
  assert.equal(timing.run_id, "timed");
  assert.equal(timing.events.length, 3);
  for (const [i, e] of timing.events.entries()) {
    assert.equal(e.seq, i + 1);
    assert.equal(typeof e.decide_us, "number");
    assert.equal(typeof e.total_us, "number");
    assert.ok(!Number.isNaN(Date.parse(e.at)));
  }
});
