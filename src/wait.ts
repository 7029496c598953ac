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
 * import { wait } from "./wait.ts";
 * console.log(await wait(5)); // true
 * console.log(await wait(60_000, AbortSignal.abort())); // false
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
