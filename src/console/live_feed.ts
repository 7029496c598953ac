/**
 * Where the live page's events come from: a running server's {@link Recorder} (every event it
 * records, as it records it), or, for a console over a directory, the directory itself
 * (`TraceReader.followAll`: every journal's new lines as writers append them).
 *
 * @module
 */

import type { EventTiming } from "../trace/timing.ts";
import type { TraceEvent } from "../trace/event.ts";
import type { Recorder } from "../trace/recorder.ts";
import type { TraceReader } from "../trace/trace_reader.ts";

/**
 * One new event, as the live page shows it.
 *
 * @example
 * ```ts
 * import type { LiveEvent } from "./live_feed.ts";
 * const e: LiveEvent = {
 *   runId: "r1", mode: "enforce",
 *   event: { seq: 4, request: { method: "GET", path: "/" }, outcome: "allowed", enforced: true, decisions: [], response: { status: 200 } },
 * };
 * ```
 */
export interface LiveEvent {
  /** The run it belongs to. */
  readonly runId: string;
  /** The run's mode, when known. */
  readonly mode?: string | undefined;
  /** The event. */
  readonly event: TraceEvent;
  /** Its timings, when known. */
  readonly timing?: EventTiming | undefined;
  /** Events dropped just before this one because the page could not keep up. */
  readonly missed?: number;
}

/**
 * Starts following: new events from now until `signal` aborts; `ready` is called once events
 * recorded from then on are sure to come.
 *
 * @example
 * ```ts
 * import type { LiveFeed } from "./live_feed.ts";
 * const none: LiveFeed = async function* (_signal, ready) {
 *   ready();
 * };
 * ```
 */
export type LiveFeed = (signal: AbortSignal, ready: () => void) => AsyncIterable<LiveEvent>;

/** Events a slow page may fall behind by before the oldest are dropped. */
const BACKLOG = 1_000;

/**
 * The events a server's recorder records, for a server in `mode`.
 *
 * @example
 * ```ts
 * import { Recorder } from "../trace/recorder.ts";
 * import { recorderFeed } from "./live_feed.ts";
 * const feed = recorderFeed(new Recorder(), "enforce");
 * ```
 */
export function recorderFeed(recorder: Recorder, mode: string): LiveFeed {
  return async function* observed(signal, ready) {
    const queue: LiveEvent[] = [];
    let missed = 0;
    let wake: (() => void) | undefined;
    const stop = recorder.observe(({ runId, event, timing }) => {
      if (queue.length >= BACKLOG) {
        queue.shift();
        missed++;
      }
      queue.push({ runId, mode, event, timing });
      wake?.();
    });
    const aborted = () => wake?.();
    signal.addEventListener("abort", aborted);
    ready();
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        yield missed ? { ...next, missed } : next;
        missed = 0;
      }
    } finally {
      stop();
      signal.removeEventListener("abort", aborted);
    }
  };
}

/**
 * The events appended to every journal of a directory.
 *
 * @example
 * ```ts
 * import { TraceReader } from "../trace/trace_reader.ts";
 * import { directoryFeed } from "./live_feed.ts";
 * const feed = directoryFeed(new TraceReader("artifacts/traces"));
 * ```
 */
export function directoryFeed(reader: TraceReader): LiveFeed {
  return (signal, ready) => reader.followAll({ signal, ready });
}
