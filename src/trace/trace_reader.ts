/**
 * Reading a trace directory at any size: the runs there with their summaries (newest first,
 * paged, filtered), a run's events a page at a time, a run's new events as they are recorded,
 * and the run's trace files, materialised from the journal only when it changed.
 *
 * Every read streams the journal (`journal.ts`) and starts from the run's stored summary
 * (`journal_summary.ts`), so that a call reads only what was appended since the last one: the
 * directory's size costs a `stat` per run, not a read of every event. A {@link TraceReader}
 * also remembers summaries between calls; the free functions make a reader for one call.
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import type { Outcome } from "../engine/outcome.ts";
import type { TraceEvent } from "./event.ts";
import { readJournal } from "./journal.ts";
import {
  type JournalSummary,
  PAGE_STEP,
  summariseJournal,
  writeSummary,
} from "./journal_summary.ts";
import { RunTally } from "./run_summary.ts";
import type { Trace } from "./trace.ts";
import { type TraceHead, writeTraceFiles } from "./trace_files.ts";
import { type TracePaths, tracePaths } from "./trace_paths.ts";

/**
 * One run, as listings show it.
 *
 * @example
 * ```ts
 * import type { RunInfo } from "@mirage/core";
 * const r: RunInfo = {
 *   run_id: "r1", mode: "ci", outcome: "allowed", side_effect_count: 0, events: 1,
 *   counts: { allowed: 1, flagged: 0, policy_violation: 0, unmatched_route: 0, error: 0 },
 *   trace: "artifacts/traces/r1.json",
 * };
 * ```
 */
export interface RunInfo extends TraceHead {
  /** Number of events. */
  events: number;
  /** Wall-clock time of the first event, when the journal has it. */
  first_at?: string;
  /** Wall-clock time of the last event, when the journal has it. */
  last_at?: string;
  /** Path of the trace file. */
  trace: string;
}

/**
 * Which runs to list: newest first (by last event), `limit` of them from `offset`.
 *
 * @example
 * ```ts
 * import type { RunQuery } from "@mirage/core";
 * const q: RunQuery = { offset: 0, limit: 50, outcome: "policy_violation" };
 * ```
 */
export interface RunQuery {
  /** Runs to skip; default 0. */
  readonly offset?: number;
  /** Runs to return; default 100. */
  readonly limit?: number;
  /** Only runs with this outcome. */
  readonly outcome?: Outcome | undefined;
  /** Only runs in this mode (`ci`, `enforce`, `passthrough`). */
  readonly mode?: string | undefined;
}

/**
 * A page of runs.
 *
 * @example
 * ```ts
 * import type { RunPage } from "@mirage/core";
 * const p: RunPage = { runs: [], total: 0, offset: 0, limit: 100 };
 * ```
 */
export interface RunPage {
  /** The runs of the page, newest first. */
  runs: RunInfo[];
  /** Runs that match the query, over every page. */
  total: number;
  /** The page's first run, among those that match. */
  offset: number;
  /** The page size asked. */
  limit: number;
}

/**
 * A page of one run's events.
 *
 * @example
 * ```ts
 * import type { EventPage } from "@mirage/core";
 * const p: EventPage = { events: [], offset: 0, limit: 100, next_offset: null };
 * ```
 */
export interface EventPage {
  /** The events, in order, each with its `seq` (its 1-based position in the run). */
  events: TraceEvent[];
  /** Events skipped before the page. */
  offset: number;
  /** The page size asked. */
  limit: number;
  /** Where the next page starts; `null` on the last page. */
  next_offset: number | null;
}

/**
 * Options of {@link TraceReader.follow}.
 *
 * @example
 * ```ts
 * import type { FollowOptions } from "@mirage/core";
 * const o: FollowOptions = { from: 0, intervalMs: 250 };
 * ```
 */
export interface FollowOptions {
  /** Events to skip first; default: every event recorded so far (only new ones come). */
  readonly from?: number;
  /** How often to look for new lines, in ms; default 250. */
  readonly intervalMs?: number;
  /** Ends the iteration. */
  readonly signal?: AbortSignal;
}

/** Runs read at once while listing: enough to overlap the reads, not enough to hog descriptors. */
const PARALLEL = 16;

function infoOf(dir: string, runId: string, s: JournalSummary): RunInfo {
  const tally = new RunTally(s.tally);
  const info: RunInfo = {
    run_id: s.run_id || runId,
    mode: s.mode,
    ...tally.summary(),
    events: s.tally.events,
    trace: tracePaths(dir, runId).trace,
  };
  if (s.tally.first_at !== undefined) info.first_at = s.tally.first_at;
  if (s.tally.last_at !== undefined) info.last_at = s.tally.last_at;
  return info;
}

function headOf(info: RunInfo): TraceHead {
  const head: TraceHead = {
    run_id: info.run_id,
    mode: info.mode,
    outcome: info.outcome,
    side_effect_count: info.side_effect_count,
    counts: info.counts,
  };
  if (info.policy !== undefined) (head as { policy?: string }).policy = info.policy;
  return head;
}

async function readJson<T>(path: string, what: string): Promise<T | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new MirageError("trace_io", `cannot read ${what}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** A run with no journal, only a trace file (copied from elsewhere, or older than journals). */
async function traceFileInfo(path: string, runId: string): Promise<RunInfo | undefined> {
  const trace = await readJson<Trace>(path, `trace '${runId}'`);
  if (!trace) return undefined;
  const info: RunInfo = {
    run_id: trace.run_id,
    mode: trace.mode,
    outcome: trace.outcome,
    side_effect_count: trace.side_effect_count,
    counts: trace.counts,
    events: trace.events.length,
    trace: path,
  };
  if (trace.policy !== undefined) info.policy = trace.policy;
  return info;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Where to start reading a run's events to reach event `from` (0-based; default: the end). */
function startOf(s: JournalSummary | undefined, from: number | undefined) {
  if (!s) return { seq: 0, offset: 0, skip: from ?? 0 };
  if (from === undefined) return { seq: s.tally.events, offset: s.journal.offset, skip: 0 };
  const page = Math.min(Math.floor(from / PAGE_STEP), s.pages.length - 1);
  if (page < 0) return { seq: 0, offset: s.journal.offset, skip: from };
  return { seq: page * PAGE_STEP, offset: s.pages[page] as number, skip: from };
}

function newestFirst(a: RunInfo, b: RunInfo): number {
  const at = (b.last_at ?? "").localeCompare(a.last_at ?? "");
  return at !== 0 ? at : a.run_id.localeCompare(b.run_id);
}

/**
 * Reads one trace directory, remembering what it read between calls. The API a review console
 * builds on.
 *
 * @example
 * ```ts
 * import { TraceReader } from "@mirage/core";
 * const reader = new TraceReader("artifacts/traces");
 * const { runs, total } = await reader.list({ limit: 20, outcome: "policy_violation" });
 * for (const run of runs) console.log(run.run_id, run.events, run.last_at);
 * if (runs[0]) {
 *   const page = await reader.events(runs[0].run_id, { offset: 0, limit: 50 });
 *   console.log(page?.events.map((e) => e.outcome), total);
 * }
 * ```
 */
export class TraceReader {
  /** The directory. */
  readonly dir: string;
  readonly #known = new Map<string, JournalSummary>();
  /** Runs known from their trace file alone, with the file's size and mtime when read. */
  readonly #fileOnly = new Map<string, { size: number; mtime: number | null; info: RunInfo }>();
  readonly #reading = new Map<string, Promise<JournalSummary | undefined>>();

  /** A reader of `dir`. */
  constructor(dir: string) {
    this.dir = dir;
  }

  /** The run ids that have traces here, sorted (file names: sanitised ids). */
  runIds(): Promise<string[]> {
    return listRuns(this.dir);
  }

  /** One run's summary; `undefined` when there is no such run. */
  async run(runId: string): Promise<RunInfo | undefined> {
    const s = await this.#summary(runId);
    return s ? infoOf(this.dir, runId, s) : await this.#fromTraceFile(runId);
  }

  /** A page of runs, newest first. */
  async list(query: RunQuery = {}): Promise<RunPage> {
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.max(0, query.limit ?? 100);
    const ids = await this.runIds();
    const infos: RunInfo[] = [];
    for (let i = 0; i < ids.length; i += PARALLEL) {
      const batch = await Promise.all(ids.slice(i, i + PARALLEL).map((id) => this.run(id)));
      for (const info of batch) {
        if (!info) continue;
        if (query.outcome !== undefined && info.outcome !== query.outcome) continue;
        if (query.mode !== undefined && info.mode !== query.mode) continue;
        infos.push(info);
      }
    }
    infos.sort(newestFirst);
    return { runs: infos.slice(offset, offset + limit), total: infos.length, offset, limit };
  }

  /** A page of one run's events; `undefined` when there is no such run. */
  async events(
    runId: string,
    page: { readonly offset?: number; readonly limit?: number } = {},
  ): Promise<EventPage | undefined> {
    const offset = Math.max(0, page.offset ?? 0);
    const limit = Math.max(0, page.limit ?? 100);
    const s = await this.#summary(runId);
    if (!s) return await this.#traceFilePage(runId, offset, limit);
    const events: TraceEvent[] = [];
    if (limit > 0 && offset < s.tally.events) {
      for await (const batch of this.#eventsFrom(runId, s, offset)) {
        events.push(...batch.slice(0, limit - events.length));
        if (events.length === limit) break;
      }
    }
    const next = offset + events.length;
    return { events, offset, limit, next_offset: next < s.tally.events ? next : null };
  }

  /**
   * Every event of a run, in order, streamed a read of the journal at a time (64 KiB of lines);
   * nothing when there is no such run.
   */
  async *eventBatches(runId: string): AsyncGenerator<TraceEvent[]> {
    const s = await this.#summary(runId);
    if (s) {
      yield* this.#eventsFrom(runId, s, 0);
      return;
    }
    const trace = await readJson<Trace>(tracePaths(this.dir, runId).trace, `trace '${runId}'`);
    if (trace) yield trace.events;
  }

  /** Every event of a run, in order, streamed; nothing when there is no such run. */
  async *eachEvent(runId: string): AsyncGenerator<TraceEvent> {
    for await (const batch of this.eventBatches(runId)) yield* batch;
  }

  /**
   * A run's events as they are recorded, until `signal` aborts. A journal reset (a new CI run
   * under the same id) starts again from its first event.
   *
   * @example
   * ```ts ignore
   * import { TraceReader } from "@mirage/core";
   * const stop = new AbortController();
   * for await (const event of new TraceReader("artifacts/traces").follow("r1", { signal: stop.signal })) {
   *   console.log(event.seq, event.outcome);
   * }
   * ```
   */
  async *follow(runId: string, options: FollowOptions = {}): AsyncGenerator<TraceEvent> {
    const { signal } = options;
    const journal = tracePaths(this.dir, runId).journal;
    const s = await this.#summary(runId);
    let { seq, offset, skip } = startOf(s, options.from);
    while (!signal?.aborted) {
      const size = await Deno.stat(journal).then((s) => s.size, () => 0);
      if (size < offset) seq = offset = skip = 0;
      if (size > offset) {
        const file = await Deno.open(journal, { read: true });
        try {
          for await (const lines of readJournal(file, offset, size)) {
            for (const entry of lines) {
              offset = entry.end;
              if (!entry.line) continue;
              if (++seq > skip) yield { seq, ...entry.line.event };
              if (signal?.aborted) return;
            }
          }
        } finally {
          file.close();
        }
      }
      await pause(options.intervalMs ?? 250, signal);
    }
  }

  /**
   * Writes the run's `<run>.json` and `<run>.timing.json` from its journal, unless they were
   * written from the journal as it is now; returns the run's summary (`undefined` when the run
   * has no journal).
   */
  async materialise(runId: string): Promise<RunInfo | undefined> {
    const s = await this.#summary(runId);
    if (!s) return undefined;
    const info = infoOf(this.dir, runId, s);
    const paths = tracePaths(this.dir, runId);
    const mark = s.journal;
    const done = s.materialised;
    if (done?.offset === mark.offset && done.tail === mark.tail && await exists(paths.trace)) {
      return info;
    }
    await writeTraceFiles(paths, mark.offset, headOf(info));
    const updated: JournalSummary = {
      ...s,
      materialised: { offset: mark.offset, tail: mark.tail },
    };
    this.#known.set(runId, updated);
    await writeSummary(paths.summary, updated);
    return info;
  }

  /** The run's summary, brought up to date; one read at a time per run. */
  #summary(runId: string): Promise<JournalSummary | undefined> {
    let reading = this.#reading.get(runId);
    if (!reading) {
      const paths: TracePaths = tracePaths(this.dir, runId);
      reading = summariseJournal(paths, this.#known.get(runId)).then((s) => {
        if (s) this.#known.set(runId, s);
        else this.#known.delete(runId);
        return s;
      }).finally(() => this.#reading.delete(runId));
      this.#reading.set(runId, reading);
    }
    return reading;
  }

  async *#eventsFrom(
    runId: string,
    s: JournalSummary,
    from: number,
  ): AsyncGenerator<TraceEvent[]> {
    const start = startOf(s, from);
    if (start.offset >= s.journal.offset) return;
    let seq = start.seq;
    const file = await Deno.open(tracePaths(this.dir, runId).journal, { read: true });
    try {
      for await (const lines of readJournal(file, start.offset, s.journal.offset)) {
        const events: TraceEvent[] = [];
        for (const entry of lines) {
          if (entry.line && ++seq > from) events.push({ seq, ...entry.line.event });
        }
        if (events.length) yield events;
      }
    } finally {
      file.close();
    }
  }

  async #fromTraceFile(runId: string): Promise<RunInfo | undefined> {
    const path = tracePaths(this.dir, runId).trace;
    const stat = await Deno.stat(path).catch(() => undefined);
    if (!stat) return undefined;
    const mtime = stat.mtime?.getTime() ?? null;
    const known = this.#fileOnly.get(runId);
    if (known?.size === stat.size && known.mtime === mtime) return known.info;
    const info = await traceFileInfo(path, runId);
    if (info) this.#fileOnly.set(runId, { size: stat.size, mtime, info });
    return info;
  }

  async #traceFilePage(runId: string, offset: number, limit: number) {
    const trace = await readJson<Trace>(tracePaths(this.dir, runId).trace, `trace '${runId}'`);
    if (!trace) return undefined;
    const events = trace.events.slice(offset, offset + limit);
    const next = offset + events.length;
    return { events, offset, limit, next_offset: next < trace.events.length ? next : null };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a run's `<run>.json` and `<run>.timing.json` from its journal when it changed since
 * they were written, and returns the run's summary; `undefined` when the run has no journal.
 *
 * @example
 * ```ts
 * import { materialiseTrace } from "@mirage/core";
 * const run = await materialiseTrace("artifacts/traces", "procurement");
 * console.log(run?.outcome);
 * ```
 */
export function materialiseTrace(dir: string, runId: string): Promise<RunInfo | undefined> {
  return new TraceReader(dir).materialise(runId);
}

/**
 * Reads a run's whole trace, materialising it from the journal first so that nothing recorded
 * is missed; `undefined` when the run does not exist. The whole trace is in memory: for large
 * runs, page through {@link TraceReader.events} instead.
 *
 * @example
 * ```ts
 * import { readTrace } from "@mirage/core";
 * const t = await readTrace("artifacts/traces", "procurement");
 * ```
 */
export async function readTrace(dir: string, runId: string): Promise<Trace | undefined> {
  await materialiseTrace(dir, runId);
  return await readJson<Trace>(tracePaths(dir, runId).trace, `trace '${runId}'`);
}

const RUN_FILE = /^(.+?)\.jsonl?$/;
const SIDECAR = /\.timing\.json$/;

/**
 * The run ids that have traces in a directory (a journal or a trace file), sorted.
 *
 * @example
 * ```ts
 * import { listRuns } from "@mirage/core";
 * console.log(await listRuns("artifacts/traces"));
 * ```
 */
export async function listRuns(dir: string): Promise<string[]> {
  const ids = new Set<string>();
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || SIDECAR.test(entry.name)) continue;
      const m = RUN_FILE.exec(entry.name);
      if (m) ids.add(m[1] as string);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return [...ids].sort();
}
