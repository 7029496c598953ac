/** The shared timeout queue: deadlines fire in order, not early, and not once cancelled. */

import assert from "node:assert/strict";
import { DeadlineQueue } from "../../src/gateway/deadlines.ts";

Deno.test("deadlines fire no earlier than due, in order; cancelled ones never", async () => {
  const q = new DeadlineQueue(30);
  const fired: Array<[string, number]> = [];
  const t0 = performance.now();
  q.add(() => fired.push(["a", performance.now() - t0]));
  const b = q.add(() => fired.push(["b", performance.now() - t0]));
  await new Promise((r) => setTimeout(r, 10));
  q.add(() => fired.push(["c", performance.now() - t0]));
  b.cancel();
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(fired.map(([n]) => n), ["a", "c"]);
  assert.ok((fired[0] as [string, number])[1] >= 30);
  assert.ok((fired[1] as [string, number])[1] >= 40);
});

Deno.test("a queue whose deadlines are all cancelled holds no timer", () => {
  // The test sanitizer fails the test if a timer is left pending.
  const q = new DeadlineQueue(60_000);
  const ds = Array.from({ length: 5 }, () => q.add(() => assert.fail("cancelled deadline fired")));
  for (const d of ds.reverse()) d.cancel();
  ds[0]?.cancel();
});

Deno.test("cancelling the oldest deadline keeps the later ones armed", async () => {
  const q = new DeadlineQueue(20);
  let fired = 0;
  const first = q.add(() => assert.fail("cancelled deadline fired"));
  await new Promise((r) => setTimeout(r, 5));
  q.add(() => fired++);
  first.cancel();
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(fired, 1);
});
