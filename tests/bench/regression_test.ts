import assert from "node:assert/strict";
import { type Baseline, baselineText } from "../../bench/lib/baseline_file.ts";
import { checkTable } from "../../bench/lib/check_table.ts";
import { compareRatios, UNCHECKED, worsening } from "../../bench/lib/regression.ts";
import type { Ratio } from "../../bench/lib/report.ts";

const lower = (value: number): Ratio => ({ value, better: "lower" });
const higher = (value: number): Ratio => ({ value, better: "higher" });

Deno.test("a lower-is-better ratio 26% worse is flagged, 24% worse passes", () => {
  const base = { "scale.x": lower(2) };
  assert.equal(compareRatios(base, { "scale.x": lower(2.52) }).regressions.length, 1);
  assert.equal(compareRatios(base, { "scale.x": lower(2.48) }).regressions.length, 0);
});

Deno.test("a higher-is-better ratio 26% worse is flagged, 24% worse passes", () => {
  const base = { "gateway.rps": higher(0.8) };
  const flagged = compareRatios(base, { "gateway.rps": higher(0.8 * 0.74) });
  assert.deepEqual(flagged.regressions.map((r) => r.key), ["gateway.rps"]);
  assert.equal(compareRatios(base, { "gateway.rps": higher(0.8 * 0.76) }).regressions.length, 0);
});

Deno.test("improvements never fail the check", () => {
  const result = compareRatios({ a: lower(1), b: higher(1) }, { a: lower(0.2), b: higher(5) });
  assert.equal(result.regressions.length, 0);
  assert.ok(result.comparisons.every((c) => c.worse < 0));
});

Deno.test("ratios the run did not measure are listed, not failed", () => {
  const result = compareRatios({ a: lower(1), b: lower(1) }, { a: lower(1.1) });
  assert.deepEqual(result.notMeasured, ["b"]);
  assert.equal(result.regressions.length, 0);
});

Deno.test("a zero baseline: any rise of a lower-is-better ratio is a regression", () => {
  assert.equal(worsening(lower(0), 0), 0);
  assert.equal(worsening(lower(0), 0.01), Infinity);
  assert.equal(worsening(higher(0), 1), 0);
});

Deno.test("a ratio's own tolerance overrides the default", () => {
  const base = { seeded: higher(0.96), saturated: higher(0.8) };
  const seeded = (value: number): Ratio => ({ value, better: "higher", tolerance: 0 });
  const saturated = (value: number): Ratio => ({ value, better: "higher", tolerance: 0.4 });
  const fine = compareRatios(base, { seeded: seeded(0.96), saturated: saturated(0.8 * 0.65) });
  assert.deepEqual(fine.regressions, []);
  const worse = compareRatios(base, { seeded: seeded(0.95), saturated: saturated(0.8 * 0.55) });
  assert.deepEqual(worse.regressions.map((r) => [r.key, r.tolerance]), [
    ["seeded", 0],
    ["saturated", 0.4],
  ]);
});

Deno.test("a ratio no tolerance fits is listed as unchecked, never a regression", () => {
  const p99 = (value: number): Ratio => ({ value, better: "lower", tolerance: UNCHECKED });
  const result = compareRatios({ p99: lower(0.5), a: lower(1) }, { p99: p99(1.8), a: lower(1) });
  assert.deepEqual(result.unchecked, ["p99"]);
  assert.deepEqual(result.comparisons.map((c) => c.key), ["a"]);
  assert.equal(result.regressions.length, 0);
  const table = checkTable(result);
  assert.match(table.notes?.join(" ") ?? "", /Reported, not checked .*: p99\./);
  assert.deepEqual(table.rows, [["a", "1.0000", "1.0000", "0.0%", "25%", "ok"]]);
});

Deno.test("a baseline read back compares equal with the run it came from, even checked exactly", () => {
  const exact = (value: number): Ratio => ({ value, better: "higher", tolerance: 0 });
  const run = { "containment.x.novel.containment": exact(8 / 21), "scale.y": lower(1.0274321) };
  const baseline = JSON.parse(baselineText("run.json", run)) as Baseline;
  assert.deepEqual(compareRatios(baseline.ratios, run).regressions, []);
  assert.deepEqual(baseline.ratios["scale.y"], { value: 1.0274321, better: "lower" });
});
