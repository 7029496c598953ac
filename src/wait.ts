/**
 * Waiting that a signal can cut short: a declared delay or timeout must not outlive the caller
 * that gave up, nor the session or server that closes.
 *
 * @module
 */

/**
 * Resolves after `ms` with true, or as soon as `signal` aborts with false; leaves no timer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wait } from "./wait.ts";
 * assert.equal(await wait(5), true);
 * assert.equal(await wait(60_000, AbortSignal.abort()), false);
 * const stop = new AbortController();
 * const waiting = wait(60_000, stop.signal);
 * stop.abort();
 * assert.equal(await waiting, false); // ends at the abort, its timer cleared

 * ```
 */
export function wait(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (elapsed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", aborted);
      resolve(elapsed);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
