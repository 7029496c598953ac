/**
 * `mirage mcp -- <command>`: a stdio MCP server run as a child, with Mirage between it and the
 * client. The client's lines are read in order and asked of the gate: a refused call is answered
 * with the request's id, a cancellation of a refused id is dropped, everything else goes to the
 * child's stdin as the bytes that came. The child's stdout lines go to the client, and Mirage's
 * own answers join them through the same line writer, so no line is ever cut by another. The
 * child's stderr is the process's stderr. When the client goes away the child's stdin is closed,
 * then the child is stopped if it does not end on its own; its exit code is the bridge's.
 *
 * @module
 */

import { errorMessage, MirageError } from "../errors.ts";
import type { McpGate } from "./gate.ts";
import { faultReply, idKey, type JsonRpcMessage } from "./jsonrpc.ts";
import { LineWriter, readLines } from "./lines.ts";
import { ClientInput } from "./stdio_messages.ts";
import { isRecord } from "../is_record.ts";

/** Options of {@link StdioBridge.spawn}. */
interface StdioBridgeOptions {
  /** The server's command and its arguments. */
  readonly command: readonly string[];
  /** What the client sends. */
  readonly input: ReadableStream<Uint8Array>;
  /** Where the client reads. */
  readonly output: LineWriter;
  /** Decides the client's messages. */
  readonly gate: McpGate;
  /** Bytes of one client line read at most. */
  readonly maxLine: number;
  /** Where Mirage says what went wrong (stderr). */
  readonly log: (line: string) => void;
  /** How long the child has to end after its stdin closed, then after SIGTERM; default 2000 ms. */
  readonly graceMs?: number;
}

/** Resolves true when `p` settles within `ms`, false after; the timer never outlives it. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

const lenient = new TextDecoder();

/**
 * A running child server and the two pumps between it and the client.
 *
 * @example
 * ```ts ignore
 * const bridge = StdioBridge.spawn({ command: ["node", "server.js"], input: Deno.stdin.readable,
 *   output: new LineWriter(Deno.stdout.writable), gate, maxLine: 1 << 20, log: console.error });
 * Deno.exit(await bridge.exited);
 * ```
 */
export class StdioBridge {
  /** The child's exit code, once it has ended and all it wrote reached the client. */
  readonly exited: Promise<number>;
  readonly #options: StdioBridgeOptions;
  readonly #child: Deno.ChildProcess;
  readonly #toChild: LineWriter;
  readonly #client: ClientInput;
  /** Ids of `tools/list` requests whose answers are filtered. */
  readonly #listings = new Set<string>();
  #stopping: Promise<void> | undefined;

  private constructor(options: StdioBridgeOptions, child: Deno.ChildProcess) {
    this.#options = options;
    this.#child = child;
    this.#toChild = new LineWriter(child.stdin);
    const client = this.#client = new ClientInput(options.input, options.maxLine);
    const fromClient = this.#pumpClient();
    const fromServer = this.#pumpServer();
    this.exited = (async () => {
      const status = await child.status;
      await fromServer;
      await client.cancel();
      await fromClient;
      return status.code;
    })();
  }

  /** Starts the server; throws `MirageError` `spawn_failed` when it cannot be started. */
  static spawn(options: StdioBridgeOptions): StdioBridge {
    const [command, ...args] = options.command;
    if (command === undefined) throw new MirageError("spawn_failed", "no server command given");
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(command, {
        args,
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
    } catch (e) {
      throw new MirageError("spawn_failed", `cannot start '${command}': ${errorMessage(e)}`, {
        cause: e,
      });
    }
    return new StdioBridge(options, child);
  }

  /** The child's process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Stops reading the client, then ends the child as when the client goes away; its exit code. */
  async stop(): Promise<number> {
    await this.#client.cancel();
    await this.#end();
    return await this.exited;
  }

  async #pumpClient(): Promise<void> {
    const { gate, output } = this.#options;
    try {
      for await (const line of this.#client.lines()) {
        if (line.kind === "fault") {
          await output.write(JSON.stringify(faultReply(line.fault)));
          continue;
        }
        const inspection = await gate.inspect(line.message, {});
        if (inspection.kind === "answer") await output.write(JSON.stringify(inspection.reply));
        if (inspection.kind !== "forward") continue;
        if (inspection.listsTools) this.#listings.add(idKey(line.message.id));
        await this.#toChild.write(line.bytes);
      }
    } catch (e) {
      this.#options.log(`[mirage] stdio: ${errorMessage(e)}`);
    }
    await this.#end();
  }

  async #pumpServer(): Promise<void> {
    try {
      for await (const read of readLines(this.#child.stdout)) {
        if (read.kind === "line") await this.#options.output.write(this.#filtered(read.bytes));
      }
    } catch (e) {
      // The client is gone: nothing can reach it any more; the child ends with its stdin.
      this.#options.log(`[mirage] stdio: cannot write to the client: ${errorMessage(e)}`);
      await this.#client.cancel();
    }
  }

  /** A `tools/list` answer without the tools a rule always blocks; any other line as it came. */
  #filtered(bytes: Uint8Array): Uint8Array | string {
    if (this.#listings.size === 0) return bytes;
    let message: unknown;
    try {
      message = JSON.parse(lenient.decode(bytes));
    } catch {
      return bytes;
    }
    if (!isRecord(message) || !("result" in message)) return bytes;
    if (!this.#listings.delete(idKey(message.id))) return bytes;
    const filtered: JsonRpcMessage = {
      ...message,
      result: this.#options.gate.listing(message.result),
    };
    return JSON.stringify(filtered);
  }

  /** Closes the child's stdin, then SIGTERM and SIGKILL, each after the grace period. */
  #end(): Promise<void> {
    return this.#stopping ??= (async () => {
      const grace = this.#options.graceMs ?? 2000;
      await this.#toChild.close();
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        if (await within(this.#child.status, grace)) return;
        try {
          this.#child.kill(signal);
        } catch {
          return; // it ended in the meantime
        }
      }
    })();
  }
}
