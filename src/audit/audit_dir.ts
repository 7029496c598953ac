/**
 * An audit directory read back: its files, put in chain order. A file's first entry (`start` or
 * `rotate`) names the file it continues (`prev_file`); a file that names none begins a chain.
 * Chains come in the order of their first file's name (start time); what cannot be put in a chain
 * — a file that continues a missing or empty one, two files that continue the same one, a loop —
 * comes as a chain of its own with the problem at its first entry.
 *
 * @module
 */

import { type FileLines, listAuditFiles, readAuditFile } from "./audit_files.ts";

/**
 * One audit file, read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { type AuditFile, readAuditDir } from "./audit_dir.ts";
 * const dir = await Deno.makeTempDir();
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * const file: AuditFile | undefined = (await readAuditDir(dir)).chains[0]?.files[0];
 * assert.deepEqual([file?.lines.length, file?.tornBytes, file?.prevFile], [2, 0, null]); // start, stop
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface AuditFile extends FileLines {
  /** The file's name in the directory. */
  readonly name: string;
  /** The `prev_file` of its first entry; `null` when it names none or cannot be read. */
  readonly prevFile: string | null;
}

/** Why a chain could not be put after the file it names. */
interface ChainBreak {
  /** `missing_file` or `fork`. */
  readonly kind: "missing_file" | "fork";
  readonly message: string;
}

/**
 * Files that follow one another.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { type Chain, readAuditDir } from "./audit_dir.ts";
 * const dir = await Deno.makeTempDir();
 * const writer = { surface: "proxy", mode: "enforce", policiesDigest: undefined };
 * await (await AuditLog.open({ dir }, writer)).close();
 * await (await AuditLog.open({ dir }, writer)).close(); // goes on from the first file
 * const [chain]: readonly Chain[] = (await readAuditDir(dir)).chains;
 * assert.equal(chain?.files.length, 2);
 * assert.equal(chain?.files[1]?.prevFile, chain?.files[0]?.name);
 * assert.equal(chain?.broken, undefined);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface Chain {
  readonly files: readonly AuditFile[];
  /** Set when the first file names a predecessor it cannot follow. */
  readonly broken?: ChainBreak;
}

/** An audit directory in chain order. */
interface AuditDir {
  readonly chains: readonly Chain[];
  /** Files without one complete line (a writer that stopped before its first entry). */
  readonly empty: readonly string[];
}

function prevFileOf(lines: readonly string[]): string | null {
  try {
    const first = JSON.parse(lines[0] ?? "");
    return typeof first?.prev_file === "string" ? first.prev_file : null;
  } catch {
    return null;
  }
}

/** Follows a file's successors while each has exactly one; later ones start chains of their own. */
function follow(
  first: AuditFile,
  next: Map<string, AuditFile[]>,
  placed: Set<string>,
  out: Chain[],
  broken?: ChainBreak,
): void {
  const files: AuditFile[] = [];
  for (let f: AuditFile | undefined = first; f && !placed.has(f.name);) {
    placed.add(f.name);
    files.push(f);
    const successors: readonly AuditFile[] = next.get(f.name) ?? [];
    const [successor, ...others] = successors;
    for (const other of others) {
      const message = `${other.name} and ${successor?.name} both continue ${f.name}`;
      follow(other, next, placed, out, { kind: "fork", message });
    }
    f = successor;
  }
  out.push(broken ? { files, broken } : { files });
}

/**
 * Reads every audit file of `dir` and orders them into chains.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAuditDir } from "./audit_dir.ts";
 * const { chains } = await readAuditDir(await Deno.makeTempDir());
 * assert.deepEqual(chains, []);
 * ```
 */
export async function readAuditDir(dir: string): Promise<AuditDir> {
  const files: AuditFile[] = [];
  const empty: string[] = [];
  for (const name of await listAuditFiles(dir)) {
    const read = await readAuditFile(dir, name);
    if (read.lines.length === 0) empty.push(name);
    else files.push({ name, ...read, prevFile: prevFileOf(read.lines) });
  }
  const names = new Set(files.map((f) => f.name));
  const next = new Map<string, AuditFile[]>();
  for (const f of files) {
    if (f.prevFile !== null && names.has(f.prevFile)) {
      next.set(f.prevFile, [...next.get(f.prevFile) ?? [], f]);
    }
  }
  const chains: Chain[] = [];
  const placed = new Set<string>();
  for (const f of files) {
    if (placed.has(f.name)) continue;
    if (f.prevFile === null) follow(f, next, placed, chains);
    else if (!names.has(f.prevFile)) {
      const gone = empty.includes(f.prevFile) ? "has no entries" : "is not in the directory";
      const message = `${f.name} continues ${f.prevFile}, which ${gone}`;
      follow(f, next, placed, chains, { kind: "missing_file", message });
    }
  }
  for (const f of files) {
    if (placed.has(f.name)) continue;
    const message = `${f.name} is in a loop of files that continue one another`;
    follow(f, next, placed, chains, { kind: "missing_file", message });
  }
  const key = (c: Chain) => c.files[0]?.name ?? "";
  chains.sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return { chains, empty };
}
