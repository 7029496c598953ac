/**
 * Runs the `mirage` CLI as a subprocess, the way a user does, and reads what it prints.
 */

import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
/** The CLI entry point. */
export const MAIN: string = `${ROOT}src/cli/main.ts`;
/** The project's deno.json, so that the CLI runs the same from any directory. */
export const CONFIG: string = `${ROOT}deno.json`;

/** `deno run` arguments that run the CLI with every permission it needs. */
export function cliArgs(args: readonly string[]): string[] {
  return ["run", "-A", "--config", CONFIG, MAIN, ...args];
}

/** The result of a finished CLI run. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion. */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: cliArgs(args),
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd ?? ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

async function collect(
  stream: ReadableStream<Uint8Array>,
  sink: (text: string) => void,
): Promise<void> {
  for await (const text of stream.pipeThrough(new TextDecoderStream())) sink(text);
}

/**
 * A long-running CLI process (`mirage proxy`) whose output is read while it runs; `wrapper` runs
 * it under another command (`["prlimit", "--nofile=128"]`).
 */
export class CliProcess {
  readonly #child: Deno.ChildProcess;
  readonly #readers: Promise<void>;
  #stdout = "";
  #stderr = "";

  constructor(
    args: readonly string[],
    env: Record<string, string> = {},
    wrapper: readonly string[] = [],
  ) {
    const command = [...wrapper, Deno.execPath(), ...cliArgs(args)];
    this.#child = new Deno.Command(command[0] as string, {
      args: command.slice(1),
      env: { NO_COLOR: "1", ...env },
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#readers = Promise.all([
      collect(this.#child.stdout, (t) => this.#stdout += t),
      collect(this.#child.stderr, (t) => this.#stderr += t),
    ]).then(() => {});
  }

  /** Everything printed on stdout so far. */
  get stdout(): string {
    return this.#stdout;
  }

  /** Everything printed on stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Waits until stdout + stderr match, and returns the match; fails after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const m = `${this.#stdout}${this.#stderr}`.match(pattern);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(
      `timed out waiting for ${pattern}\nstdout:\n${this.#stdout}\nstderr:\n${this.#stderr}`,
    );
  }

  /** Sends a signal. */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Waits for the process to end and its output to be read. */
  async finished(): Promise<CliResult> {
    const status = await this.#child.status;
    await this.#readers;
    return { code: status.code, stdout: this.#stdout, stderr: this.#stderr };
  }
}

/** A started `mirage proxy`, with its port read from the listening line. */
export interface RunningProxy {
  readonly process: CliProcess;
  readonly url: string;
  /** SIGTERM, then the result; kills it for good when it does not stop in time. */
  stop(): Promise<CliResult>;
}

/** Starts `mirage proxy ARGS --port 0` (under `wrapper`, if any) and waits for its listening line. */
export async function startProxyProcess(
  args: readonly string[],
  env: Record<string, string> = {},
  wrapper: readonly string[] = [],
): Promise<RunningProxy> {
  const process = new CliProcess(["proxy", ...args, "--port", "0"], env, wrapper);
  let port: string;
  try {
    port = (await process.waitFor(/proxy listening on :(\d+)/))[1] as string;
  } catch (e) {
    process.kill("SIGKILL");
    await process.finished();
    throw e;
  }
  return {
    process,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      process.kill("SIGTERM");
      const timer = setTimeout(() => process.kill("SIGKILL"), 10_000);
      try {
        return await process.finished();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
