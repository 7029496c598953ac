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
function isAuditFile(name: string): boolean {
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

/**
 * The audit files of a directory, sorted by name (start time); none when it does not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { auditFileName, listAuditFiles } from "./audit_files.ts";
 * const dir = await Deno.makeTempDir();
 * const later = auditFileName(new Date("2026-11-24T10:00:00.000Z"), "gw", 7);
 * const earlier = auditFileName(new Date("2026-11-24T09:00:00.000Z"), "gw", 7);
 * for (const name of [later, earlier, "notes.txt"]) await Deno.writeTextFile(`${dir}/${name}`, "");
 * assert.deepEqual(await listAuditFiles(dir), [earlier, later]); // other files are left out
 * assert.deepEqual(await listAuditFiles(`${dir}/missing`), []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
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

/**
 * A file split into its complete lines (without newlines) and the length of a torn tail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FileLines, readAuditFile } from "./audit_files.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.jsonl`, '{"seq":1}\n{"seq":2}\n{"se');
 * const read: FileLines = await readAuditFile(dir, "a.jsonl");
 * assert.deepEqual(read, { lines: ['{"seq":1}', '{"seq":2}'], tornBytes: 4 });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface FileLines {
  readonly lines: readonly string[];
  /** Bytes after the last newline. */
  readonly tornBytes: number;
}

const decoder = new TextDecoder();

/** Splits a file's bytes into complete lines and a torn tail. */
function splitLines(bytes: Uint8Array): FileLines {
  const end = bytes.lastIndexOf(0x0a) + 1;
  const text = decoder.decode(bytes.subarray(0, end));
  const lines = end === 0 ? [] : text.slice(0, -1).split("\n");
  return { lines, tornBytes: bytes.length - end };
}

/**
 * Reads a whole audit file; throws `MirageError` code `audit_io` when it cannot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAuditFile } from "./audit_files.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.jsonl`, '{"seq":1}\n');
 * assert.deepEqual((await readAuditFile(dir, "a.jsonl")).lines, ['{"seq":1}']);
 * await assert.rejects(readAuditFile(dir, "b.jsonl"), { code: "audit_io" });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
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

/**
 * The first complete line of an open file, or `undefined` when it has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstLine } from "./audit_files.ts";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/a.jsonl`;
 * await Deno.writeTextFile(path, '{"seq":1}\n{"seq":2}\n');
 * {
 *   using file = await Deno.open(path);
 *   assert.equal(await firstLine(file), '{"seq":1}');
 * }
 * await Deno.writeTextFile(path, '{"seq":1'); // torn: no complete line
 * {
 *   using file = await Deno.open(path);
 *   assert.equal(await firstLine(file), undefined);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
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

/**
 * The last complete line of an open file (a torn tail skipped), or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastLine } from "./audit_files.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.jsonl`, '{"seq":1}\n{"seq":2}\n{"seq":3');
 * {
 *   using file = await Deno.open(`${dir}/a.jsonl`);
 *   assert.equal(await lastLine(file), '{"seq":2}'); // the torn third entry is skipped
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
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
