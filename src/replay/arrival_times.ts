/**
 * When each event of a recorded run arrived, from the run's timing sidecar
 * (`<run>.timing.json`): the clock a replay decides rate windows with. The deterministic trace
 * holds no time at all.
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import { tracePaths } from "../trace/trace_paths.ts";

interface Sidecar {
  readonly events?: readonly { readonly seq?: unknown; readonly at?: unknown }[];
}

/**
 * Arrival times by `seq`, in milliseconds since the epoch; empty when the run has no sidecar.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { session } from "@mirage/core";
 * import { arrivalTimes } from "./arrival_times.ts";
 * const traces = await Deno.makeTempDir();
 * {
 *   await using mirage = await session({ runId: "quotes", policies: { policies: [] }, mocks: "mocks/procurement.yaml", traces });
 *   await mirage.fetch("http://api.acme.internal/v1/get_quote", { method: "POST", body: "{}" });
 * }
 * const times = await arrivalTimes(traces, "quotes");
 * assert.deepEqual([...times.keys()], [1]); // event 1, at times.get(1) ms since the epoch
 * assert.equal((await arrivalTimes(traces, "no-such-run")).size, 0);
 * ```
 */
export async function arrivalTimes(dir: string, runId: string): Promise<Map<number, number>> {
  const path = tracePaths(dir, runId).timing;
  let sidecar: Sidecar;
  try {
    sidecar = JSON.parse(await Deno.readTextFile(path)) as Sidecar;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return new Map();
    throw new MirageError("trace_io", `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const times = new Map<number, number>();
  for (const t of sidecar.events ?? []) {
    const at = typeof t.at === "string" ? Date.parse(t.at) : NaN;
    if (typeof t.seq === "number" && Number.isFinite(at)) times.set(t.seq, at);
  }
  return times;
}
