/**
 * The chaos switch and the draw: what `--chaos` accepts, and a draw that is the same on every
 * machine (it is part of what makes a chaos run reproducible, so it is pinned here).
 */

import assert from "node:assert/strict";
import { chaosSwitch, compileChaos, MirageError } from "@mirage/core";
import { chaosDraw } from "../../src/engine/chaos_draw.ts";

Deno.test("chaos switch: a seed, a profile, or profile:seed", () => {
  assert.deepEqual(chaosSwitch("7"), { profile: "default", seed: 7 });
  assert.deepEqual(chaosSwitch(" flaky "), { profile: "flaky", seed: 0 });
  assert.deepEqual(chaosSwitch("flaky-api:4294967295"), { profile: "flaky-api", seed: 4294967295 });
  assert.deepEqual(chaosSwitch({}), { profile: "default", seed: 0 });
  assert.deepEqual(chaosSwitch({ profile: "p", seed: 3 }), { profile: "p", seed: 3 });
  for (const bad of ["", "flaky:", ":7", "flaky:x", "flaky:-1", "4294967296", "a b", "p:1.5"]) {
    assert.throws(
      () => chaosSwitch(bad),
      (e: unknown) => e instanceof MirageError && e.code === "invalid_chaos",
      bad,
    );
  }
  assert.throws(() => chaosSwitch({ seed: -1 }), /chaos seed must be an integer/);
  assert.throws(() => chaosSwitch({ profile: "7" }), /chaos takes a seed/);
});

Deno.test("chaos draw: pinned values, in [0, 1), independent per salt", () => {
  assert.equal(chaosDraw(0, "default", 1), chaosDraw(0, "default", 1));
  assert.deepEqual(
    [chaosDraw(0, "default", 1), chaosDraw(7, "checkout", 3), chaosDraw(7, "checkout", 3, "delay")]
      .map((u) => u.toFixed(6)),
    PINNED,
  );
  const draws = Array.from({ length: 10_000 }, (_, i) => chaosDraw(1, "r", i + 1));
  assert.ok(draws.every((u) => u >= 0 && u < 1));
  const low = draws.filter((u) => u < 0.5).length;
  assert.ok(low > 4800 && low < 5200, String(low));
});

const PINNED = ["0.260715", "0.146131", "0.597708"];

Deno.test("chaos profiles: faults of one mock share one draw, in declared order", () => {
  const chaos = compileChaos({
    mocks: [{ name: "pay", method: "POST", path: "/pay" }],
    chaos: {
      split: [
        { route: "pay", fault: "reset", rate: 0.5 },
        { route: "pay", fault: "timeout", rate: 0.5, after_ms: 9 },
      ],
    },
  });
  const run = chaos.select({ profile: "split", seed: 0 });
  const kinds = Array.from({ length: 200 }, (_, i) => run.routeFault("pay", "r", i + 1)?.kind);
  assert.ok(
    kinds.every((k) => k === "reset" || k === "timeout"),
    "rates adding up to 1 always fire",
  );
  for (let seq = 1; seq <= 200; seq++) {
    const u = chaosDraw(0, "r", seq);
    assert.equal(kinds[seq - 1], u < 0.5 ? "reset" : "timeout");
  }
  assert.equal(run.routeFault("other", "r", 1), undefined);
  assert.equal(run.toolFault("pay", "r", 1), undefined, "a route's faults are not a tool's");
});
