/**
 * The journal format: one JSON line per recorded event, appended with `O_APPEND` so that
 * several writers (processes or stores) lose nothing, under an OS file lock that tells a CI
 * reset whether another writer still holds the run.
 *
 * @module
 */

import type { PendingEvent } from "./event.ts";
import type { EventTiming } from "./timing.ts";

/** One line of a journal. */
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

/** The bytes of one journal line. */
export function journalLine(line: JournalLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** Writes all of `bytes` (a write may take fewer). */
export function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
}

/** Writes text whole. */
export function writeText(file: Deno.FsFile, text: string): void {
  writeAll(file, encoder.encode(text));
}

/**
 * One complete line of a journal as read: its byte range, and the line when it parses (a line
 * cut short by a killed writer, and later ended by the next writer, does not).
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
 * ```ts ignore
 * import { readJournal } from "./journal.ts";
 * using file = await Deno.open("artifacts/traces/r1.jsonl");
 * for await (const lines of readJournal(file, 0, (await file.stat()).size)) {
 *   for (const entry of lines) console.log(entry.line?.event.outcome);
 * }
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
 */
export async function lockJournal(file: Deno.FsFile, reset: boolean): Promise<boolean> {
  const alone = reset && await file.tryLock(true);
  if (alone) await file.truncate(0);
  await file.lock(false);
  return alone;
}
