/**
 * Sub-microsecond timing: `performance.now()` is too coarse (and may be clamped) for one
 * decision, so each sample times a batch of operations and divides. Percentiles are then over
 * batch means, which hides per-call outliers smaller than a batch; the reports say so.
 */

/** How to sample. */
export interface BatchPlan {
  /** Operations per sample. */
  readonly batch: number;
  /** Samples to keep. */
  readonly samples: number;
  /** Warm-up time before sampling, so the JIT has compiled the hot paths. */
  readonly warmupMs: number;
}

/** Per-operation time of each sample, in microseconds. */
export type Samples = number[];

/** Times a synchronous operation; `op(i)` gets a running index to cycle through inputs. */
export function timeSync(plan: BatchPlan, op: (i: number) => unknown): Samples {
  let i = 0;
  const warmEnd = performance.now() + plan.warmupMs;
  while (performance.now() < warmEnd) for (let k = 0; k < plan.batch; k++) op(i++);
  const out: Samples = [];
  for (let s = 0; s < plan.samples; s++) {
    const start = performance.now();
    for (let k = 0; k < plan.batch; k++) op(i++);
    out.push(((performance.now() - start) * 1000) / plan.batch);
  }
  return out;
}

/**
 * Times an operation that answers at once or with a promise, awaiting each call only when it
 * answers with a promise, as a caller would: as the gateway and the CI path call
 * `PolicySet.decideNow`, where a memory store answers without a turn of the event loop and Redis
 * with one (an asynchronous operation is awaited every time).
 */
export async function timeNow(plan: BatchPlan, op: (i: number) => unknown): Promise<Samples> {
  let i = 0;
  const run = async () => {
    for (let k = 0; k < plan.batch; k++) {
      const r = op(i++);
      if (r instanceof Promise) await r;
    }
  };
  const warmEnd = performance.now() + plan.warmupMs;
  while (performance.now() < warmEnd) await run();
  const out: Samples = [];
  for (let s = 0; s < plan.samples; s++) {
    const start = performance.now();
    await run();
    out.push(((performance.now() - start) * 1000) / plan.batch);
  }
  return out;
}

const CALIBRATION_INPUT = { supplier_id: "S-1", amount: 12_500, currency: "USD", items: [1, 2, 3] };

/**
 * A fixed plain-JavaScript workload (a JSON round trip of a small body), timed the same way:
 * dividing by it turns a decision time into a ratio that travels between machines and runs,
 * which is what the regression baseline stores.
 */
export function calibrationSamples(plan: BatchPlan): Samples {
  return timeSync(plan, () => JSON.parse(JSON.stringify(CALIBRATION_INPUT)));
}
