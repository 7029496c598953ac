import assert from "node:assert/strict";
import { join } from "node:path";
import { gateTraces, withCommand } from "../../src/gate_run/gate_runs.ts";
import { tempDir } from "../support/fixtures.ts";
import {
  allowed,
  failed,
  flagged,
  unmatched,
  violation,
  writeRun,
} from "../support/trace_events.ts";

const base = { runIds: [], failOnFlagged: false, files: { policies: "p.yaml", mocks: "m.yaml" } };

Deno.test("gate: every run in the directory, failing events marked with hints", async () => {
  await using dir = await tempDir();
  await writeRun(dir.path, "a", [allowed, flagged]);
  await writeRun(dir.path, "b", [violation, unmatched, failed]);
  const report = await gateTraces({ ...base, traces: dir.path });
  assert.equal(report.passed, false);
  assert.deepEqual(report.problems, []);
  const [a, b] = report.runs;
  assert.equal(a?.passed, true);
  assert.equal(a?.outcome, "flagged");
  assert.deepEqual(a?.events.map((e) => e.fails), [false, false]);
  assert.equal(a?.events[0]?.next, undefined);
  assert.match(a?.events[1]?.next ?? "", /^Next: review what policy flag_bulk_quotes flagged/);
  assert.equal(b?.passed, false);
  assert.equal(b?.trace, join(dir.path, "b.json"));
  assert.deepEqual(b?.events.map((e) => [e.name, e.fails]), [
    ["#1 POST /v1/submit_bid", true],
    ["#2 DELETE /v1/orders", true],
    ["#3 GET /v1/budget", true],
  ]);
});

Deno.test("gate: --fail-on flagged, selected runs, missing runs", async () => {
  await using dir = await tempDir();
  await writeRun(dir.path, "a", [allowed, flagged]);
  await writeRun(dir.path, "b", [violation]);
  const flaggedFails = await gateTraces({
    ...base,
    traces: dir.path,
    runIds: ["a"],
    failOnFlagged: true,
  });
  assert.equal(flaggedFails.passed, false);
  assert.deepEqual(flaggedFails.runs.map((r) => r.run_id), ["a"]);
  const onlyA = await gateTraces({ ...base, traces: dir.path, runIds: ["a"] });
  assert.equal(onlyA.passed, true);
  const missing = await gateTraces({ ...base, traces: dir.path, runIds: ["a", "zz"] });
  assert.equal(missing.passed, false);
  assert.deepEqual(missing.problems, [`no trace for run 'zz' in ${dir.path}`]);
});

Deno.test("gate: an empty or absent directory is a failure, not a pass", async () => {
  await using dir = await tempDir();
  const report = await gateTraces({ ...base, traces: join(dir.path, "absent") });
  assert.equal(report.passed, false);
  assert.match(report.problems[0] ?? "", /^no traces in /);
});

Deno.test("gate: a failing command fails a clean report", async () => {
  await using dir = await tempDir();
  await writeRun(dir.path, "a", [allowed]);
  const report = await gateTraces({ ...base, traces: dir.path });
  assert.equal(withCommand(report, { argv: ["true"], exit_code: 0 }).passed, true);
  const failedCommand = withCommand(report, { argv: ["npm", "test"], exit_code: 2 });
  assert.equal(failedCommand.passed, false);
  assert.deepEqual(failedCommand.problems, ["command exited with code 2: npm test"]);
});
