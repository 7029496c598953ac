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
  unchanged,
  writeSummary,
} from "./journal_summary.ts";
import { RunStats, type StatsState } from "./run_stats.ts";
import { RunTally } from "./run_summary.ts";
import type { EventTiming } from "./timing.ts";
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
 * Which runs: every condition given must hold.
 *
 * @example
 * ```ts
 * import type { RunFilter } from "@mirage/core";
 * const f: RunFilter = { mode: "enforce", policy: "enforce_bid_limit", search: "nightly" };
 * ```
 */
export interface RunFilter {
  /** Only runs with this outcome. */
  readonly outcome?: Outcome | undefined;
  /** Only runs in this mode (`ci`, `enforce`, `passthrough`). */
  readonly mode?: string | undefined;
  /** Only runs whose outcome this policy decided. */
  readonly policy?: string | undefined;
  /** Only runs whose id contains this text (case-insensitive). */
  readonly search?: string | undefined;
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
export interface RunQuery extends RunFilter {
  /** Runs to skip; default 0. */
  readonly offset?: number;
  /** Runs to return; default 100. */
  readonly limit?: number;
}

/**
 * A run with its statistics, as {@link TraceReader.scan} gives it.
 *
 * @example
 * ```ts
 * import { type RunEntry, RunStats } from "@mirage/core";
 * const e: RunEntry = {
 *   info: {
 *     run_id: "r1", mode: "ci", outcome: "allowed", side_effect_count: 0, events: 0,
 *     counts: { allowed: 0, flagged: 0, policy_violation: 0, unmatched_route: 0, error: 0 },
 *     trace: "artifacts/traces/r1.json",
 *   },
 *   stats: new RunStats().state,
 * };
 * ```
 */
export interface RunEntry {
  /** The run's summary. */
  readonly info: RunInfo;
  /** Its rules, routes, tools, containment, latencies and timeline. */
  readonly stats: StatsState;
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
  /** Each event's timings (in the same order), when asked for; `null` where none was kept. */
  timings?: (EventTiming | null)[];
}

/**
 * Which events {@link TraceReader.events} gives.
 *
 * @example
 * ```ts
 * import type { EventQuery } from "@mirage/core";
 * const q: EventQuery = { offset: 100, limit: 100, timings: true };
 * ```
 */
export interface EventQuery {
  /** Events to skip; default 0. */
  readonly offset?: number;
  /** Events to give; default 100. */
  readonly limit?: number;
  /** Add each event's timings (`EventPage.timings`). */
  readonly timings?: boolean;
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

/**
 * Options of {@link TraceReader.followAll}.
 *
 * @example
 * ```ts
 * import type { FollowAllOptions } from "@mirage/core";
 * const stop = new AbortController();
 * const o: FollowAllOptions = { signal: stop.signal, ready: () => console.log("following") };
 * ```
 */
export interface FollowAllOptions {
  /** Ends the iteration. */
  readonly signal?: AbortSignal;
  /** Called once what is already recorded has been passed over: later events all come. */
  readonly ready?: () => void;
}

/**
 * An event of any run, as {@link TraceReader.followAll} gives it.
 *
 * @example
 * ```ts
 * import type { FollowedEvent } from "@mirage/core";
 * const f: FollowedEvent = {
 *   runId: "r1", mode: "enforce",
 *   event: { seq: 1, request: { tool: "t" }, outcome: "allowed", enforced: true, decisions: [], response: {} },
 * };
 * ```
 */
export interface FollowedEvent {
  /** The run id as given. */
  readonly runId: string;
  /** The run's mode. */
  readonly mode: string;
  /** The event, with its `seq`. */
  readonly event: TraceEvent;
  /** Its timings, when the journal has them. */
  readonly timing?: EventTiming | undefined;
}

/** How far a follower has read a journal: events seen, bytes read, events to pass over. */
interface Position {
  seq: number;
  offset: number;
  skip: number;
}

/** A journal's file name in a change notice: its sanitised run id. */
const JOURNAL_NAME = /([^/\\]+)\.jsonl$/;

/**
 * The lines appended to a journal since `position`, which it moves on; a journal that shrank
 * (reset) is read again from its start.
 */
async function* readNewLines(
  journal: string,
  position: Position,
  signal: AbortSignal | undefined,
): AsyncGenerator<{ runId: string; mode: string; event: TraceEvent; timing: EventTiming }> {
  const size = await Deno.stat(journal).then((s) => s.size, () => 0);
  if (size < position.offset) position.seq = position.offset = position.skip = 0;
  if (size <= position.offset) return;
  const file = await Deno.open(journal, { read: true });
  try {
    for await (const lines of readJournal(file, position.offset, size)) {
      for (const { line, end } of lines) {
        position.offset = end;
        if (!line) continue;
        if (++position.seq > position.skip) {
          const event = { seq: position.seq, ...line.event };
          yield { runId: line.run_id, mode: line.mode, event, timing: line.timing };
        }
        if (signal?.aborted) return;
      }
    }
  } finally {
    file.close();
  }
}

/** Runs read at once while listing: enough to overlap the reads, not enough to hog descriptors. */
const PARALLEL = 16;

/**
 * How long (ms) a listing checks runs with synchronous `stat`s before it lets the event loop
 * turn: a `stat` takes microseconds, an asynchronous one costs a thread hop each, so 10,000
 * unchanged runs take tens of milliseconds, in slices that keep a server answering.
 */
const SLICE_MS = 10;

/**
 * A directory listing is reused while the directory's mtime is unchanged and was already this
 * old (ms) when the listing was taken: a file created in the same clock tick as a listing
 * does not leave the mtime changed.
 */
const RACY_MS = 1_000;

/** How often a live view looks for a trace directory that does not exist yet. */
const DIRECTORY_POLL_MS = 250;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Whether a run passes a filter, as {@link TraceReader.scan} tells.
 *
 * @example
 * ```ts
 * import { runFilter } from "./trace_reader.ts";
 * const failing = runFilter({ outcome: "policy_violation" });
 * ```
 */
export function runFilter(filter: RunFilter): (entry: RunEntry) => boolean {
  const search = filter.search?.toLowerCase();
  return ({ info }) =>
    (filter.outcome === undefined || info.outcome === filter.outcome) &&
    (filter.mode === undefined || info.mode === filter.mode) &&
    (filter.policy === undefined || info.policy === filter.policy) &&
    (!search || info.run_id.toLowerCase().includes(search));
}

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

/** An event read from a journal, with its timings. */
interface TimedEvent {
  readonly event: TraceEvent;
  readonly timing: EventTiming | undefined;
}

/** The timings of a trace file's sidecar, by event position; none when it is missing or bad. */
async function sidecarTimings(paths: TracePaths): Promise<EventTiming[]> {
  const sidecar = await readJson<{ events?: EventTiming[] }>(paths.timing, "timings")
    .catch(() => undefined);
  return Array.isArray(sidecar?.events) ? sidecar.events : [];
}

/** The statistics of a trace file's events, with the sidecar's timings when it has them. */
async function traceFileStats(paths: TracePaths, trace: Trace): Promise<StatsState> {
  const timings = await sidecarTimings(paths);
  const stats = new RunStats();
  trace.events.forEach((event, i) => stats.add(event, timings[i]));
  return stats.state;
}

/** A run with no journal, only a trace file (copied from elsewhere, or older than journals). */
async function traceFileEntry(paths: TracePaths, runId: string): Promise<RunEntry | undefined> {
  const path = paths.trace;
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
  return { info, stats: await traceFileStats(paths, trace) };
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

/** By last event, newest first (ISO times compare as text), then by run id. */
function newestFirst({ info: a }: RunEntry, { info: b }: RunEntry): number {
  const x = a.last_at ?? "";
  const y = b.last_at ?? "";
  if (x !== y) return x < y ? 1 : -1;
  return a.run_id.localeCompare(b.run_id);
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
  /** Entries built from the summaries in `#known`, while they stay the same summary. */
  readonly #entries = new Map<
    string,
    { summary: JournalSummary; entry: RunEntry; journal: string }
  >();
  /** Runs known from their trace file alone, with the file's size and mtime when read. */
  readonly #fileOnly = new Map<string, { size: number; mtime: number | null; entry: RunEntry }>();
  readonly #reading = new Map<string, Promise<JournalSummary | undefined>>();
  #listing: { mtime: number; listedAt: number; ids: string[] } | undefined;

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
    return (await this.#entry(runId))?.info;
  }

  /** A page of runs, newest first. */
  async list(query: RunQuery = {}): Promise<RunPage> {
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.max(0, query.limit ?? 100);
    const runs = await this.scan(query);
    return {
      runs: runs.slice(offset, offset + limit).map((e) => e.info),
      total: runs.length,
      offset,
      limit,
    };
  }

  /**
   * Every run that matches `filter`, with its statistics, newest first: what an overview adds
   * up. Unchanged runs cost a `stat` each; only what was appended since the last call is read.
   *
   * @example
   * ```ts
   * import { TraceReader } from "@mirage/core";
   * const entries = await new TraceReader("artifacts/traces").scan({ mode: "enforce" });
   * const contained = entries.reduce((n, e) => n + e.stats.contained, 0);
   * console.log(entries.length, contained);
   * ```
   */
  async scan(filter: RunFilter = {}): Promise<RunEntry[]> {
    const ids = await this.#listedIds();
    const entries: RunEntry[] = [];
    const stale: string[] = [];
    let slice = performance.now();
    for (const id of ids) {
      const entry = this.#unchanged(id);
      if (entry) entries.push(entry);
      else stale.push(id);
      if (performance.now() - slice > SLICE_MS) {
        await nextTurn();
        slice = performance.now();
      }
    }
    for (let i = 0; i < stale.length; i += PARALLEL) {
      const batch = await Promise.all(stale.slice(i, i + PARALLEL).map((id) => this.#entry(id)));
      for (const entry of batch) if (entry) entries.push(entry);
    }
    return entries.filter(runFilter(filter)).sort(newestFirst);
  }

  /**
   * The digest of the run's trace file when that file was written from the journal as it is
   * now (or the run has only a trace file); `undefined` otherwise. Reads the file's head only.
   */
  async digest(runId: string): Promise<string | undefined> {
    const paths = tracePaths(this.dir, runId);
    const s = await this.#summary(runId);
    const done = s?.materialised;
    if (s && (done?.offset !== s.journal.offset || done.tail !== s.journal.tail)) return undefined;
    return await digestOf(paths.trace);
  }

  /** A page of one run's events; `undefined` when there is no such run. */
  async events(runId: string, page: EventQuery = {}): Promise<EventPage | undefined> {
    const offset = Math.max(0, page.offset ?? 0);
    const limit = Math.max(0, page.limit ?? 100);
    const s = await this.#summary(runId);
    if (!s) return await this.#traceFilePage(runId, offset, limit, page.timings ?? false);
    const timed: TimedEvent[] = [];
    if (limit > 0 && offset < s.tally.events) {
      for await (const batch of this.#linesFrom(runId, s, offset)) {
        timed.push(...batch.slice(0, limit - timed.length));
        if (timed.length === limit) break;
      }
    }
    const next = offset + timed.length;
    const result: EventPage = {
      events: timed.map((t) => t.event),
      offset,
      limit,
      next_offset: next < s.tally.events ? next : null,
    };
    if (page.timings) result.timings = timed.map((t) => t.timing ?? null);
    return result;
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
    const at = startOf(await this.#summary(runId), options.from);
    const position: Position = { seq: at.seq, offset: at.offset, skip: at.skip };
    while (!signal?.aborted) {
      for await (const line of readNewLines(journal, position, signal)) yield line.event;
      await pause(options.intervalMs ?? 250, signal);
    }
  }

  /**
   * The events of every run here as they are recorded, until `signal` aborts: what a live view
   * of a whole directory shows. Watches the directory (no polling), so a quiet directory costs
   * nothing; a run that appears later is followed from its first event.
   *
   * @example
   * ```ts ignore
   * import { TraceReader } from "@mirage/core";
   * const stop = new AbortController();
   * for await (const { runId, event } of new TraceReader("artifacts/traces").followAll({ signal: stop.signal })) {
   *   console.log(runId, event.seq, event.outcome);
   * }
   * ```
   */
  async *followAll(options: FollowAllOptions = {}): AsyncGenerator<FollowedEvent> {
    const { signal } = options;
    if (!await this.#untilDirectory(signal)) return;
    // Watching starts before the baseline is read, so that nothing appended in between is lost.
    const watcher = Deno.watchFs(this.dir, { recursive: false });
    const stop = () => watcher.close();
    signal?.addEventListener("abort", stop, { once: true });
    try {
      await this.scan();
      const positions = new Map<string, Position>();
      for (const [id, s] of this.#known) {
        positions.set(id, { seq: s.tally.events, offset: s.journal.offset, skip: 0 });
      }
      options.ready?.();
      for await (const change of watcher) {
        for (const path of new Set(change.paths)) {
          const id = JOURNAL_NAME.exec(path)?.[1];
          if (id === undefined || change.kind === "remove") continue;
          let position = positions.get(id);
          if (!position) positions.set(id, position = { seq: 0, offset: 0, skip: 0 });
          const journal = tracePaths(this.dir, id).journal;
          for await (const line of readNewLines(journal, position, signal)) {
            yield { runId: line.runId, mode: line.mode, event: line.event, timing: line.timing };
          }
        }
      }
    } finally {
      signal?.removeEventListener("abort", stop);
      try {
        watcher.close();
      } catch { /* closed on abort */ }
    }
  }

  /**
   * Waits until the directory exists (a server that has not written its first trace yet), as
   * a reader: it is never created here. False when `signal` aborts first.
   */
  async #untilDirectory(signal: AbortSignal | undefined): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      try {
        if ((await Deno.stat(this.dir)).isDirectory) return true;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      await pause(DIRECTORY_POLL_MS, signal);
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

  /** The run with its statistics, brought up to date; `undefined` when there is no such run. */
  async #entry(runId: string): Promise<RunEntry | undefined> {
    const s = await this.#summary(runId);
    return s ? this.#entryOf(runId, s) : await this.#fromTraceFile(runId);
  }

  #entryOf(runId: string, summary: JournalSummary): RunEntry {
    const known = this.#entries.get(runId);
    if (known?.summary === summary) return known.entry;
    const entry = { info: infoOf(this.dir, runId, summary), stats: summary.stats };
    const journal = known?.journal ?? tracePaths(this.dir, runId).journal;
    this.#entries.set(runId, { summary, entry, journal });
    return entry;
  }

  /** The run's entry when a synchronous `stat` shows its journal as last read; else undefined. */
  #unchanged(runId: string): RunEntry | undefined {
    const known = this.#entries.get(runId);
    const s = this.#known.get(runId);
    if (!known || known.summary !== s || this.#reading.has(runId)) return undefined;
    try {
      return unchanged(s.journal, Deno.statSync(known.journal)) ? known.entry : undefined;
    } catch {
      return undefined;
    }
  }

  /** The directory's run ids, listed again only when the directory changed. */
  async #listedIds(): Promise<string[]> {
    const mtime = (await Deno.stat(this.dir).catch(() => undefined))?.mtime?.getTime();
    const known = this.#listing;
    if (mtime !== undefined && known?.mtime === mtime && known.listedAt - mtime > RACY_MS) {
      return known.ids;
    }
    const listedAt = Date.now();
    const ids = await listRuns(this.dir);
    this.#listing = mtime === undefined ? undefined : { mtime, listedAt, ids };
    return ids;
  }

  /** The run's summary, brought up to date; one read at a time per run. */
  #summary(runId: string): Promise<JournalSummary | undefined> {
    let reading = this.#reading.get(runId);
    if (!reading) {
      const paths: TracePaths = tracePaths(this.dir, runId);
      reading = summariseJournal(paths, this.#known.get(runId)).then((s) => {
        if (s) this.#known.set(runId, s);
        else {
          this.#known.delete(runId);
          this.#entries.delete(runId);
        }
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
    for await (const batch of this.#linesFrom(runId, s, from)) yield batch.map((t) => t.event);
  }

  async *#linesFrom(
    runId: string,
    s: JournalSummary,
    from: number,
  ): AsyncGenerator<TimedEvent[]> {
    const start = startOf(s, from);
    if (start.offset >= s.journal.offset) return;
    let seq = start.seq;
    const file = await Deno.open(tracePaths(this.dir, runId).journal, { read: true });
    try {
      for await (const lines of readJournal(file, start.offset, s.journal.offset)) {
        const timed: TimedEvent[] = [];
        for (const { line } of lines) {
          if (line && ++seq > from) {
            timed.push({ event: { seq, ...line.event }, timing: line.timing });
          }
        }
        if (timed.length) yield timed;
      }
    } finally {
      file.close();
    }
  }

  async #fromTraceFile(runId: string): Promise<RunEntry | undefined> {
    const paths = tracePaths(this.dir, runId);
    const stat = await Deno.stat(paths.trace).catch(() => undefined);
    if (!stat) return undefined;
    const mtime = stat.mtime?.getTime() ?? null;
    const known = this.#fileOnly.get(runId);
    if (known?.size === stat.size && known.mtime === mtime) return known.entry;
    const entry = await traceFileEntry(paths, runId);
    if (entry) this.#fileOnly.set(runId, { size: stat.size, mtime, entry });
    return entry;
  }

  async #traceFilePage(
    runId: string,
    offset: number,
    limit: number,
    withTimings: boolean,
  ): Promise<EventPage | undefined> {
    const paths = tracePaths(this.dir, runId);
    const trace = await readJson<Trace>(paths.trace, `trace '${runId}'`);
    if (!trace) return undefined;
    const events = trace.events.slice(offset, offset + limit);
    const next = offset + events.length;
    const page: EventPage = {
      events,
      offset,
      limit,
      next_offset: next < trace.events.length ? next : null,
    };
    if (withTimings) {
      const timings = await sidecarTimings(paths);
      page.timings = events.map((_, i) => timings[offset + i] ?? null);
    }
    return page;
  }
}

/** The digest a trace file names near its start (keys are sorted: `counts`, then `digest`). */
async function digestOf(path: string): Promise<string | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return undefined;
  }
  try {
    const head = new Uint8Array(4096);
    const n = await file.read(head) ?? 0;
    const m = /"digest": ?"(sha256:[0-9a-f]{64})"/.exec(
      new TextDecoder().decode(head.subarray(0, n)),
    );
    return m?.[1];
  } finally {
    file.close();
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
