/**
 * Which chain a starting process continues. A directory holds one chain per writer that ran at
 * the same time as another; a file no other file continues is a chain's head. A live writer holds
 * an exclusive lock on its current file (the OS drops it with the process, also on kill -9), so a
 * starting process takes the newest head it can lock: that writer stopped or crashed, and the new
 * file goes on from its last complete entry. With none free, it starts a new chain. Holding the
 * lock until the new file has its first entry keeps two starting processes from continuing the
 * same head.
 *
 * @module
 */

import { join } from "node:path";
import { MirageError } from "../errors.ts";
import { firstLine, lastLine, listAuditFiles } from "./audit_files.ts";

/**
 * The entry a new file links to, and the locked file it ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { claimPredecessor, type Predecessor } from "./predecessor.ts";
 * const dir = await Deno.makeTempDir();
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * const before: Predecessor | undefined = await claimPredecessor(dir, null, () => {});
 * assert.equal(before?.seq, 2); // the stop entry after the start entry
 * before?.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface Predecessor {
  /** The file's name. */
  readonly name: string;
  /** Its last complete entry's `seq`. */
  readonly seq: number;
  /** Its last complete entry's `hash`. */
  readonly hash: string;
  /** Unlocks and closes the file, once the new file links to it. */
  release(): void;
}

interface Header {
  readonly prevFile: string | null;
  readonly keyId: string | null;
}

function parse(line: string | undefined): Record<string, unknown> | undefined {
  if (line === undefined) return undefined;
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

async function headerOf(path: string): Promise<Header | undefined> {
  using file = await Deno.open(path, { read: true });
  const h = parse(await firstLine(file));
  if (!h || (h.kind !== "start" && h.kind !== "rotate")) return undefined;
  return {
    prevFile: typeof h.prev_file === "string" ? h.prev_file : null,
    keyId: typeof h.key_id === "string" ? h.key_id : null,
  };
}

function keyName(id: string | null): string {
  return id === null ? "without a key" : `with key id ${id}`;
}

/** Reads the headers of the files not read yet; throws when one was written with another key. */
async function readHeaders(
  dir: string,
  keyId: string | null,
  known: Map<string, Header | undefined>,
): Promise<void> {
  for (const name of await listAuditFiles(dir)) {
    if (known.has(name)) continue;
    const header = await headerOf(join(dir, name)).catch(() => undefined);
    known.set(name, header);
    if (header && header.keyId !== keyId) {
      throw new MirageError(
        "audit_key_mismatch",
        `audit directory ${dir} holds ${name}, written ${keyName(header.keyId)}; this process ` +
          `writes ${keyName(keyId)}: a new key (or none) needs a new directory`,
      );
    }
  }
}

function continued(headers: Map<string, Header | undefined>): Set<string> {
  const out = new Set<string>();
  for (const h of headers.values()) if (h?.prevFile) out.add(h.prevFile);
  return out;
}

/** Reads the last complete entry of a locked head; `undefined` when it has none readable. */
async function lastEntryOf(file: Deno.FsFile, name: string): Promise<Predecessor | undefined> {
  const last = parse(await lastLine(file));
  if (!last || typeof last.hash !== "string" || typeof last.seq !== "number") return undefined;
  return { name, seq: last.seq, hash: last.hash, release: () => file.close() };
}

/** Claims a locked head: its last entry, unless another process continued it meanwhile. */
async function claim(
  dir: string,
  name: string,
  file: Deno.FsFile,
  keyId: string | null,
  headers: Map<string, Header | undefined>,
  warn: (message: string) => void,
): Promise<Predecessor | undefined> {
  // Another process may have continued this head between the listing and the lock.
  await readHeaders(dir, keyId, headers);
  if (continued(headers).has(name)) return undefined;
  const claimed = await lastEntryOf(file, name);
  if (!claimed) warn(`${name} has no readable last entry: not continued`);
  return claimed;
}

/**
 * Locks the newest head of `dir` that no live writer holds and returns its last entry, or
 * `undefined` to start a new chain. Throws `audit_key_mismatch` when the directory was written
 * with another key (or without one while `keyId` is set, or the other way round).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { claimPredecessor } from "./predecessor.ts";
 * const dir = await Deno.makeTempDir();
 * assert.equal(await claimPredecessor(dir, null, () => {}), undefined); // empty: a new chain
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * const before = await claimPredecessor(dir, null, () => {});
 * assert.match(before?.hash ?? "", /^sha256:/);
 * before?.release();
 * await assert.rejects(claimPredecessor(dir, "k1", () => {}), { code: "audit_key_mismatch" });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function claimPredecessor(
  dir: string,
  keyId: string | null,
  warn: (message: string) => void,
): Promise<Predecessor | undefined> {
  const headers = new Map<string, Header | undefined>();
  await readHeaders(dir, keyId, headers);
  const taken = continued(headers);
  const heads = [...headers.keys()].filter((n) => headers.get(n) && !taken.has(n)).reverse();
  for (const name of heads) {
    const file = await Deno.open(join(dir, name), { read: true });
    let claimed: Predecessor | undefined;
    try {
      if (await file.tryLock(true)) claimed = await claim(dir, name, file, keyId, headers, warn);
    } finally {
      if (!claimed) file.close();
    }
    if (claimed) return claimed;
  }
  return undefined;
}
