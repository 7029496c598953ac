/**
 * `mirage gateway … --port 0` as a real subprocess (through the shared CLI runner), with its
 * address read from the listening line on stderr and its decision log read from stdout.
 */

import { CliProcess, type CliResult } from "../support/cli_process.ts";

/** A running gateway process. */
export class GatewayProcess {
  readonly #process: CliProcess;
  readonly url: string;
  #stopped: Promise<CliResult> | undefined;

  private constructor(process: CliProcess, url: string) {
    this.#process = process;
    this.url = url;
  }

  /**
   * Starts a gateway (under `wrapper`, if any) and waits for its listening line; fails with its
   * output if it does not come.
   */
  static async start(
    args: string[],
    env: Record<string, string> = {},
    wrapper: readonly string[] = [],
  ): Promise<GatewayProcess> {
    const process = new CliProcess(["gateway", ...args, "--port", "0"], env, wrapper);
    try {
      const m = await process.waitFor(/gateway listening on (http:\/\/\S+)/);
      return new GatewayProcess(process, m[1] as string);
    } catch (e) {
      process.kill("SIGKILL");
      await process.finished();
      throw e;
    }
  }

  /** Everything written to stdout so far (the decision log). */
  get stdout(): string {
    return this.#process.stdout;
  }

  /** Everything written to stderr so far. */
  get stderr(): string {
    return this.#process.stderr;
  }

  /** The JSON decision lines written so far. */
  decisionLines(): Record<string, unknown>[] {
    return this.stdout.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  }

  /** Sends a signal. */
  signal(signal: Deno.Signal): void {
    this.#process.kill(signal);
  }

  /** Waits until the output matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray> {
    return this.#process.waitFor(pattern, timeoutMs);
  }

  /** SIGTERM, then waits for the graceful exit (SIGKILL after 10 s); safe to call twice. */
  stop(): Promise<CliResult> {
    return this.#stopped ??= (async () => {
      this.#process.kill("SIGTERM");
      const timer = setTimeout(() => this.#process.kill("SIGKILL"), 10_000);
      try {
        return await this.#process.finished();
      } finally {
        clearTimeout(timer);
      }
    })();
  }
}
