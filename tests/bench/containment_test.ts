import assert from "node:assert/strict";
import { DEFAULT_SEED, SCENARIOS } from "../../bench/scenarios/registry.ts";
import { compareRatios } from "../../bench/lib/regression.ts";
import type { Ratio } from "../../bench/lib/report.ts";
import {
  ADVERSARIAL_GOAL,
  containmentRatios,
  isPerfect,
  meetsAdversarialGoal,
  scoreScenario,
} from "../../bench/suites/containment.ts";

for (const s of SCENARIOS) {
  Deno.test(`${s.name}: the shipped policy scores containment 1.0 / FPR 0.0 / precision 1.0`, async () => {
    for (const seed of [DEFAULT_SEED, 1, 2]) {
      const { plain } = await scoreScenario(s, seed);
      const wrong = Object.entries(plain.kinds)
        .filter(([, t]) => (t.bad ? t.stopped < t.total : t.stopped > 0))
        .map(([k]) => k);
      assert.ok(isPerfect(plain), `seed ${seed}: wrong on ${wrong.join(", ")}`);
      assert.ok(plain.truePositives > 0 && plain.trueNegatives > 0);
    }
  });

  Deno.test(`${s.name}: every bad kind of the plain generator occurs`, async () => {
    const { plain } = await scoreScenario(s, DEFAULT_SEED);
    const bad = Object.values(plain.kinds).filter((t) => t.bad);
    assert.ok(bad.length >= 4, `only ${bad.length} bad kinds`);
    assert.ok(bad.every((t) => t.total > 0));
  });
}

for (const s of SCENARIOS) {
  Deno.test(`${s.name}: the shipped policy meets the adversarial goal on today's tricks`, async () => {
    const { adversarial } = await scoreScenario(s, DEFAULT_SEED);
    assert.ok(
      meetsAdversarialGoal(adversarial),
      `containment ${adversarial.containment} (goal ≥ ${ADVERSARIAL_GOAL.containment}), ` +
        `FPR ${adversarial.falsePositiveRate} (goal ≤ ${ADVERSARIAL_GOAL.falsePositiveRate})`,
    );
  });
}

Deno.test("containment is checked exactly: the seed decides it, so one more case through fails", async () => {
  const scores = await scoreScenario(SCENARIOS[0] as (typeof SCENARIOS)[number], DEFAULT_SEED);
  const ratios = containmentRatios([scores]);
  assert.ok(Object.values(ratios).every((r) => r.tolerance === 0));
  const key = `containment.${scores.scenario}.adversarial.containment`;
  const base = ratios[key] as Ratio;
  const oneMore = 1 / (scores.adversarial.truePositives + scores.adversarial.falseNegatives);
  const dropped = { ...ratios, [key]: { ...base, value: base.value - oneMore } };
  assert.deepEqual(compareRatios(ratios, dropped).regressions.map((r) => r.key), [key]);
  assert.deepEqual(compareRatios(ratios, ratios).regressions, []);
});
