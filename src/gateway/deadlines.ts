/**
 * Timeouts of one length for many requests at once, on one timer. Deadlines set later expire
 * later, so they form a queue: the timer waits for the oldest one still pending, and a request
 * that ends cancels its own. Per request, that is an object and an array slot instead of a
 * runtime timer set and cleared.
 *
 * @module
 */

/**
 * A pending deadline; {@link Deadline.cancel} once it no longer matters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Deadline, DeadlineQueue } from "./deadlines.ts";
 * const fired: string[] = [];
 * const queue = new DeadlineQueue(5);
 * const done = Promise.withResolvers<void>();
 * const first: Deadline = queue.add(() => fired.push("first"));
 * queue.add(() => {
 *   fired.push("second");
 *   done.resolve();
 * });
 * first.cancel();
 * await done.promise;
 * assert.deepEqual(fired, ["second"]);
 * ```
 */
export interface Deadline {
  /** Stops the deadline from firing; the queue lets go of it. */
  cancel(): void;
}

class Entry implements Deadline {
  constructor(
    readonly queue: DeadlineQueue,
    readonly at: number,
    public fire: (() => void) | undefined,
  ) {}

  cancel(): void {
    if (this.fire === undefined) return;
    this.fire = undefined;
    this.queue.settled();
  }
}

/**
 * Deadlines of `ms` milliseconds from when each is added. A callback runs no earlier than its
 * deadline, and as soon after as the runtime's timers allow (as `setTimeout` would). The timer
 * is cleared whenever nothing is pending, so an idle queue keeps no process alive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeadlineQueue } from "./deadlines.ts";
 * const q = new DeadlineQueue(1);
 * const late = Promise.withResolvers<string>();
 * q.add(() => late.resolve("fired"));
 * assert.equal(await late.promise, "fired");
 * // A cancelled deadline never fires, and leaves no timer behind.
 * q.add(() => assert.fail("cancelled")).cancel();
 * ```
 */
export class DeadlineQueue {
  readonly #ms: number;
  /** Entries in deadline order from `#head`; cancelled ones are skipped when reached. */
  #entries: Entry[] = [];
  #head = 0;
  #pending = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** A queue of deadlines `ms` milliseconds long. */
  constructor(ms: number) {
    this.#ms = ms;
  }

  /**
   * Calls `fire` `ms` milliseconds after `from` (a `performance.now()` reading, by default now)
   * unless the returned deadline is cancelled first.
   */
  add(fire: () => void, from: number = performance.now()): Deadline {
    const entry = new Entry(this, from + this.#ms, fire);
    this.#entries.push(entry);
    this.#pending++;
    if (this.#timer === undefined) this.#arm(entry.at);
    return entry;
  }

  /** An entry was cancelled or fired. */
  settled(): void {
    this.#pending--;
    this.#skipSettled();
    if (this.#pending === 0) this.#disarm();
  }

  #skipSettled(): void {
    const entries = this.#entries;
    while (this.#head < entries.length && (entries[this.#head] as Entry).fire === undefined) {
      this.#head++;
    }
    if (this.#head === entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(at: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, Math.ceil(at - performance.now())));
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const due: Array<() => void> = [];
    for (;;) {
      this.#skipSettled();
      const next = this.#entries[this.#head];
      if (next === undefined) break;
      if (next.at > now) {
        this.#arm(next.at);
        break;
      }
      due.push(next.fire as () => void);
      next.fire = undefined;
      this.#pending--;
    }
    for (const fire of due) fire();
  }
}
