/**
 * Audit files on disk: `audit-<UTC start stamp>-<host>-<pid>.jsonl`, so that replicas and
 * restarts never share a file and names sort by start time. A line counts only once its newline
 * is written: bytes after the last newline are a torn line (a write cut short by a killed
 * process), never an entry.
 *
 * @module
 */

import { join } from "node:path";
import { MirageError } from "../errors.ts";

const NAME = /^audit-\d{8}T\d{6}\.\d{3}Z-.+\.jsonl$/;

/** Whether a directory entry is an audit file. */
export function isAuditFile(name: string): boolean {
  return NAME.test(name);
}

/** `20261124T041418.123Z`. */
function stampOf(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "");
}

/** A file-safe host name. */
function safeHost(host: string): string {
  return host.replace(/[^A-Za-z0-9.]/g, "_").replace(/^\.+/, "_").slice(0, 64) || "host";
}

/**
 * The name of a file started at `date` by `host`/`pid`; `attempt` > 0 tells apart same-ms files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { auditFileName } from "./audit_files.ts";
 * const name = auditFileName(new Date("2026-11-24T09:15:02.114Z"), "gw-1", 41);
 * assert.equal(name, "audit-20261124T091502.114Z-gw_1-41.jsonl"); // the host's `-` becomes `_`
 * ```
 */
export function auditFileName(date: Date, host: string, pid: number, attempt = 0): string {
  const suffix = attempt > 0 ? `-${attempt}` : "";
  return `audit-${stampOf(date)}-${safeHost(host)}-${pid}${suffix}.jsonl`;
}

/** The audit files of a directory, sorted by name (start time); none when it does not exist. */
export async function listAuditFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && isAuditFile(entry.name)) names.push(entry.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw new MirageError(
      "audit_io",
      `cannot read audit directory ${dir}: ${(e as Error).message}`,
    );
  }
  return names.sort();
}

/** A file split into its complete lines (without newlines) and the length of a torn tail. */
export interface FileLines {
  readonly lines: readonly string[];
  /** Bytes after the last newline. */
  readonly tornBytes: number;
}

const decoder = new TextDecoder();

/** Splits a file's bytes into complete lines and a torn tail. */
export function splitLines(bytes: Uint8Array): FileLines {
  const end = bytes.lastIndexOf(0x0a) + 1;
  const text = decoder.decode(bytes.subarray(0, end));
  const lines = end === 0 ? [] : text.slice(0, -1).split("\n");
  return { lines, tornBytes: bytes.length - end };
}

/** Reads a whole audit file. */
export async function readAuditFile(dir: string, name: string): Promise<FileLines> {
  try {
    return splitLines(await Deno.readFile(join(dir, name)));
  } catch (e) {
    throw new MirageError("audit_io", `cannot read ${join(dir, name)}: ${(e as Error).message}`);
  }
}

/** Bytes read at a time from either end of a file: far more than one entry. */
const WINDOW = 64 * 1024;

async function readAt(file: Deno.FsFile, offset: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let done = 0;
  while (done < length) {
    const n = await file.read(buffer.subarray(done));
    if (n === null) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

/** The first complete line of an open file, or `undefined` when it has none. */
export async function firstLine(file: Deno.FsFile): Promise<string | undefined> {
  const size = (await file.stat()).size;
  for (let length = Math.min(WINDOW, size); length > 0; length = Math.min(length * 4, size)) {
    const head = await readAt(file, 0, length);
    const end = head.indexOf(0x0a);
    if (end >= 0) return decoder.decode(head.subarray(0, end));
    if (length === size) return undefined;
  }
  return undefined;
}

/** The last complete line of an open file (a torn tail skipped), or `undefined`. */
export async function lastLine(file: Deno.FsFile): Promise<string | undefined> {
  const size = (await file.stat()).size;
  for (let length = Math.min(WINDOW, size); length > 0; length = Math.min(length * 4, size)) {
    const tail = await readAt(file, size - length, length);
    const end = tail.lastIndexOf(0x0a);
    if (end < 0) {
      if (length === size) return undefined;
      continue;
    }
    const start = tail.lastIndexOf(0x0a, end - 1) + 1;
    if (start > 0 || length === size) return decoder.decode(tail.subarray(start, end));
  }
  return undefined;
}
