/**
 * The clock of the paced load generator, run as a worker: the main thread's timers fire late
 * by a millisecond or two (more on a busy machine), which at 1,000 req/s would be the whole
 * schedule. This worker sleeps with `Atomics.wait` until shortly before each request is due —
 * a futex wait wakes up to ~100 µs late (the kernel's timer slack) — then spins the rest of the
 * way, and publishes how many requests are due in a shared counter that the main thread awaits
 * with `Atomics.waitAsync`: a message between threads would take as long again to arrive.
 *
 * Message in: `{ startEpochMs, intervalMs, total, due }`, `due` an `Int32Array` over shared
 * memory, its element 0 the number of requests due so far.
 *
 * @module
 */

/// <reference lib="deno.worker" />

interface Plan {
  readonly startEpochMs: number;
  readonly intervalMs: number;
  readonly total: number;
  readonly due: Int32Array;
}

/** How long before a request is due the futex wait ends and the spin begins, in ms. */
const SPIN_MS = 0.15;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

self.onmessage = (event: MessageEvent<Plan>) => {
  const { startEpochMs, intervalMs, total, due } = event.data;
  for (let i = 0; i < total; i++) {
    const at = startEpochMs + i * intervalMs;
    const wait = at - SPIN_MS - epochNow();
    if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
    while (epochNow() < at) { /* the last SPIN_MS */ }
    Atomics.store(due, 0, i + 1);
    Atomics.notify(due, 0);
  }
};
