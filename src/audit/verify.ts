/**
 * `mirage audit verify`: walks every chain of a directory and stops at the first entry that
 * fails, saying how — edited, deleted, inserted, reordered, rewritten, a policy digest that was
 * never in force, a file missing from a rotation, a missing or wrong key. What it cannot see:
 * entries removed from the end of a chain (nothing follows them to notice), unless the caller
 * gives a head hash recorded earlier (`expectHeads`), which must still be in the chain.
 *
 * @module
 */

import type { AuditKey } from "./audit_key.ts";
import { type AuditFile, type Chain, readAuditDir } from "./audit_dir.ts";
import { type CheckedLine, LineChecker, type ReadEntry } from "./line_check.ts";

/**
 * How a chain is broken.
 *
 * @example
 * ```ts
 * import type { FaultKind } from "./verify.ts";
 * const tampered: FaultKind[] = ["edited", "deleted", "inserted", "reordered", "rewritten"];
 * ```
 */
export type FaultKind =
  | "edited"
  | "deleted"
  | "inserted"
  | "reordered"
  | "rewritten"
  | "policy_digest"
  | "misplaced"
  | "renamed"
  | "missing_file"
  | "fork"
  | "key_missing"
  | "key_mismatch"
  | "unkeyed"
  | "anchor_missing"
  | "no_entries";

/**
 * The first thing that fails.
 *
 * @example
 * ```ts
 * import type { ChainFault } from "./verify.ts";
 * const f: ChainFault = { kind: "deleted", file: "audit-x.jsonl", line: 7, seq: 8, message: "entry seq 7 was deleted" };
 * ```
 */
export interface ChainFault {
  /** How it is broken. */
  readonly kind: FaultKind;
  /** The file, when the fault is in one. */
  readonly file: string | undefined;
  /** 1-based line in that file. */
  readonly line: number | undefined;
  /** The `seq` the failing line carries, if it carries one. */
  readonly seq: number | undefined;
  /** What is wrong, in a sentence. */
  readonly message: string;
}

/**
 * The last entry of a chain.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { verifyAudit } from "./verify.ts";
 * const dir = await Deno.makeTempDir();
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * const report = await verifyAudit(dir);
 * assert.equal(report.heads[0]?.stopped, true); // the log was closed
 * ```
 */
export interface ChainHead {
  /** Its hash: the value to anchor elsewhere. */
  readonly hash: string;
  /** Its `seq`. */
  readonly seq: number;
  /** The file it is in. */
  readonly file: string;
  /** Whether it is a `stop` entry (the writer stopped cleanly). */
  readonly stopped: boolean;
}

/**
 * What `verifyAudit` found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { verifyAudit } from "./verify.ts";
 * const dir = await Deno.makeTempDir();
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * const report = await verifyAudit(dir);
 * assert.deepEqual([report.ok, report.entries, report.files, report.fault], [true, 2, 1, undefined]);
 * ```
 */
export interface VerifyReport {
  /** True when every chain is intact and every expected head is in one. */
  readonly ok: boolean;
  /** Entries checked. */
  readonly entries: number;
  /** Files read. */
  readonly files: number;
  /** One per chain, when `ok`. */
  readonly heads: readonly ChainHead[];
  /** The first failure, when not `ok`. */
  readonly fault: ChainFault | undefined;
  /** What is not a fault but worth knowing (torn last lines, chains without a stop). */
  readonly notes: readonly string[];
}

/**
 * Options of {@link verifyAudit}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { verifyAudit } from "./verify.ts";
 * const dir = await Deno.makeTempDir();
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * const report = await verifyAudit(dir);
 * const head = report.heads[0]?.hash as string;
 * assert.equal((await verifyAudit(dir, { expectHeads: [head] })).ok, true);
 * assert.equal((await verifyAudit(dir, { expectHeads: ["sha256:0"] })).ok, false);
 * ```
 */
export interface VerifyOptions {
  /** The key of an HMAC chain. */
  readonly key?: AuditKey;
  /** Head hashes recorded earlier (`--expect-head`): each must still be in a chain. */
  readonly expectHeads?: readonly string[];
}

/** Where a chain stands after its last checked entry. */
interface State {
  seq: number;
  hash: string | null;
  /** The hash before the last entry's. */
  before: string | null;
  file: string | null;
  /** The policies in force, and every digest in force since the writer started. */
  inForce: unknown;
  known: Set<unknown>;
  writer: unknown;
  stopped: boolean;
}

interface Problem {
  readonly kind: FaultKind;
  readonly message: string;
  /** The line the problem is at, when not the one being read (0-based). */
  readonly at?: number;
}

const HEADER_KINDS: ReadonlySet<unknown> = new Set(["start", "rotate"]);

function entries(n: number): string {
  return n === 1 ? "1 entry" : `${n} entries`;
}

/** The rules of each kind: a problem, or `undefined` when the entry may stand where it is. */
function kindProblem(e: ReadEntry, i: number, s: State, name: string): Problem | undefined {
  const header = HEADER_KINDS.has(e.kind);
  if (header !== (i === 0)) {
    return header
      ? { kind: "inserted", message: `a ${e.kind} entry in the middle of a file` }
      : { kind: "misplaced", message: "a file must begin with a start or rotate entry" };
  }
  if (s.stopped && e.kind === "rotate") {
    return { kind: "misplaced", message: "a rotation continues a writer that had stopped" };
  }
  if (s.stopped && e.kind !== "start") {
    return { kind: "inserted", message: "an entry after the writer's stop entry" };
  }
  if (header && e.file !== name) {
    return { kind: "renamed", message: `the file names itself ${e.file}, not ${name}` };
  }
  return digestProblem(e, s);
}

function digestProblem(e: ReadEntry, s: State): Problem | undefined {
  const digest = e.policies_digest;
  switch (e.kind) {
    case "start":
      return undefined;
    case "rotate":
      if (s.file === null) {
        return {
          kind: "missing_file",
          message: "a rotation begins the chain: earlier files are gone",
        };
      }
      if (e.writer !== s.writer) {
        return { kind: "misplaced", message: `a rotation by ${e.writer} continues ${s.writer}` };
      }
      break;
    case "decision":
      if (s.known.has(digest)) return undefined;
      return {
        kind: "policy_digest",
        message: `its policies_digest ${digest} was never in force in this process`,
      };
    case "reload":
      if (e.previous_digest === s.inForce) return undefined;
      return {
        kind: "policy_digest",
        message: `it reloads from ${e.previous_digest}, but ${s.inForce} was in force`,
      };
    case "gap":
    case "stop":
      break;
    default:
      return { kind: "edited", message: `unknown kind ${JSON.stringify(e.kind)}` };
  }
  if (digest === s.inForce) return undefined;
  return {
    kind: "policy_digest",
    message: `its policies_digest ${digest} is not the one in force (${s.inForce})`,
  };
}

function advance(e: ReadEntry, s: State, name: string): void {
  s.before = s.hash;
  s.seq = e.seq as number;
  s.hash = e.hash as string;
  s.file = name;
  if (e.kind === "start") {
    s.known = new Set();
    s.writer = e.writer;
    s.stopped = false;
  }
  if (e.kind === "start" || e.kind === "reload") {
    s.inForce = e.policies_digest;
    s.known.add(e.policies_digest);
  }
  if (e.kind === "stop") s.stopped = true;
}

/** Reads one file's lines against the chain state. */
class FileWalk {
  readonly #file: AuditFile;
  readonly #checker: LineChecker;
  readonly #key: AuditKey | undefined;
  readonly #checked: CheckedLine[] = [];
  readonly #state: State;

  constructor(file: AuditFile, checker: LineChecker, key: AuditKey | undefined, state: State) {
    this.#file = file;
    this.#checker = checker;
    this.#key = key;
    this.#state = state;
  }

  at(i: number): CheckedLine | undefined {
    if (i >= this.#file.lines.length) return undefined;
    return this.#checked[i] ??= this.#checker.check(this.#file.lines[i] as string);
  }

  /** The problem of line `i`, or `undefined` once it is part of the chain. */
  step(i: number): Problem | undefined {
    const c = this.at(i) as CheckedLine;
    const e = c.entry;
    if (!e) return { kind: "edited", message: `it is not JSON` };
    const keyProblem = this.#keyProblem(c, e);
    if (keyProblem) return keyProblem;
    const s = this.#state;
    const linked = e.prev === s.hash && e.seq === s.seq + 1;
    if (!c.intact || !linked) return this.#classify(i, c, e);
    const problem = kindProblem(e, i, s, this.#file.name);
    if (problem) return problem;
    advance(e, s, this.#file.name);
    return undefined;
  }

  #keyProblem(c: CheckedLine, e: ReadEntry): Problem | undefined {
    if (c.algorithm === "hmac-sha256" && !this.#key) {
      return {
        kind: "key_missing",
        message: "it is an HMAC entry: set MIRAGE_AUDIT_KEY to verify",
      };
    }
    if (c.algorithm === "sha256" && this.#key) {
      return {
        kind: "unkeyed",
        message: "it has a plain hash, but MIRAGE_AUDIT_KEY is set: written without the key, " +
          "or rewritten by someone who does not have it",
      };
    }
    if (this.#key && HEADER_KINDS.has(e.kind) && e.key_id !== this.#key.id) {
      return {
        kind: "key_mismatch",
        message: `it was written with key id ${e.key_id}; MIRAGE_AUDIT_KEY has id ${this.#key.id}`,
      };
    }
    return undefined;
  }

  /** Says how a line that does not fit got there. */
  #classify(i: number, c: CheckedLine, e: ReadEntry): Problem {
    const s = this.#state;
    const next = this.at(i + 1);
    const n = next?.entry;
    if (n && next?.intact && e.prev === n.hash && n.prev === s.hash) {
      return { kind: "reordered", message: `it is swapped with the next line (seq ${n.seq})` };
    }
    if (n && n.prev === s.hash && n.seq === s.seq + 1) {
      return { kind: "inserted", message: `it was inserted: the next line follows seq ${s.seq}` };
    }
    if (!c.intact) {
      const digest = digestProblem(e, s);
      if (digest?.kind === "policy_digest") return digest;
      return { kind: "edited", message: `it was edited: ${c.problem}` };
    }
    const seq = typeof e.seq === "number" ? e.seq : NaN;
    if (seq > s.seq + 1) return this.#gap(i, seq);
    if (seq === s.seq + 1) {
      return {
        kind: "rewritten",
        message: `it does not link to seq ${s.seq}: one of the two was rewritten with a new hash`,
      };
    }
    if (i > 0 && seq === s.seq && e.prev === s.before && (!n || n.prev === e.hash)) {
      const message = `it was inserted: the line after it takes the same place (seq ${seq}) ` +
        "and the chain goes on from that one";
      return { kind: "inserted", message, at: i - 1 };
    }
    return { kind: "inserted", message: `its seq ${e.seq} does not follow seq ${s.seq}` };
  }

  /** Entries are missing before line `i`, unless the next one is further on. */
  #gap(i: number, seq: number): Problem {
    const s = this.#state;
    for (let j = i + 1; j < this.#file.lines.length; j++) {
      const later = this.at(j)?.entry;
      if (later?.seq === s.seq + 1 && later.prev === s.hash) {
        return { kind: "reordered", message: `seq ${s.seq + 1} comes later, at line ${j + 1}` };
      }
    }
    const missing = seq - s.seq - 1;
    const range = missing === 1 ? `seq ${s.seq + 1}` : `seq ${s.seq + 1}–${seq - 1}`;
    if (i === 0 && s.file !== null) {
      return {
        kind: "deleted",
        message: `${entries(missing)} (${range}) deleted from the end of ${s.file}`,
      };
    }
    return { kind: "deleted", message: `${entries(missing)} (${range}) deleted before it` };
  }
}

function initialState(): State {
  return {
    seq: 0,
    hash: null,
    before: null,
    file: null,
    inForce: null,
    known: new Set(),
    writer: null,
    stopped: false,
  };
}

function seqOf(line: string | undefined): number | undefined {
  try {
    const seq = JSON.parse(line ?? "").seq;
    return typeof seq === "number" ? seq : undefined;
  } catch {
    return undefined;
  }
}

interface Walked {
  readonly fault?: ChainFault;
  readonly head?: ChainHead;
  readonly entries: number;
}

function walkChain(
  chain: Chain,
  checker: LineChecker,
  key: AuditKey | undefined,
  anchors: Set<string>,
): Walked {
  const first = chain.files[0] as AuditFile;
  if (chain.broken) {
    const { kind, message } = chain.broken;
    return {
      fault: { kind, file: first.name, line: 1, seq: seqOf(first.lines[0]), message },
      entries: 0,
    };
  }
  const state = initialState();
  let count = 0;
  for (const file of chain.files) {
    const walk = new FileWalk(file, checker, key, state);
    for (let i = 0; i < file.lines.length; i++) {
      const problem = walk.step(i);
      if (problem) {
        const { at = i, kind, message } = problem;
        const seq = walk.at(at)?.entry?.seq;
        const where = {
          file: file.name,
          line: at + 1,
          seq: typeof seq === "number" ? seq : undefined,
        };
        return { fault: { kind, message, ...where }, entries: count - (i - at) };
      }
      count++;
      anchors.delete(state.hash as string);
    }
  }
  const last = chain.files[chain.files.length - 1] as AuditFile;
  const head = {
    hash: state.hash as string,
    seq: state.seq,
    file: last.name,
    stopped: state.stopped,
  };
  return { head, entries: count };
}

function notesOf(files: readonly AuditFile[], empty: readonly string[]): string[] {
  const notes: string[] = [];
  for (const f of files) {
    if (f.tornBytes > 0) {
      notes.push(
        `${f.name} ends with ${f.tornBytes} bytes after its last complete line ` +
          "(a write cut short): not an entry",
      );
    }
  }
  for (const name of empty) notes.push(`${name} has no complete line: not part of any chain`);
  return notes;
}

function report(
  partial: Omit<VerifyReport, "ok" | "fault" | "heads">,
  fault: ChainFault | undefined,
  heads: readonly ChainHead[],
): VerifyReport {
  return { ...partial, ok: fault === undefined, fault, heads: fault ? [] : heads };
}

/**
 * Verifies every chain of an audit directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyAudit } from "./verify.ts";
 * const r = await verifyAudit(await Deno.makeTempDir());
 * assert.equal(r.ok, false); // an empty directory is no proof
 * assert.equal(r.fault?.kind, "no_entries");
 * ```
 */
export async function verifyAudit(dir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { chains, empty } = await readAuditDir(dir);
  const files = chains.flatMap((c) => c.files);
  const partial = { entries: 0, files: files.length, notes: notesOf(files, empty) };
  if (files.length === 0) {
    const message = `no audit entries in ${dir}`;
    return report(partial, {
      kind: "no_entries",
      file: undefined,
      line: undefined,
      seq: undefined,
      message,
    }, []);
  }
  const checker = new LineChecker(options.key);
  const anchors = new Set(options.expectHeads ?? []);
  const heads: ChainHead[] = [];
  for (const chain of chains) {
    const walked = walkChain(chain, checker, options.key, anchors);
    partial.entries += walked.entries;
    if (walked.fault) return report(partial, walked.fault, heads);
    heads.push(walked.head as ChainHead);
  }
  const [missing] = anchors;
  if (missing !== undefined) {
    const message = `the expected head ${missing} is in no chain: entries were removed from ` +
      "the end (or it was recorded for another directory or key)";
    return report(partial, {
      kind: "anchor_missing",
      file: undefined,
      line: undefined,
      seq: undefined,
      message,
    }, heads);
  }
  for (const h of heads.filter((h) => !h.stopped)) {
    partial.notes.push(
      `the chain ending in ${h.file} has no stop entry: its writer is running or was killed, ` +
        "or entries were removed from its end",
    );
  }
  return report(partial, undefined, heads);
}
