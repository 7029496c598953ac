/**
 * The clock of the paced load generator, run as a worker: the main thread's timers fire late
 * by a millisecond or two (more on a busy machine), which at 1,000 req/s would be the whole
 * schedule. This worker sleeps with `Atomics.wait` (a futex, precise to well under 0.1 ms,
 * no spinning) and posts the index of each request when it is due.
 *
 * Message in: `{ startEpochMs, intervalMs, total }`; messages out: the index, then `-1`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

interface Plan {
  readonly startEpochMs: number;
  readonly intervalMs: number;
  readonly total: number;
}

const cell = new Int32Array(new SharedArrayBuffer(4));

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

self.onmessage = (event: MessageEvent<Plan>) => {
  const { startEpochMs, intervalMs, total } = event.data;
  for (let i = 0; i < total; i++) {
    const wait = startEpochMs + i * intervalMs - epochNow();
    if (wait > 0) Atomics.wait(cell, 0, 0, wait);
    self.postMessage(i);
  }
  self.postMessage(-1);
};
