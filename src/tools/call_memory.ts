/**
 * Idempotence by call id: frameworks may ask about the same tool call twice (OpenAI Agents with
 * `preApprovalInputGuardrails` runs its guardrails before approval and again before execution),
 * and a call must be recorded once and take state (counts, sums) once. Every gate goes through
 * one {@link CallMemory}: in-process gates hold their own, a server holds one for every
 * `remoteGate` that asks it.
 *
 * @module
 */

interface Remembered<T> {
  /** What the call was: a call id sent again with other arguments is another call. */
  readonly fingerprint: string;
  readonly result: Promise<T>;
}

/** Bounds of a {@link CallMemory}. */
interface CallMemoryOptions {
  /** Call ids remembered per run, least recently used forgotten first; default 512. */
  readonly callsPerRun?: number;
  /** Runs remembered, least recently used forgotten first; default 128. */
  readonly runs?: number;
}

/** Moves `key` to the most recent end of an insertion-ordered map, dropping the oldest past `limit`. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value as K);
}

/**
 * Remembers decisions by run and call id, least recently used first out, so that memory stays
 * bounded whatever ids clients send.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallMemory } from "./call_memory.ts";
 * const memory = new CallMemory<number>();
 * let decided = 0;
 * const decide = () => Promise.resolve(++decided);
 * assert.equal(await memory.remember("run", "call_1", "{}", decide), 1);
 * assert.equal(await memory.remember("run", "call_1", "{}", decide), 1); // the same call again
 * assert.equal(decided, 1);
 * ```
 */
export class CallMemory<T> {
  readonly #callsPerRun: number;
  readonly #maxRuns: number;
  readonly #runs = new Map<string, Map<string, Remembered<T>>>();

  /** A memory with the given bounds. */
  constructor(options: CallMemoryOptions = {}) {
    this.#callsPerRun = options.callsPerRun ?? 512;
    this.#maxRuns = options.runs ?? 128;
  }

  /**
   * The first result for this call when it was already decided with the same `fingerprint`
   * (still in flight or done), else `decide()`'s, remembered. Without a call id nothing is
   * remembered. A decision that rejects is forgotten, so that asking again decides again.
   */
  remember(
    runId: string,
    callId: string | undefined,
    fingerprint: string,
    decide: () => Promise<T>,
  ): Promise<T> {
    if (callId === undefined) return decide();
    const calls = this.#runs.get(runId) ?? new Map<string, Remembered<T>>();
    touch(this.#runs, runId, calls, this.#maxRuns);
    const known = calls.get(callId);
    if (known && known.fingerprint === fingerprint) {
      touch(calls, callId, known, this.#callsPerRun);
      return known.result;
    }
    const entry: Remembered<T> = { fingerprint, result: decide() };
    touch(calls, callId, entry, this.#callsPerRun);
    entry.result.catch(() => {
      if (calls.get(callId) === entry) calls.delete(callId);
    });
    return entry.result;
  }
}
