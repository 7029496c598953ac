/**
 * Rewriting one JSON-RPC message inside a server-sent event stream while the stream flows: each
 * event is passed on as soon as its blank line arrives, byte for byte unless its data is a
 * message the rewrite replaces. Used for `--hide-blocked-tools`, whose `tools/list` answer may
 * come as SSE.
 *
 * @module
 */

/**
 * Replaces a message, or gives `undefined` to keep the event as it came.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MessageRewrite, rewriteSse } from "./sse_rewrite.ts";
 * const emptyListing: MessageRewrite = (m) =>
 *   (m as { id?: unknown }).id === 2 ? { jsonrpc: "2.0", id: 2, result: { tools: [] } } : undefined;
 * const events = 'data: {"jsonrpc":"2.0","id":1,"result":{}}\n\n' +
 *   'data: {"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"x"}]}}\n\n';
 * const out = rewriteSse(ReadableStream.from([new TextEncoder().encode(events)]), emptyListing);
 * assert.equal(
 *   await new Response(out).text(),
 *   'data: {"jsonrpc":"2.0","id":1,"result":{}}\n\ndata: {"jsonrpc":"2.0","id":2,"result":{"tools":[]}}\n\n',
 * );
 * ```
 */
export type MessageRewrite = (message: unknown) => unknown;

/** The events of one stream: raw lines until a blank one. */
class EventBuffer {
  readonly #rewrite: MessageRewrite;
  #raw = "";
  #other = "";
  #data: string[] = [];

  constructor(rewrite: MessageRewrite) {
    this.#rewrite = rewrite;
  }

  /** Takes one line with its terminator; returns the event's text when the line ends it. */
  line(text: string, ending: string): string | undefined {
    this.#raw += text + ending;
    if (text !== "") {
      if (text.startsWith("data:")) this.#data.push(text.slice(text.startsWith("data: ") ? 6 : 5));
      else this.#other += text + ending;
      return undefined;
    }
    const out = this.#render(ending);
    this.#raw = "";
    this.#other = "";
    this.#data = [];
    return out;
  }

  /** What is left at the end of the stream, as it came. */
  rest(): string {
    return this.#raw;
  }

  #render(ending: string): string {
    if (this.#data.length === 0) return this.#raw;
    let replaced: unknown;
    try {
      replaced = this.#rewrite(JSON.parse(this.#data.join("\n")));
    } catch {
      return this.#raw;
    }
    if (replaced === undefined) return this.#raw;
    return `${this.#other}data: ${JSON.stringify(replaced)}${ending}${ending}`;
  }
}

const TERMINATOR = /\r\n|\r|\n/g;

function splitter(rewrite: MessageRewrite): Transformer<string, string> {
  const events = new EventBuffer(rewrite);
  let pending = "";
  return {
    transform(chunk, controller) {
      pending += chunk;
      let from = 0;
      let out = "";
      TERMINATOR.lastIndex = 0;
      for (let m = TERMINATOR.exec(pending); m; m = TERMINATOR.exec(pending)) {
        // A `\r` at the end may be the first half of `\r\n`: wait for the next chunk.
        if (m[0] === "\r" && m.index === pending.length - 1) break;
        const event = events.line(pending.slice(from, m.index), m[0]);
        if (event !== undefined) out += event;
        from = m.index + m[0].length;
      }
      pending = pending.slice(from);
      if (out) controller.enqueue(out);
    },
    flush(controller) {
      const rest = events.rest() + pending;
      if (rest) controller.enqueue(rest);
    },
  };
}

/**
 * The stream with each event's JSON data passed through `rewrite`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rewriteSse } from "./sse_rewrite.ts";
 * const body = ReadableStream.from([new TextEncoder().encode('id: 1\ndata: {"n":1}\n\n')]);
 * const out = rewriteSse(body, (m) => ({ ...(m as object), n: 2 }));
 * assert.equal(await new Response(out).text(), 'id: 1\ndata: {"n":2}\n\n');
 * ```
 */
export function rewriteSse(
  body: ReadableStream<Uint8Array>,
  rewrite: MessageRewrite,
): ReadableStream<Uint8Array> {
  return body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new TransformStream(splitter(rewrite)))
    .pipeThrough(new TextEncoderStream());
}
