/**
 * `mirage mcp --mocks` over stdio: the mock server answering a client that spawned Mirage as its
 * MCP server. Messages are answered as they come (a tool mock's delay holds only its own call),
 * every answer one line through the one line writer. It ends when the client closes its side,
 * once the calls in flight are answered.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import { faultReply } from "./jsonrpc.ts";
import type { LineWriter } from "./lines.ts";
import type { MockMcpServer } from "./mock_server.ts";
import { ClientInput } from "./stdio_messages.ts";

/** Options of {@link StdioMocks}. */
interface StdioMocksOptions {
  /** What the client sends. */
  readonly input: ReadableStream<Uint8Array>;
  /** Where the client reads. */
  readonly output: LineWriter;
  /** Answers the messages. */
  readonly server: MockMcpServer;
  /** Bytes of one client line read at most. */
  readonly maxLine: number;
  /** Where Mirage says what went wrong (stderr). */
  readonly log: (line: string) => void;
}

/**
 * The mock server on stdio.
 *
 * @example
 * ```ts ignore
 * const mocks = new StdioMocks({ input: Deno.stdin.readable, output: new LineWriter(Deno.stdout.writable), server, maxLine: 1 << 20, log: console.error });
 * await mocks.exited;
 * ```
 */
export class StdioMocks {
  /** 0 once the client has gone and every call was answered. */
  readonly exited: Promise<number>;
  readonly #options: StdioMocksOptions;
  readonly #client: ClientInput;
  readonly #inFlight = new Set<Promise<void>>();

  /** Starts answering. */
  constructor(options: StdioMocksOptions) {
    this.#options = options;
    this.#client = new ClientInput(options.input, options.maxLine);
    this.exited = this.#serve().then(() => 0);
  }

  /** Stops reading the client; resolves once the calls in flight are answered. */
  async stop(): Promise<number> {
    await this.#client.cancel();
    return await this.exited;
  }

  async #serve(): Promise<void> {
    const { output, server, log } = this.#options;
    try {
      for await (const line of this.#client.lines()) {
        if (line.kind === "fault") {
          await output.write(JSON.stringify(faultReply(line.fault)));
          continue;
        }
        const answered: Promise<void> = server.answer(line.message, {})
          .then((reply) => reply ? output.write(JSON.stringify(reply)) : undefined)
          .catch((e) => log(`[mirage] stdio: ${errorMessage(e)}`))
          .finally(() => this.#inFlight.delete(answered));
        this.#inFlight.add(answered);
      }
    } catch (e) {
      log(`[mirage] stdio: ${errorMessage(e)}`);
    }
    await Promise.all(this.#inFlight);
  }
}
