/**
 * The journal format: one JSON line per recorded event, appended with `O_APPEND` so that
 * several writers (processes or stores) lose nothing, under an OS file lock that tells a CI
 * reset whether another writer still holds the run.
 *
 * @module
 */

import type { PendingEvent } from "./event.ts";
import type { EventTiming } from "./timing.ts";

/**
 * One line of a journal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type JournalLine, journalLine } from "./journal.ts";
 * const line: JournalLine = {
 *   run_id: "r1",
 *   mode: "ci",
 *   event: { request: { method: "GET", path: "/v1/suppliers" }, outcome: "allowed", enforced: true, decisions: [], response: { status: 200 } },
 *   timing: { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 },
 * };
 * assert.deepEqual(JSON.parse(journalLine(line)), line);
 * ```
 */
export interface JournalLine {
  /** The run id as given (the file name is its sanitised form). */
  readonly run_id: string;
  /** `ci`, `enforce` or `passthrough`. */
  readonly mode: string;
  /** The event, numbered by its position in the journal. */
  readonly event: PendingEvent;
  /** Its timings, for the sidecar. */
  readonly timing: EventTiming;
}

const encoder = new TextEncoder();

/**
 * The text of one journal line: the line as JSON, and its newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine } from "./journal.ts";
 * const text = journalLine({
 *   run_id: "r1",
 *   mode: "ci",
 *   event: { request: { tool: "search" }, outcome: "allowed", enforced: true, decisions: [], response: {} },
 *   timing: { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 },
 * });
 * assert.ok(text.endsWith("}\n"));
 * assert.equal(text.indexOf("\n"), text.length - 1); // one line
 * ```
 */
export function journalLine(line: JournalLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** Writes all of `bytes` (a write may take fewer). */
function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
}

/**
 * Writes text whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeText } from "./journal.ts";
 * const dir = await Deno.makeTempDir();
 * const file = await Deno.open(`${dir}/r1.jsonl`, { append: true, create: true });
 * writeText(file, "{}\n");
 * file.close();
 * assert.equal(await Deno.readTextFile(`${dir}/r1.jsonl`), "{}\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function writeText(file: Deno.FsFile, text: string): void {
  writeAll(file, encoder.encode(text));
}

/**
 * One complete line of a journal as read: its byte range, and the line when it parses (a line
 * cut short by a killed writer, and later ended by the next writer, does not).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type JournalEntry, readJournal } from "./journal.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/r1.jsonl`, "{cut short\n");
 * const file = await Deno.open(`${dir}/r1.jsonl`);
 * const entries: JournalEntry[] = [];
 * for await (const lines of readJournal(file, 0, (await file.stat()).size)) entries.push(...lines);
 * file.close();
 * assert.deepEqual(entries, [{ line: undefined, start: 0, end: 11 }]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface JournalEntry {
  /** The parsed line, or `undefined` when it is not a journal line. */
  readonly line: JournalLine | undefined;
  /** Byte offset of the line's first byte. */
  readonly start: number;
  /** Byte offset just after its newline. */
  readonly end: number;
}

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;
const decoder = new TextDecoder();

function parseLine(bytes: Uint8Array): JournalLine | undefined {
  try {
    const line = JSON.parse(decoder.decode(bytes)) as JournalLine | null;
    return line !== null && typeof line === "object" && typeof line.event === "object" &&
        line.event !== null
      ? line
      : undefined;
  } catch {
    return undefined;
  }
}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Reads the complete lines of an open journal from byte `start` up to byte `end`, 64 KiB at a
 * time, and yields them a read at a time: never the whole text in memory, and every read goes
 * back to the event loop. A last line without its newline (a writer in the middle of it, or
 * killed) is not read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine, readJournal } from "./journal.ts";
 * const dir = await Deno.makeTempDir();
 * const event = { request: { tool: "search" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 };
 * const line = journalLine({ run_id: "r1", mode: "ci", event, timing });
 * await Deno.writeTextFile(`${dir}/r1.jsonl`, `${line}{"half": `); // a writer in the middle of a line
 * const file = await Deno.open(`${dir}/r1.jsonl`);
 * const outcomes: string[] = [];
 * for await (const lines of readJournal(file, 0, (await file.stat()).size)) {
 *   for (const entry of lines) outcomes.push(entry.line?.event.outcome ?? "not a line");
 * }
 * file.close();
 * assert.deepEqual(outcomes, ["allowed"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function* readJournal(
  file: Deno.FsFile,
  start: number,
  end: number,
): AsyncGenerator<JournalEntry[]> {
  await file.seek(start, Deno.SeekMode.Start);
  let at = start;
  let carry = new Uint8Array(0);
  const buf = new Uint8Array(CHUNK);
  while (at + carry.length < end) {
    const n = await file.read(buf.subarray(0, Math.min(CHUNK, end - at - carry.length)));
    if (n === null) return;
    const bytes = carry.length ? joinBytes(carry, buf.subarray(0, n)) : buf.subarray(0, n);
    const lines: JournalEntry[] = [];
    let from = 0;
    for (let nl = bytes.indexOf(NEWLINE); nl >= 0; nl = bytes.indexOf(NEWLINE, from)) {
      const text = bytes.subarray(from, nl);
      const entry = { start: at, end: at + nl - from + 1 };
      at = entry.end;
      from = nl + 1;
      if (text.length > 0) lines.push({ line: parseLine(text), ...entry });
    }
    carry = bytes.slice(from);
    if (lines.length) yield lines;
  }
}

/**
 * Counts the events of a journal this store appends to, and ends a line that a killed writer
 * cut short, so that the next line is not glued to it and lost with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine, resumeJournal } from "./journal.ts";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/r1.jsonl`;
 * const event = { request: { tool: "search" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 };
 * await Deno.writeTextFile(path, `${journalLine({ run_id: "r1", mode: "ci", event, timing })}{"killed`);
 * const file = await Deno.open(path, { append: true });
 * assert.equal(await resumeJournal(path, file), 1);
 * file.close();
 * assert.ok((await Deno.readTextFile(path)).endsWith('{"killed\n')); // ended, so the next line stands alone
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function resumeJournal(path: string, file: Deno.FsFile): Promise<number> {
  using reader = await Deno.open(path, { read: true });
  const size = (await reader.stat()).size;
  let events = 0;
  let complete = 0;
  for await (const lines of readJournal(reader, 0, size)) {
    for (const entry of lines) {
      complete = entry.end;
      if (entry.line) events++;
    }
  }
  if (complete < size) writeText(file, "\n");
  return events;
}

/**
 * Takes the journal's lock: exclusively for a reset, which truncates only when no other writer
 * (process or store) holds the journal; otherwise, and after the reset, shared. The OS drops the
 * lock with its holder, so a killed writer never blocks a later reset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockJournal } from "./journal.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/r1.jsonl`, "{}\n");
 * const file = await Deno.open(`${dir}/r1.jsonl`, { append: true });
 * assert.equal(await lockJournal(file, true), true); // no other writer: truncated
 * file.close();
 * assert.equal(await Deno.readTextFile(`${dir}/r1.jsonl`), "");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function lockJournal(file: Deno.FsFile, reset: boolean): Promise<boolean> {
  const alone = reset && await file.tryLock(true);
  if (alone) await file.truncate(0);
  await file.lock(false);
  return alone;
}
