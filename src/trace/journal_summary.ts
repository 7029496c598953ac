/**
 * What readers know of a journal, kept next to it in `.summaries/<run>.json`: the run's summary
 * and statistics (`run_stats.ts`: what the review console shows), how far into the journal it
 * counts (a byte offset that ends a line), a hash of the bytes before that offset, and where
 * every 1,000th event starts (so that a page of events is one seek away).
 *
 * Journals only grow, from several writers at once, so bringing a summary up to date reads
 * only the lines after its offset. Whether the journal is still the one summarised is checked,
 * not assumed: size, modification time and inode unchanged means nothing new; otherwise the
 * bytes before the offset must hash as they did, or the journal was reset (a new CI run) and is
 * read from its start. A line still being written (no newline yet) is left for next time; a
 * line a killed writer cut short is skipped when the next writer ends it. Summaries are written
 * atomically (a temporary file, then a rename) by whichever reader gets there; any of them is
 * correct, and a directory that cannot be written only means summaries stay in memory.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { readJournal } from "./journal.ts";
import { RunTally, type TallyState } from "./run_summary.ts";
import { RunStats, type StatsState } from "./run_stats.ts";
import type { TracePaths } from "./trace_paths.ts";

/**
 * Events between two page starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine } from "./journal.ts";
 * import { tracePaths } from "./trace_paths.ts";
 * import { PAGE_STEP, summariseJournal } from "./journal_summary.ts";
 * const dir = await Deno.makeTempDir();
 * const paths = tracePaths(dir, "r1");
 * const event = { request: { tool: "search" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 };
 * await Deno.writeTextFile(paths.journal, journalLine({ run_id: "r1", mode: "ci", event, timing }));
 * const summary = await summariseJournal(paths);
 * assert.equal(PAGE_STEP, 1000);
 * assert.deepEqual(summary?.pages, [0]); // event 0 starts at byte 0; event 1000 would start page 2
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export const PAGE_STEP = 1_000;

/** Bytes before the offset that are hashed to recognise the journal. */
const TAIL = 256;

/**
 * Where a journal stood when it was read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine } from "./journal.ts";
 * import { tracePaths } from "./trace_paths.ts";
 * import { type JournalMark, summariseJournal } from "./journal_summary.ts";
 * const dir = await Deno.makeTempDir();
 * const paths = tracePaths(dir, "r1");
 * const event = { request: { tool: "search" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 };
 * await Deno.writeTextFile(paths.journal, journalLine({ run_id: "r1", mode: "ci", event, timing }));
 * const mark: JournalMark | undefined = (await summariseJournal(paths))?.journal;
 * assert.equal(mark?.offset, (await Deno.stat(paths.journal)).size); // every line counted
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface JournalMark {
  /** Journal size when stat'ed. */
  readonly size: number;
  /** Its modification time (ms), when the platform gives one. */
  readonly mtime: number | null;
  /** Its inode, when the platform gives one. */
  readonly ino: number | null;
  /** Bytes read: every complete line before this offset is counted. */
  readonly offset: number;
  /** sha256 (hex) of the up to 256 bytes before `offset`. */
  readonly tail: string;
}

/** The format version; a summary of another version is not read (the journal is, again). */
const VERSION = 2;

/**
 * A stored summary of one journal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine } from "./journal.ts";
 * import { tracePaths } from "./trace_paths.ts";
 * import { type JournalSummary, summariseJournal } from "./journal_summary.ts";
 * const dir = await Deno.makeTempDir();
 * const paths = tracePaths(dir, "r1");
 * const event = { request: { tool: "search" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 };
 * await Deno.writeTextFile(paths.journal, journalLine({ run_id: "r1", mode: "ci", event, timing }));
 * const summary: JournalSummary | undefined = await summariseJournal(paths);
 * assert.equal(summary?.run_id, "r1");
 * assert.equal(summary?.tally.events, 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface JournalSummary {
  /** Format version. */
  readonly mirage_summary: typeof VERSION;
  /** The run id as given (from the journal's first line). */
  readonly run_id: string;
  /** The run's mode (from the journal's first line). */
  readonly mode: string;
  /** Where the journal stood. */
  readonly journal: JournalMark;
  /** The running summary. */
  readonly tally: TallyState;
  /** The running statistics. */
  readonly stats: StatsState;
  /** `pages[k]`: byte offset where event `k × 1,000` (from 0) starts. */
  readonly pages: readonly number[];
  /** The journal state the trace files were last written from. */
  readonly materialised?: { readonly offset: number; readonly tail: string };
}

async function hashBefore(file: Deno.FsFile, offset: number): Promise<string> {
  const from = Math.max(0, offset - TAIL);
  const bytes = new Uint8Array(offset - from);
  await file.seek(from, Deno.SeekMode.Start);
  let done = 0;
  while (done < bytes.length) {
    const n = await file.read(bytes.subarray(done));
    if (n === null) break;
    done += n;
  }
  return createHash("sha256").update(bytes.subarray(0, done)).digest("hex");
}

/** Reads a stored summary; `undefined` when missing or not one. */
async function readSummary(path: string): Promise<JournalSummary | undefined> {
  try {
    const s = JSON.parse(await Deno.readTextFile(path)) as JournalSummary;
    return s?.mirage_summary === VERSION && typeof s.journal?.offset === "number" ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores a summary atomically; false when the directory cannot be written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine } from "./journal.ts";
 * import { tracePaths } from "./trace_paths.ts";
 * import { summariseJournal, writeSummary } from "./journal_summary.ts";
 * const dir = await Deno.makeTempDir();
 * const paths = tracePaths(dir, "r1");
 * const event = { request: { tool: "search" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 };
 * await Deno.writeTextFile(paths.journal, journalLine({ run_id: "r1", mode: "ci", event, timing }));
 * const summary = await summariseJournal(paths);
 * assert.ok(summary);
 * assert.equal(await writeSummary(`${dir}/copy/r1.json`, summary), true);
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/copy/r1.json`)), summary);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSummary(path: string, summary: JournalSummary): Promise<boolean> {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(tmp, JSON.stringify(summary));
    await Deno.rename(tmp, path);
    return true;
  } catch {
    await Deno.remove(tmp).catch(() => {});
    return false;
  }
}

/**
 * Whether a journal stat'ed as `stat` is still where `mark` left it: nothing to read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine } from "./journal.ts";
 * import { tracePaths } from "./trace_paths.ts";
 * import { summariseJournal, unchanged } from "./journal_summary.ts";
 * const dir = await Deno.makeTempDir();
 * const paths = tracePaths(dir, "r1");
 * const event = { request: { tool: "search" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 };
 * await Deno.writeTextFile(paths.journal, journalLine({ run_id: "r1", mode: "ci", event, timing }));
 * const summary = await summariseJournal(paths);
 * assert.ok(summary);
 * assert.equal(unchanged(summary.journal, await Deno.stat(paths.journal)), true);
 * await Deno.writeTextFile(paths.journal, "{}\n", { append: true });
 * assert.equal(unchanged(summary.journal, await Deno.stat(paths.journal)), false);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function unchanged(mark: JournalMark, stat: Deno.FileInfo): boolean {
  return mark.size === stat.size && mark.mtime === (stat.mtime?.getTime() ?? null) &&
    mark.ino === (stat.ino ?? null);
}

/** Whether `prior` still describes the start of this journal. */
async function continues(file: Deno.FsFile, prior: JournalSummary, size: number) {
  const mark = prior.journal;
  return mark.offset <= size && await hashBefore(file, mark.offset) === mark.tail;
}

/**
 * Brings a run's summary up to date with its journal, reading only what is new; `undefined`
 * when the run has no journal. Stores the result when it changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine } from "./journal.ts";
 * import { tracePaths } from "./trace_paths.ts";
 * import { summariseJournal } from "./journal_summary.ts";
 * const dir = await Deno.makeTempDir();
 * const paths = tracePaths(dir, "r1");
 * const event = { request: { tool: "search" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 };
 * await Deno.writeTextFile(paths.journal, journalLine({ run_id: "r1", mode: "ci", event, timing }));
 * const first = await summariseJournal(paths);
 * assert.equal(first?.tally.events, 1);
 * await Deno.writeTextFile(paths.journal, journalLine({ run_id: "r1", mode: "ci", event, timing }), { append: true });
 * const second = await summariseJournal(paths, first); // reads only the new line
 * assert.equal(second?.tally.events, 2);
 * assert.equal(await summariseJournal(tracePaths(dir, "none")), undefined);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function summariseJournal(
  paths: TracePaths,
  known?: JournalSummary,
): Promise<JournalSummary | undefined> {
  let file: Deno.FsFile;
  try {
    const prior = known ?? await readSummary(paths.summary);
    if (prior && unchanged(prior.journal, await Deno.stat(paths.journal))) return prior;
    known = prior;
    file = await Deno.open(paths.journal, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  try {
    return await bringUpToDate(paths, file, known);
  } finally {
    file.close();
  }
}

async function bringUpToDate(
  paths: TracePaths,
  file: Deno.FsFile,
  known: JournalSummary | undefined,
): Promise<JournalSummary> {
  const stat = await file.stat();
  const prior = known;
  if (prior && unchanged(prior.journal, stat)) return prior;
  const resume = prior !== undefined && await continues(file, prior, stat.size);
  const base = resume ? prior : undefined;
  const tally = new RunTally(base?.tally);
  const stats = new RunStats(base?.stats);
  const pages = [...(base?.pages ?? [])];
  let runId = base?.run_id;
  let mode = base?.mode;
  let offset = base?.journal.offset ?? 0;
  for await (const lines of readJournal(file, offset, stat.size)) {
    for (const entry of lines) {
      offset = entry.end;
      const line = entry.line;
      if (!line) continue;
      if (tally.events % PAGE_STEP === 0) pages.push(entry.start);
      runId ??= line.run_id;
      mode ??= line.mode;
      tally.add(line.event, line.timing?.at);
      stats.add(line.event, line.timing);
    }
  }
  const summary: JournalSummary = {
    mirage_summary: VERSION,
    run_id: runId ?? "",
    mode: mode ?? "ci",
    journal: {
      size: stat.size,
      mtime: stat.mtime?.getTime() ?? null,
      ino: stat.ino ?? null,
      offset,
      tail: await hashBefore(file, offset),
    },
    tally: tally.state,
    stats: stats.state,
    pages,
    ...(base?.materialised ? { materialised: base.materialised } : {}),
  };
  await writeSummary(paths.summary, summary);
  return summary;
}
