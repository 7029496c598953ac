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
 * The lines of a journal's text. A line cut short by a killed process is skipped: the lines
 * before and after it still count.
 *
 * @example
 * ```ts
 * import { parseJournal } from "./journal.ts";
 * console.log(parseJournal('{"run_id":"r"\n{"run_id":"r","mode":"ci"}\n').length); // 1
 * ```
 */
export function parseJournal(text: string): JournalLine[] {
  const lines: JournalLine[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      lines.push(JSON.parse(line) as JournalLine);
    } catch {
      continue;
    }
  }
  return lines;
}

/**
 * Counts the events of a journal this store appends to, and ends a line that a killed writer
 * cut short, so that the next line is not glued to it and lost with it.
 */
export async function resumeJournal(path: string, file: Deno.FsFile): Promise<number> {
  const text = await Deno.readTextFile(path);
  if (text !== "" && !text.endsWith("\n")) writeText(file, "\n");
  return parseJournal(text).length;
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
