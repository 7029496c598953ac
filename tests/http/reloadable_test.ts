import assert from "node:assert/strict";
import { Reloadable } from "../../src/http/reloadable.ts";

Deno.test("holder: a good reload swaps, a failed one keeps the value serving", async () => {
  let next: () => Promise<number> = () => Promise.resolve(2);
  const seen: number[] = [];
  const holder = new Reloadable(1, (previous) => {
    seen.push(previous);
    return next();
  });
  assert.deepEqual(await holder.reload(), { ok: true, value: 2 });
  assert.equal(holder.current, 2);
  next = () => Promise.reject(new Error("bad file"));
  const failed = await holder.reload();
  assert.equal(failed.ok, false);
  assert.equal(holder.current, 2);
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("holder: reloads run one at a time, in order", async () => {
  let n = 0;
  const holder = new Reloadable(0, async (previous) => {
    await new Promise((r) => setTimeout(r, 5));
    n++;
    return previous + 1;
  });
  const results = await Promise.all([holder.reload(), holder.reload(), holder.reload()]);
  assert.deepEqual(results.map((r) => r.ok && r.value), [1, 2, 3]);
  assert.equal(n, 3);
  assert.equal(holder.current, 3);
});
