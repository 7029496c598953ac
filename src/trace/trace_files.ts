/**
 * Writing a run's `<run>.json` and `<run>.timing.json` from its journal in bounded memory: the
 * events stream through twice — once for the digest (which the file names before its events,
 * keys being sorted) and the timing sidecar, once for the trace file — so that neither the
 * journal nor the trace is ever whole in memory. The bytes are exactly those of
 * `canonicalJson(buildTrace(...), 2)`: the summary fields around the events come from the
 * same serialisation, and each event is serialised on its own and indented as
 * `JSON.stringify` would nest it (JSON strings hold no raw newline, so indenting every line is
 * exact).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical_json.ts";
import type { TraceEvent } from "./event.ts";
import { type JournalLine, readJournal } from "./journal.ts";
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

/** Text written in 64 KiB writes. */
class BufferedFile {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending = "";

  constructor(file: Deno.FsFile) {
    this.#writer = file.writable.getWriter();
  }

  async write(text: string): Promise<void> {
    this.#pending += text;
    if (this.#pending.length >= FLUSH_AT) await this.#flush();
  }

  async close(): Promise<void> {
    await this.#flush();
    await this.#writer.close();
  }

  async #flush(): Promise<void> {
    if (this.#pending === "") return;
    const bytes = encoder.encode(this.#pending);
    this.#pending = "";
    await this.#writer.write(bytes);
  }
}

/** `text` split around the empty array that stands for the events: `[before + "[", "]" + after]`. */
function around(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker} in ${text.slice(0, 200)}`);
  return [text.slice(0, at + marker.length - 1), text.slice(at + marker.length - 1)];
}

/** Each line of a nested value, indented by `pad` as `JSON.stringify(…, 2)` nests it. */
function nested(text: string, pad: string): string {
  return `${pad}${text.replaceAll("\n", `\n${pad}`)}`;
}

async function* eventsOf(
  journal: string,
  end: number,
): AsyncGenerator<{ event: TraceEvent; line: JournalLine }> {
  const file = await Deno.open(journal, { read: true });
  try {
    let seq = 0;
    for await (const entry of readJournal(file, 0, end)) {
      if (entry.line) yield { event: { seq: ++seq, ...entry.line.event }, line: entry.line };
    }
  } finally {
    file.close();
  }
}

async function atomically(path: string, write: (out: BufferedFile) => Promise<void>) {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  const file = await Deno.open(tmp, { write: true, createNew: true });
  const out = new BufferedFile(file);
  try {
    await write(out);
    await out.close();
  } catch (e) {
    await out.close().catch(() => {});
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  await Deno.rename(tmp, path);
}

/**
 * Streams the digest of the trace and writes the timing sidecar; returns the digest.
 * The digest is over `canonicalJson` of the trace without its digest, as `buildTrace` has it.
 */
async function digestAndTimings(
  paths: TracePaths,
  end: number,
  head: TraceHead,
): Promise<string> {
  const hash = createHash("sha256");
  const [open, close] = around(
    canonicalJson({ mirage_trace: 1, ...head, events: [] }),
    '"events":[]',
  );
  const [tOpen, tClose] = around(
    JSON.stringify({ run_id: head.run_id, events: [] }, null, 2),
    '"events": []',
  );
  await atomically(paths.timing, async (out) => {
    hash.update(open);
    await out.write(tOpen);
    let first = true;
    for await (const { event, line } of eventsOf(paths.journal, end)) {
      hash.update(first ? canonicalJson(event) : `,${canonicalJson(event)}`);
      const timing = JSON.stringify({ seq: event.seq, ...line.timing }, null, 2);
      await out.write(`${first ? "\n" : ",\n"}${nested(timing, "    ")}`);
      first = false;
    }
    hash.update(close);
    await out.write(`${first ? "" : "\n  "}${tClose}\n`);
  });
  return `sha256:${hash.digest("hex")}`;
}

/**
 * Writes `<run>.json` and `<run>.timing.json` from the journal's events before byte `end`,
 * each atomically (a temporary file, then a rename).
 *
 * @example
 * ```ts ignore
 * import { writeTraceFiles } from "./trace_files.ts";
 * await writeTraceFiles(tracePaths(dir, "r1"), size, head);
 * ```
 */
export async function writeTraceFiles(
  paths: TracePaths,
  end: number,
  head: TraceHead,
): Promise<void> {
  const digest = await digestAndTimings(paths, end, head);
  const [open, close] = around(
    canonicalJson({ mirage_trace: 1, ...head, digest, events: [] }, 2),
    '"events": []',
  );
  await atomically(paths.trace, async (out) => {
    await out.write(open);
    let first = true;
    for await (const { event } of eventsOf(paths.journal, end)) {
      await out.write(`${first ? "\n" : ",\n"}${nested(canonicalJson(event, 2), "    ")}`);
      first = false;
    }
    await out.write(`${first ? "" : "\n  "}${close}\n`);
  });
}
