/**
 * Writing traces (docs/traces.md): the journals of the runs one process records.
 *
 * Each run has an append-only journal, `<run>.jsonl`: recording an event appends one line with
 * an `O_APPEND` write, so it costs the same for the first event and the millionth, and several
 * processes can append to one run without losing lines. The lines one process records in one
 * turn of the event loop go out in one write (whole lines, so still atomic): under load, one
 * system call for many events instead of one each; `record` resolves once its line is written.
 * The deterministic `<run>.json` (sorted keys, digest) and the `<run>.timing.json` sidecar are
 * materialised from the journal (`trace_reader.ts`) — on flush, after the run goes idle, and by
 * every reader, each time only if the journal changed since — so a killed process loses nothing.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { MirageError } from "../errors.ts";
import type { PendingEvent } from "./event.ts";
import { journalLine, lockJournal, resumeJournal, writeText } from "./journal.ts";
import type { EventTiming } from "./timing.ts";
import { tracePaths } from "./trace_paths.ts";
import { TraceReader } from "./trace_reader.ts";

/**
 * Where traces go and how they are written.
 *
 * @example
 * ```ts
 * import type { TraceStoreOptions } from "@mirage/core";
 * const o: TraceStoreOptions = { dir: "artifacts/traces", mode: "ci", idleFlushMs: 200 };
 * ```
 */
export interface TraceStoreOptions {
  /** The directory; created when missing. */
  dir: string;
  /** `ci`, `enforce` or `passthrough`. */
  mode: string;
  /** Materialise a run's files after this many idle milliseconds; 0 = only on flush/close. */
  idleFlushMs?: number;
  /**
   * Start each run this store opens from an empty journal (a CI run owns its run id). Off for
   * the gateway, where replicas append to the same runs.
   */
  reset?: boolean;
  /**
   * Materialise every run on close (default true). Off for the gateway: a long-lived run's
   * journal grows without end, and a stop must stay quick; readers materialise on demand.
   */
  materialiseOnClose?: boolean;
}

/** Lines recorded in one turn of the event loop, waiting for their write. */
interface Batch {
  readonly lines: string[];
  /** The sequence number of the batch's first line, once all of them are written. */
  readonly written: Promise<number>;
}

interface OpenRun {
  readonly file: Deno.FsFile;
  seq: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  batch: Batch | undefined;
}

/**
 * Starts a run's next batch, written after the current turn of the event loop: `setImmediate`
 * is about a microsecond away, a timer would be milliseconds. The run's sequence numbers move
 * only when the write succeeded, as they did line by line.
 */
function writeSoon(run: OpenRun): Batch {
  const lines: string[] = [];
  const written = new Promise<number>((resolve, reject) => {
    setImmediate(() => {
      run.batch = undefined;
      try {
        writeText(run.file, lines.join(""));
      } catch (e) {
        reject(e);
        return;
      }
      resolve(run.seq + 1);
      run.seq += lines.length;
    });
  });
  return { lines, written };
}

/** Waits until every line recorded into a run so far is written (or failed to be). */
async function drained(run: OpenRun): Promise<void> {
  while (run.batch) await run.batch.written.catch(() => {});
}

/**
 * Closes a journal once its pending lines are written. A store that reopens the run later reads
 * the journal only after an asynchronous open, which completes on a later turn of the event
 * loop than the pending write, so it counts those lines.
 */
async function closeRun(run: OpenRun): Promise<void> {
  await drained(run);
  clearTimeout(run.timer);
  run.file.close();
}

/**
 * Journals kept open at once. Run ids come from clients (`x-mirage-run-id`), so the least
 * recently written journals are closed past this bound and reopened on demand: distinct ids can
 * never exhaust the process's file descriptors.
 */
const MAX_OPEN_JOURNALS = 64;

/**
 * Records events into per-run journals and materialises trace files.
 *
 * @example
 * ```ts
 * import { TraceStore } from "@mirage/core";
 * await using store = new TraceStore({ dir: "artifacts/traces", mode: "ci" });
 * ```
 */
export class TraceStore implements AsyncDisposable {
  /** The directory. */
  readonly dir: string;
  readonly #mode: string;
  readonly #idleFlushMs: number;
  readonly #reset: boolean;
  readonly #materialiseOnClose: boolean;
  readonly #reader: TraceReader;
  readonly #runs = new Map<string, Promise<OpenRun>>();
  readonly #started = new Set<string>();
  /** The run `#open` moved last in `#runs` (the most recent), and that run once it is open. */
  #lastId: string | undefined;
  #lastRun: OpenRun | undefined;
  #ready: Promise<void> | undefined;
  #closed = false;

  /** Creates a store; the directory is created on the first event. */
  constructor(options: TraceStoreOptions) {
    this.dir = options.dir;
    this.#mode = options.mode;
    this.#idleFlushMs = options.idleFlushMs ?? 0;
    this.#reset = options.reset ?? false;
    this.#materialiseOnClose = options.materialiseOnClose ?? true;
    this.#reader = new TraceReader(options.dir);
  }

  /**
   * Appends one event to its run's journal and returns its sequence number in this process.
   * Given a function, the event is built from that number just before its line is queued.
   */
  async record(
    runId: string,
    event: PendingEvent | ((seq: number) => PendingEvent),
    timing: EventTiming,
  ): Promise<number> {
    if (this.#closed) throw new MirageError("trace_closed", `trace store ${this.dir} is closed`);
    // The run recorded into last is already the most recent in `#runs`: no reordering to do, and
    // no wait for a journal that is open.
    let run = runId === this.#lastId ? this.#lastRun : undefined;
    if (run === undefined) {
      run = await this.#open(runId);
      if (runId === this.#lastId) this.#lastRun = run;
    }
    const batch = run.batch ??= writeSoon(run);
    // The run's count moves only when this batch is written, so the number is known now.
    const seq = run.seq + 1 + batch.lines.length;
    const pending = typeof event === "function" ? event(seq) : event;
    const index =
      batch.lines.push(journalLine({ run_id: runId, mode: this.#mode, event: pending, timing })) -
      1;
    const first = await batch.written;
    this.#armIdleFlush(runId, run);
    return first + index;
  }

  /** Materialises one run's files, or every run this store has recorded. */
  async flush(runId?: string): Promise<void> {
    const ids = runId === undefined ? [...this.#started] : [runId];
    for (const id of ids) {
      const run = await this.#runs.get(id)?.catch(() => undefined);
      if (run) await drained(run);
      await this.#reader.materialise(id);
    }
  }

  /** The path of a run's trace file. */
  pathOf(runId: string): string {
    return tracePaths(this.dir, runId).trace;
  }

  /** Closes the journals and materialises every run this store wrote (unless told not to). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#lastId = this.#lastRun = undefined;
    const runs = [...this.#runs.values()];
    this.#runs.clear();
    for (const opening of runs) await closeRun(await opening);
    if (!this.#materialiseOnClose) return;
    for (const id of this.#started) await this.#reader.materialise(id);
  }

  /** Same as {@link TraceStore.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #open(runId: string): Promise<OpenRun> {
    if (runId !== this.#lastId) {
      this.#lastId = runId;
      this.#lastRun = undefined;
    }
    let run = this.#runs.get(runId);
    if (run) this.#runs.delete(runId);
    else run = this.#create(runId);
    this.#runs.set(runId, run);
    if (this.#runs.size > MAX_OPEN_JOURNALS) this.#evictOldest();
    return run;
  }

  #evictOldest(): void {
    const [id, oldest] = this.#runs.entries().next().value as [string, Promise<OpenRun>];
    this.#runs.delete(id);
    oldest.then(closeRun).catch(() => {});
  }

  async #create(runId: string): Promise<OpenRun> {
    await (this.#ready ??= Deno.mkdir(this.dir, { recursive: true }));
    const path = tracePaths(this.dir, runId).journal;
    const file = await Deno.open(path, { append: true, create: true });
    const wantReset = this.#reset && !this.#started.has(runId);
    this.#started.add(runId);
    const reset = await lockJournal(file, wantReset);
    if (wantReset && !reset) {
      console.error(`[mirage] run '${runId}' is being written by another writer: appending to it`);
    }
    const seq = reset ? 0 : await resumeJournal(path, file);
    return { file, seq, timer: undefined, batch: undefined };
  }

  #armIdleFlush(runId: string, run: OpenRun): void {
    if (this.#idleFlushMs <= 0) return;
    clearTimeout(run.timer);
    run.timer = setTimeout(() => {
      run.timer = undefined;
      this.#reader.materialise(runId).catch((e) =>
        console.error(`[mirage] trace flush failed: ${e}`)
      );
    }, this.#idleFlushMs);
  }
}
