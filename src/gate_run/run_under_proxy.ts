/**
 * `gate-run -- COMMAND`: starts the proxy in-process on a free loopback port, runs the command
 * with `MIRAGE_PROXY_URL` and `MIRAGE_RUN_ID` in its environment, then stops the proxy (which
 * writes every trace) so that the runs can be gated.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import { startProxy } from "../ci/proxy.ts";
import { tracePaths } from "../trace/trace_paths.ts";

/** What to run. */
interface UnderProxyOptions {
  /** Policies file. */
  readonly policies: string;
  /** Mocks file. */
  readonly mocks: string;
  /** Trace directory. */
  readonly traces: string;
  /** Run id for the command's requests. */
  readonly runId: string;
  /** The command and its arguments. */
  readonly argv: readonly string[];
  /** Where the proxy's lines go. */
  readonly log: (line: string) => void;
  /** Colour the proxy's lines. */
  readonly colour: boolean;
  /** Send the command's stdout to stderr, keeping stdout for a machine-readable report. */
  readonly stdoutToStderr: boolean;
  /** A fault profile to turn on for the run (docs/chaos.md). */
  readonly chaos?: string;
}

/** How the command ended and which runs it made. */
interface UnderProxyResult {
  /** Exit code; 127 when the command could not be started. */
  readonly exitCode: number;
  /** The run ids that sent requests; the expected one when none did. */
  readonly runIds: string[];
}

async function runCommand(
  options: UnderProxyOptions,
  env: Record<string, string>,
): Promise<number> {
  const [program, ...args] = options.argv as [string, ...string[]];
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      env,
      stdin: "inherit",
      stdout: options.stdoutToStderr ? "piped" : "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (e) {
    options.log(`[mirage] cannot run ${program}: ${errorMessage(e)}`);
    return 127;
  }
  const copied = options.stdoutToStderr
    ? child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true })
    : undefined;
  const status = await child.status;
  await copied;
  return status.code;
}

/**
 * Removes an earlier trace of the run: a command that never reaches the proxy must leave no
 * trace to gate (and so fail), not pass on what an earlier run recorded.
 */
async function forgetRun(traces: string, runId: string): Promise<void> {
  for (const path of Object.values(tracePaths(traces, runId))) {
    await Deno.remove(path).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
}

/**
 * Runs a command against a fresh in-process proxy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runUnderProxy } from "./run_under_proxy.ts";
 * const result = await runUnderProxy({
 *   policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", traces: await Deno.makeTempDir(),
 *   runId: "procurement-run", argv: ["deno", "run", "-A", "scripts/procurement_agent.ts"],
 *   log: console.error, colour: false, stdoutToStderr: false,
 * });
 * assert.equal(result.exitCode, 0);
 * assert.deepEqual(result.runIds, ["procurement-run"]);
 * ```
 */
export async function runUnderProxy(options: UnderProxyOptions): Promise<UnderProxyResult> {
  await forgetRun(options.traces, options.runId);
  const proxy = await startProxy({
    policies: options.policies,
    mocks: options.mocks,
    port: 0,
    hostname: "127.0.0.1",
    traces: options.traces,
    runId: options.runId,
    mode: "enforce",
    reloadOnSignal: false,
    watchFiles: false,
    log: options.log,
    colour: options.colour,
    ...(options.chaos === undefined ? {} : { chaos: options.chaos }),
  });
  let exitCode: number;
  try {
    exitCode = await runCommand(options, {
      MIRAGE_PROXY_URL: proxy.url,
      MIRAGE_RUN_ID: options.runId,
    });
  } finally {
    await proxy.close();
  }
  const runIds = proxy.runIds.size ? [...proxy.runIds] : [options.runId];
  return { exitCode, runIds };
}
