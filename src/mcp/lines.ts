/**
 * Newline-delimited JSON, the MCP stdio framing: lines are split on bytes (a `\n` never occurs
 * inside a UTF-8 sequence), so a line is decoded whole; and every line written goes out as one
 * chunk through one writer, so that lines from concurrent answers never interleave.
 *
 * @module
 */

import { concat } from "../http/body_limit.ts";

/** One line read, without its `\n`; or a line that grew past the limit and was skipped. */
type LineRead =
  | { readonly kind: "line"; readonly bytes: Uint8Array }
  | { readonly kind: "over"; readonly limit: number };

const NEWLINE = 0x0a;

/** Holds the bytes of the line being read, and whether it has already grown past the limit. */
class PartialLine {
  readonly #limit: number;
  #parts: Uint8Array[] = [];
  #size = 0;
  #over = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get empty(): boolean {
    return this.#size === 0 && !this.#over;
  }

  add(bytes: Uint8Array): void {
    if (this.#over) return;
    this.#size += bytes.length;
    if (this.#size > this.#limit) {
      this.#over = true;
      this.#parts = [];
    } else if (bytes.length > 0) this.#parts.push(bytes);
  }

  end(): LineRead {
    const read: LineRead = this.#over
      ? { kind: "over", limit: this.#limit }
      : { kind: "line", bytes: concat(this.#parts, this.#size) };
    this.#parts = [];
    this.#size = 0;
    this.#over = false;
    return read;
  }
}

/**
 * The lines of a byte stream. A line longer than `limit` bytes is skipped up to its end and
 * reported as `over` (never buffered whole); a last line without `\n` still counts; a `\r`
 * before the `\n` is kept (JSON ignores it as whitespace). Cancelling the iteration cancels the
 * stream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLines } from "./lines.ts";
 * const lines = [];
 * for await (const l of readLines(ReadableStream.from([new TextEncoder().encode("a\nbc")]))) {
 *   if (l.kind === "line") lines.push(new TextDecoder().decode(l.bytes));
 * }
 * assert.deepEqual(lines, ["a", "bc"]);
 * ```
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  limit = Infinity,
): AsyncGenerator<LineRead> {
  const line = new PartialLine(limit);
  for await (const chunk of stream) {
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
      line.add(chunk.subarray(from, nl));
      yield line.end();
      from = nl + 1;
    }
    // A copy: the rest waits for later chunks, and a stream may reuse a chunk's buffer.
    if (from < chunk.length) line.add(chunk.slice(from));
  }
  if (!line.empty) yield line.end();
}

const encoder = new TextEncoder();

/**
 * One writer of whole lines: each line (and its `\n`) is one chunk of one stream writer, so
 * concurrent writers never interleave partial lines. A write to a peer that went away rejects;
 * later writes reject as well.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineWriter } from "./lines.ts";
 * const chunks: string[] = [];
 * const out = new LineWriter(new WritableStream({ write: (c) => void chunks.push(new TextDecoder().decode(c)) }));
 * await Promise.all([out.write('{"id":1}'), out.write('{"id":2}')]);
 * await out.close();
 * assert.deepEqual(chunks, ['{"id":1}\n', '{"id":2}\n']);
 * ```
 */
export class LineWriter {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #last: Promise<void> = Promise.resolve();

  /** Writes to `stream`, which it locks. */
  constructor(stream: WritableStream<Uint8Array>) {
    this.#writer = stream.getWriter();
  }

  /** Writes one line: text, or the bytes of a line as read; the `\n` is added. */
  write(line: string | Uint8Array): Promise<void> {
    const body = typeof line === "string" ? encoder.encode(line) : line;
    const chunk = new Uint8Array(body.length + 1);
    chunk.set(body);
    chunk[body.length] = NEWLINE;
    const written = this.#writer.write(chunk);
    this.#last = written.catch(() => {});
    return written;
  }

  /** Waits for the lines written so far, then closes the stream. */
  async close(): Promise<void> {
    await this.#last;
    await this.#writer.close().catch(() => {});
  }
}
