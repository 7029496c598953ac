/**
 * An MCP SDK `Transport` over a child process's stdio (here: `mirage mcp` run as a user's MCP
 * client would run it). The SDK's StdioClientTransport leaves a timer behind on close, which the
 * sanitizers reject; this one reads with Deno's streams and keeps every raw stdout line, so that
 * a test can check that each one is a whole JSON-RPC message.
 */

// @ts-types="@modelcontextprotocol/sdk/shared/stdio"
import { deserializeMessage, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/shared/transport"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** A client transport over `child`'s stdin and stdout. */
export class ChildTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Every line the child wrote on stdout, as written. */
  readonly lines: string[] = [];
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #child: Deno.ChildProcess;
  #reading: Promise<void> | undefined;

  constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
  }

  start(): Promise<void> {
    this.#reading = this.#read();
    return Promise.resolve();
  }

  async #read(): Promise<void> {
    let pending = "";
    for await (const text of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      pending += text;
      for (let nl = pending.indexOf("\n"); nl !== -1; nl = pending.indexOf("\n")) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this.lines.push(line);
        try {
          this.onmessage?.(deserializeMessage(line));
        } catch (e) {
          this.onerror?.(e as Error);
        }
      }
    }
    if (pending) this.lines.push(pending);
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(serializeMessage(message)));
  }

  /** Writes raw text to the child's stdin, as a client could. */
  async sendRaw(text: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(text));
  }

  /** Closes the child's stdin (the client goes away) and waits until its stdout ended. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#reading;
  }
}
