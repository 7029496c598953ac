import assert from "node:assert/strict";
import { join } from "node:path";
import { gateTraces, MAX_LISTED_EVENTS, withCommand } from "../../src/gate_run/gate_runs.ts";
import { junitXml } from "../../src/gate_run/junit.ts";
import { formatReport } from "../../src/gate_run/text_report.ts";
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

Deno.test("gate: a large run lists only what is not allowed, and counts the rest", async () => {
  await using dir = await tempDir();
  const events = Array.from(
    { length: MAX_LISTED_EVENTS + 500 },
    (_, i) => i === 700 ? violation : i === 1_200 ? flagged : allowed,
  );
  await writeRun(dir.path, "big", events);
  const many = Array.from({ length: MAX_LISTED_EVENTS + 5 }, () => violation);
  await writeRun(dir.path, "worse", [allowed, ...many]);
  const report = await gateTraces({ ...base, traces: dir.path });
  const [big, worse] = report.runs;
  assert.equal(big?.event_count, MAX_LISTED_EVENTS + 500);
  assert.deepEqual(big?.events.map((e) => [e.seq, e.outcome]), [[701, "policy_violation"], [
    1_201,
    "flagged",
  ]]);
  assert.deepEqual(big?.omitted, { events: MAX_LISTED_EVENTS + 498, failing: 0 });
  assert.equal(big?.passed, false);
  assert.equal(worse?.events.length, MAX_LISTED_EVENTS);
  assert.equal(worse?.events[0]?.seq, 2, "allowed events are not listed in a large run");
  assert.deepEqual(worse?.omitted, { events: 6, failing: 5 });
  const xml = junitXml(report);
  assert.match(xml, /name="6 more events \(5 failing\)">\s*<failure /);
  assert.match(xml, /<testsuite name="big" tests="3" failures="1"/);
  assert.match(formatReport(report, false), /… 1498 more events not listed \(0 failing\)/);
});

Deno.test("gate: a run that passes with every event listed stays as it was", async () => {
  await using dir = await tempDir();
  await writeRun(dir.path, "small", Array.from({ length: MAX_LISTED_EVENTS }, () => allowed));
  const [small] = (await gateTraces({ ...base, traces: dir.path })).runs;
  assert.equal(small?.events.length, MAX_LISTED_EVENTS);
  assert.deepEqual(small?.omitted, { events: 0, failing: 0 });
  assert.equal(small?.passed, true);
});
