/**
 * Writing a run's `<run>.json` and `<run>.timing.json` from its journal in bounded memory and
 * one pass: each event is read, written to both files and hashed, then dropped, so that neither
 * the journal nor the trace is ever whole in memory. The file names its digest before its
 * events (keys are sorted), so a placeholder of the same length is written first and replaced
 * in place once the last event is hashed; the files are renamed into place only then.
 *
 * The bytes are exactly those of `canonicalJson(buildTrace(...), 2)`: the fields around the
 * events come from the same serialisation, and each event is serialised on its own and indented
 * as `JSON.stringify` nests it (JSON strings hold no raw newline, so indenting every line is
 * exact).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { canonicalJson, sortKeys } from "./canonical_json.ts";
import { readJournal } from "./journal.ts";
import type { RunSummary } from "./run_summary.ts";
import type { TracePaths } from "./trace_paths.ts";

/**
 * What a trace file says besides its events.
 *
 * @example
 * ```ts
 * import type { TraceHead } from "@mirage/core";
 * const head: TraceHead = {
 *   run_id: "r1", mode: "ci", outcome: "allowed", side_effect_count: 0,
 *   counts: { allowed: 1, flagged: 0, policy_violation: 0, unmatched_route: 0, error: 0 },
 * };
 * ```
 */
export interface TraceHead extends RunSummary {
  /** The run id as given. */
  readonly run_id: string;
  /** `ci`, `enforce` or `passthrough`. */
  readonly mode: string;
}

const encoder = new TextEncoder();
const FLUSH_AT = 64 * 1024;
/** Stands for the digest until it is known: the same length as `sha256:<64 hex digits>`. */
const PLACEHOLDER = `sha256:${"0".repeat(64)}`;

/** A temporary file written in 64 KiB writes, renamed into place when done. */
class TempFile {
  readonly path: string;
  readonly #file: Deno.FsFile;
  readonly #tmp: string;
  #pending = "";

  private constructor(path: string, tmp: string, file: Deno.FsFile) {
    this.path = path;
    this.#tmp = tmp;
    this.#file = file;
  }

  static async create(path: string): Promise<TempFile> {
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    return new TempFile(path, tmp, await Deno.open(tmp, { write: true, createNew: true }));
  }

  async write(text: string): Promise<void> {
    this.#pending += text;
    if (this.#pending.length >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending === "") return;
    const bytes = encoder.encode(this.#pending);
    this.#pending = "";
    await this.#writeAll(bytes);
  }

  /** Overwrites bytes already written, at byte `offset`. */
  async patch(offset: number, text: string): Promise<void> {
    await this.flush();
    await this.#file.seek(offset, Deno.SeekMode.Start);
    await this.#writeAll(encoder.encode(text));
  }

  async commit(): Promise<void> {
    await this.flush();
    this.#file.close();
    await Deno.rename(this.#tmp, this.path);
  }

  async discard(): Promise<void> {
    try {
      this.#file.close();
    } catch { /* already closed */ }
    await Deno.remove(this.#tmp).catch(() => {});
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length;) done += await this.#file.write(bytes.subarray(done));
  }
}

/** `text` split around the empty array that stands for the events: `[… "[", "]" …]`. */
function around(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker} in ${text.slice(0, 200)}`);
  return [text.slice(0, at + marker.length - 1), text.slice(at + marker.length - 1)];
}

/** Each line of a nested value, indented by four spaces as `JSON.stringify(…, 2)` nests it. */
function nested(text: string): string {
  return `    ${text.replaceAll("\n", "\n    ")}`;
}

/** The three serialisations the events go into: the digest, the trace file, the sidecar. */
function frames(head: TraceHead) {
  const body = { mirage_trace: 1, ...head, events: [] };
  const digest = around(canonicalJson(body), '"events":[]');
  const trace = around(canonicalJson({ ...body, digest: PLACEHOLDER }, 2), '"events": []');
  const timing = around(
    JSON.stringify({ run_id: head.run_id, events: [] }, null, 2),
    '"events": []',
  );
  const digestAt = encoder.encode(trace[0].slice(0, trace[0].indexOf(PLACEHOLDER))).length;
  return { digest, trace, timing, digestAt };
}

/** How a non-empty list of nested values closes: a newline before `]`. */
function closing(count: number): string {
  return count === 0 ? "" : "\n  ";
}

async function writeEvents(
  journal: string,
  end: number,
  hash: ReturnType<typeof createHash>,
  trace: TempFile,
  timing: TempFile,
): Promise<number> {
  const file = await Deno.open(journal, { read: true });
  let seq = 0;
  try {
    for await (const lines of readJournal(file, 0, end)) {
      let traceText = "";
      let timingText = "";
      for (const { line } of lines) {
        if (!line) continue;
        const sorted = sortKeys({ seq: ++seq, ...line.event });
        const sep = seq === 1 ? "" : ",";
        hash.update(`${sep}${JSON.stringify(sorted)}`);
        traceText += `${sep}\n${nested(JSON.stringify(sorted, null, 2))}`;
        timingText += `${sep}\n${nested(JSON.stringify({ seq, ...line.timing }, null, 2))}`;
      }
      await trace.write(traceText);
      await timing.write(timingText);
    }
  } finally {
    file.close();
  }
  return seq;
}

/**
 * Writes `<run>.json` and `<run>.timing.json` from the journal's events before byte `end`,
 * each atomically (a temporary file, then a rename).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { journalLine } from "./journal.ts";
 * import { writeTraceFiles } from "./trace_files.ts";
 * import { tracePaths } from "./trace_paths.ts";
 * const dir = await Deno.makeTempDir();
 * const paths = tracePaths(dir, "r1");
 * const event = { request: { tool: "search" }, outcome: "allowed" as const, enforced: true, decisions: [], response: {} };
 * const timing = { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 90 };
 * await Deno.writeTextFile(paths.journal, journalLine({ run_id: "r1", mode: "ci", event, timing }));
 * const counts = { allowed: 1, flagged: 0, policy_violation: 0, unmatched_route: 0, error: 0 };
 * const head = { run_id: "r1", mode: "ci", outcome: "allowed" as const, side_effect_count: 1, counts };
 * await writeTraceFiles(paths, (await Deno.stat(paths.journal)).size, head);
 * const trace = JSON.parse(await Deno.readTextFile(paths.trace));
 * assert.deepEqual(trace.events.map((e: { seq: number }) => e.seq), [1]);
 * assert.match(trace.digest, /^sha256:[0-9a-f]{64}$/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeTraceFiles(
  paths: TracePaths,
  end: number,
  head: TraceHead,
): Promise<void> {
  const f = frames(head);
  const trace = await TempFile.create(paths.trace);
  const timing = await TempFile.create(paths.timing).catch(async (e) => {
    await trace.discard();
    throw e;
  });
  try {
    const hash = createHash("sha256").update(f.digest[0]);
    await trace.write(f.trace[0]);
    await timing.write(f.timing[0]);
    const count = await writeEvents(paths.journal, end, hash, trace, timing);
    hash.update(f.digest[1]);
    await trace.write(`${closing(count)}${f.trace[1]}\n`);
    await timing.write(`${closing(count)}${f.timing[1]}\n`);
    await trace.patch(f.digestAt, `sha256:${hash.digest("hex")}`);
    await timing.commit();
    await trace.commit();
  } catch (e) {
    await trace.discard();
    await timing.discard();
    throw e;
  }
}
