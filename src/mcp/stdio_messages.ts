/**
 * The messages a stdio client sends, one JSON-RPC message per line: each line read whole and
 * parsed strictly, blank lines skipped, and every line Mirage cannot read (not JSON, a batch,
 * longer than the limit) a fault to answer with a JSON-RPC error.
 *
 * @module
 */

import { decodeMessage, INVALID_REQUEST, type JsonRpcMessage, type RpcFault } from "./jsonrpc.ts";
import { readLines } from "./lines.ts";

/** One line from the client: a message (with its bytes, to pass on as they came) or a fault. */
type ClientLine =
  | { readonly kind: "message"; readonly message: JsonRpcMessage; readonly bytes: Uint8Array }
  | { readonly kind: "fault"; readonly fault: RpcFault };

function blank(bytes: Uint8Array): boolean {
  // Space, tab, CR: what may stand around a message on its line.
  return bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0d);
}

async function* messagesOf(
  input: ReadableStream<Uint8Array>,
  limit: number,
): AsyncGenerator<ClientLine> {
  for await (const read of readLines(input, limit)) {
    if (read.kind === "over") {
      const message = `message longer than ${read.limit} bytes`;
      yield { kind: "fault", fault: { code: INVALID_REQUEST, message, id: null } };
      continue;
    }
    if (blank(read.bytes)) continue;
    const parsed = decodeMessage(read.bytes);
    yield parsed.ok
      ? { kind: "message", message: parsed.message, bytes: read.bytes }
      : { kind: "fault", fault: parsed.fault };
  }
}

/**
 * What a stdio client sends, as messages or faults; `cancel()` stops reading it from outside
 * (the server went away), which ends the iteration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientInput } from "./stdio_messages.ts";
 * const bytes = new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"ping"}\n\nnot json\n');
 * const input = new ClientInput(ReadableStream.from([bytes]), 1024);
 * const kinds = [];
 * for await (const l of input.lines()) kinds.push(l.kind);
 * assert.deepEqual(kinds, ["message", "fault"]); // the empty line is skipped
 * ```
 */
export class ClientInput {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #limit: number;

  /** Reads `input` (which it locks), each line at most `limit` bytes. */
  constructor(input: ReadableStream<Uint8Array>, limit: number) {
    this.#reader = input.getReader();
    this.#limit = limit;
  }

  /** The lines, until the client closes its side or {@link cancel} is called. */
  lines(): AsyncGenerator<ClientLine> {
    const reader = this.#reader;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return messagesOf(stream, this.#limit);
  }

  /** Stops reading: a pending read ends, and so do the lines. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
