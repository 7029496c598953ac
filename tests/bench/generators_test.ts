import assert from "node:assert/strict";
import { SCENARIOS } from "../../bench/scenarios/registry.ts";
import { createRng, mulberry32 } from "../../bench/lib/prng.ts";

Deno.test("mulberry32 gives the same stream for a seed and another for another seed", () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const first = Array.from({ length: 5 }, () => a());
  assert.deepEqual(first, Array.from({ length: 5 }, () => b()));
  assert.notDeepEqual(first, Array.from({ length: 5 }, () => c()));
  assert.ok(first.every((x) => x >= 0 && x < 1));
});

Deno.test("rng.int stays within its bounds", () => {
  const rng = createRng(7);
  for (let i = 0; i < 1_000; i++) {
    const n = rng.int(3, 5);
    assert.ok(n >= 3 && n <= 5 && Number.isInteger(n));
  }
});

for (const s of SCENARIOS) {
  for (const variant of ["generate", "adversarial", "novel"] as const) {
    Deno.test(`${s.name} ${variant}: the same seed gives the same sequences`, () => {
      const once = JSON.stringify(s[variant](11, 30));
      assert.equal(JSON.stringify(s[variant](11, 30)), once);
      assert.notEqual(JSON.stringify(s[variant](12, 30)), once);
    });

    Deno.test(`${s.name} ${variant}: sequences hold both good and bad actions`, () => {
      const actions = s[variant](11, 30).flatMap((seq) => seq.actions);
      assert.ok(actions.some((a) => a.bad));
      assert.ok(actions.some((a) => !a.bad));
    });
  }
}
