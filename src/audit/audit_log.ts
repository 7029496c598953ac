/**
 * The audit log writer: one append-only file per process, a hash chain through every entry.
 *
 * The entries recorded in one turn of the event loop are hashed and written together, in one
 * `write(2)` of whole lines, once that turn is over; whoever recorded them waits for that write,
 * so a surface answers a request only after its entry reached the operating system. A killed
 * process (kill -9, OOM) therefore loses no answered decision; at worst it leaves a torn last
 * line, which is not an entry. `fdatasync` runs off the event loop every `syncIntervalMs` (and at
 * rotation and close), so a power loss or kernel crash loses at most that much.
 *
 * A write that fails keeps its entries and retries them, in order, into a new file that links to
 * the last complete entry; past `maxPending` waiting entries new ones are counted, and a `gap`
 * entry says how many were lost. Nothing here throws into the request path: problems go to
 * `onError`.
 *
 * @module
 */

import { join } from "node:path";
import { setImmediate } from "node:timers";
import type { AuditKey } from "./audit_key.ts";
import { auditFileName } from "./audit_files.ts";
import { ChainHasher } from "./chain_hash.ts";
import { type AuditedDecision, decisionDraft } from "./decision_entry.ts";
import { AUDIT_FORMAT, type EntryDraft } from "./entry.ts";
import { claimPredecessor, type Predecessor } from "./predecessor.ts";
import { writerHost } from "./writer_host.ts";

/**
 * Where and how a server writes its audit log.
 *
 * @example
 * ```ts
 * import type { AuditOptions } from "./audit_log.ts";
 * const o: AuditOptions = { dir: "artifacts/audit", actorHeader: "x-agent-id" };
 * ```
 */
export interface AuditOptions {
  /** The directory; created when missing. Replicas may share it: each writes its own files. */
  readonly dir: string;
  /** The request header whose value is each decision's `actor` (e.g. `x-agent-id`). */
  readonly actorHeader?: string;
  /** Makes the chain an HMAC-SHA256 chain. */
  readonly key?: AuditKey;
  /** Start a new file before a write would take the current one past this size; 64 MiB. */
  readonly rotateBytes?: number;
  /** Start a new file when the UTC day changes; true. */
  readonly rotateDaily?: boolean;
  /** How often written entries are flushed to the disk (`fdatasync`), in ms; 1000. */
  readonly syncIntervalMs?: number;
  /** Entries kept while writes fail; past it they are counted in a `gap` entry. 100,000. */
  readonly maxPending?: number;
  /** Wall-clock time; `() => new Date()`. */
  readonly clock?: () => Date;
  /** Where write problems are reported; stderr. */
  readonly onError?: (message: string) => void;
}

/**
 * What the server writing the log is.
 *
 * @example
 * ```ts
 * import type { AuditWriter } from "./audit_log.ts";
 * const w: AuditWriter = { surface: "gateway", mode: "enforce", policiesDigest: undefined };
 * ```
 */
export interface AuditWriter {
  /** `gateway` or `proxy`. */
  readonly surface: string;
  /** `enforce` or `passthrough`. */
  readonly mode: string;
  /** The digest of the policies in force at start (`PolicySet.digest`). */
  readonly policiesDigest: string | undefined;
}

const MIB = 1024 * 1024;
const RETRY_MS = 1000;
const encoder = new TextEncoder();

/** A write that failed after `written` bytes. */
class PartialWrite extends Error {
  constructor(readonly written: number, cause: unknown) {
    super((cause as Error).message ?? String(cause), { cause });
  }
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let done = 0;
  try {
    while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
  } catch (e) {
    throw new PartialWrite(done, e);
  }
}

/** A file being written. */
interface OpenFile {
  readonly handle: Deno.FsFile;
  readonly name: string;
  /** UTC day it was started, in days since the epoch. */
  readonly day: number;
  size: number;
  /** Entries written to it, its first included. */
  entries: number;
}

/** Hashed lines of a batch, and their bytes as written. */
interface Batch {
  readonly lines: string[];
  readonly hashes: string[];
  readonly bytes: Uint8Array;
}

const DAY_MS = 86_400_000;

function dayOf(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

/** How many whole lines of a batch are in its first `written` bytes. */
function wholeLines(batch: Batch, written: number): number {
  let whole = 0;
  for (let sum = 0; whole < batch.lines.length; whole++) {
    sum += encoder.encode(batch.lines[whole]).length;
    if (sum > written) break;
  }
  return whole;
}

/**
 * Appends decisions, reloads and its own start, rotation and stop to a hash-chained log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { exportAudit } from "./export.ts";
 * const dir = await Deno.makeTempDir();
 * const log = await AuditLog.open({ dir }, { surface: "gateway", mode: "enforce", policiesDigest: undefined });
 * await log.reload("SIGHUP", undefined);
 * await log.close();
 * let lines = "";
 * await exportAudit(dir, { write: (text) => { lines += text; } });
 * assert.deepEqual(lines.trim().split("\n").map((l) => JSON.parse(l).kind), ["start", "reload", "stop"]);
 * ```
 */
export class AuditLog {
  readonly #dir: string;
  readonly #hasher: ChainHasher;
  readonly #actorHeader: string | undefined;
  readonly #rotateBytes: number;
  readonly #rotateDaily: boolean;
  readonly #maxPending: number;
  readonly #clock: () => Date;
  readonly #onError: (message: string) => void;
  readonly #host: string;
  readonly #writer: string;
  readonly #syncTimer: ReturnType<typeof setInterval> | undefined;
  /** Closing old files and syncing, off the event loop. */
  readonly #background = new Set<Promise<void>>();
  #file: OpenFile | undefined;
  #name = "";
  /** The start stamp of the last file, in ms: the next one's is later, so names sort in order. */
  #lastStamp = 0;
  /** The last written entry. */
  #seq = 0;
  #head: string | null = null;
  /** The policies in force after the last written entry, and after the last queued one. */
  #written: string | null;
  #announced: string | null;
  #queue: EntryDraft[] = [];
  #lost = 0;
  #flushing: Promise<void> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #broken = false;
  #unsynced = false;
  #closed = false;

  private constructor(options: AuditOptions, writer: AuditWriter, hasher: ChainHasher) {
    this.#dir = options.dir;
    this.#hasher = hasher;
    this.#actorHeader = options.actorHeader?.toLowerCase();
    this.#rotateBytes = options.rotateBytes ?? 64 * MIB;
    this.#rotateDaily = options.rotateDaily ?? true;
    this.#maxPending = options.maxPending ?? 100_000;
    this.#clock = options.clock ?? (() => new Date());
    this.#onError = options.onError ?? ((m) => console.error(`[mirage] audit: ${m}`));
    this.#host = writerHost();
    this.#writer = `${this.#host}/${Deno.pid}`;
    this.#written = this.#announced = writer.policiesDigest ?? null;
    const syncMs = options.syncIntervalMs ?? 1000;
    if (syncMs > 0) {
      const timer = setInterval(() => this.#sync(), syncMs);
      Deno.unrefTimer(timer);
      this.#syncTimer = timer;
    }
  }

  /**
   * Opens a new file in `options.dir` — continuing the newest chain no live writer holds — and
   * writes its `start` entry. Throws `audit_key_mismatch` when the directory was written with
   * another key, and the file system's error when the directory cannot be written.
   */
  static async open(options: AuditOptions, writer: AuditWriter): Promise<AuditLog> {
    await Deno.mkdir(options.dir, { recursive: true });
    const hasher = new ChainHasher(options.key);
    const log = new AuditLog(options, writer, hasher);
    try {
      const before = await claimPredecessor(options.dir, hasher.keyId, log.#onError);
      try {
        log.#start(writer, before);
      } finally {
        before?.release();
      }
    } catch (e) {
      clearInterval(log.#syncTimer);
      throw e;
    }
    return log;
  }

  /** The path of the file written now (after close: the last one). */
  get path(): string {
    return join(this.#dir, this.#name);
  }

  /** The hash of the last entry written. */
  get head(): string | null {
    return this.#head;
  }

  /** Records one decision; resolves once it is written (or its failure reported). */
  decision(d: AuditedDecision): Promise<void> {
    return this.#append(decisionDraft(d, this.#actorHeader, this.#hasher));
  }

  /** Records that the policies were reloaded and now have `policiesDigest`. */
  reload(cause: string, policiesDigest: string | undefined): Promise<void> {
    const previous = this.#announced;
    this.#announced = policiesDigest ?? null;
    return this.#append({
      kind: "reload",
      time: this.#now(),
      cause,
      previous_digest: previous,
      policies_digest: this.#announced,
    });
  }

  /** Writes the `stop` entry, waits for every write, syncs and closes the file; once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#append({ kind: "stop", time: this.#now(), policies_digest: this.#announced });
    this.#closed = true;
    clearInterval(this.#syncTimer);
    clearTimeout(this.#retry);
    if (this.#queue.length > 0) {
      this.#onError(`${this.#queue.length} entries could not be written before closing`);
    }
    if (this.#file) this.#retire(this.#file);
    this.#file = undefined;
    await Promise.all(this.#background);
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  #append(draft: EntryDraft): Promise<void> {
    if (this.#closed) {
      this.#onError(`log closed: a ${draft.kind} entry was not written`);
      return Promise.resolve();
    }
    if (this.#lost > 0) {
      const gap = { kind: "gap", time: this.#now(), lost: this.#lost };
      this.#queue.push({ ...gap, policies_digest: this.#announced } as EntryDraft);
      this.#lost = 0;
    }
    this.#queue.push(draft);
    return this.#flushSoon();
  }

  /** Flushes after the current turn of the event loop, for everything queued by then. */
  #flushSoon(): Promise<void> {
    return this.#flushing ??= new Promise((resolve) => {
      setImmediate(() => {
        this.#flushing = undefined;
        this.#flush();
        resolve();
      });
    });
  }

  #start(writer: AuditWriter, before: Predecessor | undefined): void {
    if (before) {
      this.#seq = before.seq;
      this.#head = before.hash;
    }
    const now = this.#clock();
    const header = {
      kind: "start",
      time: now.toISOString(),
      surface: writer.surface,
      mode: writer.mode,
      policies_digest: this.#written,
    } as const;
    this.#openFile(now, before?.name ?? null, header);
  }

  /**
   * Creates the next file and writes its first entry (`start` or `rotate`) in it; on failure the
   * file is removed again, so that no file names a predecessor without continuing it.
   */
  #openFile(
    now: Date,
    prevFile: string | null,
    header: { kind: "start" | "rotate"; time: string; policies_digest: string | null },
  ): void {
    const { handle, name } = this.#createFile(now);
    const draft = {
      ...header,
      format: AUDIT_FORMAT,
      file: name,
      prev_file: prevFile,
      writer: this.#writer,
      key_id: this.#hasher.keyId,
    } as EntryDraft;
    const batch = this.#hash([draft]);
    try {
      handle.lockSync(true);
      writeAll(handle, batch.bytes);
    } catch (e) {
      handle.close();
      this.#remove(name);
      throw e;
    }
    if (this.#file) this.#retire(this.#file);
    this.#file = { handle, name, day: dayOf(now), size: batch.bytes.length, entries: 1 };
    this.#name = name;
    this.#commit([draft], batch);
    this.#broken = false;
  }

  #createFile(now: Date): { handle: Deno.FsFile; name: string } {
    this.#lastStamp = Math.max(now.getTime(), this.#lastStamp + 1);
    const stamp = new Date(this.#lastStamp);
    for (let attempt = 0;; attempt++) {
      const name = auditFileName(stamp, this.#host, Deno.pid, attempt);
      try {
        // Owner and group only: entries name actors, runs and paths.
        const options = { append: true, createNew: true, mode: 0o640 };
        const handle = Deno.openSync(join(this.#dir, name), options);
        return { handle, name };
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
    }
  }

  #remove(name: string): void {
    try {
      Deno.removeSync(join(this.#dir, name));
    } catch (e) {
      this.#onError(`cannot remove the unfinished ${name}: ${(e as Error).message}`);
    }
  }

  /** Syncs and closes a file that is no longer written, off the event loop. */
  #retire(file: OpenFile): void {
    const done = file.handle.syncData()
      .catch((e) => this.#onError(`cannot sync ${file.name}: ${(e as Error).message}`))
      .finally(() => {
        file.handle.close();
        this.#background.delete(done);
      });
    this.#background.add(done);
  }

  #sync(): void {
    if (!this.#unsynced || !this.#file) return;
    this.#unsynced = false;
    const file = this.#file;
    const done = file.handle.syncData()
      .catch((e) => this.#onError(`cannot sync ${file.name}: ${(e as Error).message}`))
      .finally(() => this.#background.delete(done));
    this.#background.add(done);
  }

  /** Hashes drafts into lines that follow the last written entry. */
  #hash(drafts: readonly EntryDraft[]): Batch {
    const lines: string[] = [];
    const hashes: string[] = [];
    let prev = this.#head;
    for (let i = 0; i < drafts.length; i++) {
      const fields = { ...drafts[i] as EntryDraft, seq: this.#seq + i + 1, prev };
      const { line, hash } = this.#hasher.line(fields);
      lines.push(line);
      hashes.push(hash);
      prev = hash;
    }
    return { lines, hashes, bytes: encoder.encode(lines.join("")) };
  }

  /** The lines of `drafts` (the start of `batch`) are on disk. */
  #commit(drafts: readonly EntryDraft[], batch: Batch): void {
    for (const draft of drafts) {
      if (draft.kind === "reload") this.#written = draft.policies_digest;
    }
    this.#seq += drafts.length;
    this.#head = batch.hashes[drafts.length - 1] ?? this.#head;
    this.#unsynced = true;
  }

  #rotation(now: Date): string | undefined {
    if (this.#broken || !this.#file) return "write_failed";
    if (this.#rotateDaily && dayOf(now) !== this.#file.day) return "day";
    return undefined;
  }

  #rotate(now: Date, reason: string): void {
    const header = { kind: "rotate", time: now.toISOString(), reason } as const;
    this.#openFile(now, this.#file?.name ?? null, { ...header, policies_digest: this.#written });
  }

  #flush(): void {
    if (this.#queue.length === 0 || this.#closed) return;
    try {
      const now = this.#clock();
      const reason = this.#rotation(now);
      if (reason) this.#rotate(now, reason);
      let batch = this.#hash(this.#queue);
      const file = this.#file as OpenFile;
      if (file.size + batch.bytes.length > this.#rotateBytes && file.entries > 1) {
        this.#rotate(now, "size");
        batch = this.#hash(this.#queue);
      }
      this.#write(batch);
    } catch (e) {
      this.#broken = true;
      this.#onError(`cannot write ${this.#queue.length} entries: ${(e as Error).message}`);
      this.#bound();
      this.#retry ??= setTimeout(() => {
        this.#retry = undefined;
        this.#flushSoon();
      }, RETRY_MS);
    }
  }

  /** Keeps at most `maxPending` entries waiting; the newest past it are counted as lost. */
  #bound(): void {
    for (const dropped of this.#queue.splice(this.#maxPending)) {
      this.#lost += dropped.kind === "gap" ? dropped.lost : 1;
    }
  }

  /** Writes a batch; on a partial write, keeps the whole lines that made it and throws. */
  #write(batch: Batch): void {
    const file = this.#file as OpenFile;
    try {
      writeAll(file.handle, batch.bytes);
    } catch (e) {
      const written = e instanceof PartialWrite ? e.written : 0;
      file.size += written;
      this.#settle(wholeLines(batch, written), batch);
      throw e;
    }
    file.size += batch.bytes.length;
    this.#settle(batch.lines.length, batch);
  }

  #settle(count: number, batch: Batch): void {
    if (count === 0) return;
    this.#commit(this.#queue.slice(0, count), batch);
    this.#queue = this.#queue.slice(count);
    (this.#file as OpenFile).entries += count;
  }
}

/**
 * Opens an audit log when `options` asks for one. When it cannot be opened, `release` frees what
 * the caller already holds (its state store, its traces) before the error is thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openAuditLog } from "./audit_log.ts";
 * const log = await openAuditLog(undefined, { surface: "proxy", mode: "enforce", policiesDigest: undefined }, async () => {});
 * assert.equal(log, undefined); // no audit asked for
 * ```
 */
export async function openAuditLog(
  options: AuditOptions | undefined,
  writer: AuditWriter,
  release: () => Promise<void>,
): Promise<AuditLog | undefined> {
  if (!options) return undefined;
  try {
    return await AuditLog.open(options, writer);
  } catch (e) {
    await release();
    throw e;
  }
}
