/**
 * Real Mirage servers for the remote gate tests: `mirage gateway` and `mirage proxy` as
 * subprocesses over files written to a temp dir, each with its own trace directory.
 */

import { join } from "node:path";
import { type RunningProxy, startProxyProcess } from "../support/cli_process.ts";
import { freePort } from "../gateway/free_port.ts";
import { GatewayProcess } from "../gateway/gateway_process.ts";

/** A running server and where it writes traces. */
export interface ToolServer extends AsyncDisposable {
  /** Its base URL, for `remoteGate`. */
  readonly url: string;
  /** Its trace directory. */
  readonly traces: string;
  /** Stops the process; safe to call twice. */
  stop(): Promise<void>;
}

async function files(policies: string, mocks?: string) {
  const dir = await Deno.makeTempDir({ prefix: "mirage-tools-" });
  await Deno.writeTextFile(join(dir, "policies.yaml"), policies);
  if (mocks !== undefined) await Deno.writeTextFile(join(dir, "mocks.yaml"), mocks);
  return {
    dir,
    policies: join(dir, "policies.yaml"),
    mocks: join(dir, "mocks.yaml"),
    traces: join(dir, "traces"),
  };
}

function server(
  url: string,
  traces: string,
  dir: string,
  stopProcess: () => Promise<unknown>,
): ToolServer {
  let stopped: Promise<void> | undefined;
  const stop = () => stopped ??= stopProcess().then(() => {});
  return {
    url,
    traces,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Options of {@link startGateway}. */
export interface GatewayRig {
  readonly mode?: "enforce" | "passthrough";
  /** A mocks file for `--surface`. */
  readonly surface?: string;
  /** More flags. */
  readonly args?: readonly string[];
}

/** `mirage gateway` over `policies`; its upstream is a closed port (decide never forwards). */
export async function startGateway(policies: string, rig: GatewayRig = {}): Promise<ToolServer> {
  const f = await files(policies, rig.surface);
  const upstream = `http://127.0.0.1:${freePort()}`;
  const gateway = await GatewayProcess.start([
    "--upstream",
    upstream,
    "--mode",
    rig.mode ?? "enforce",
    "--policies",
    f.policies,
    "--traces",
    f.traces,
    "--no-decision-log",
    ...(rig.surface === undefined ? [] : ["--surface", f.mocks]),
    ...(rig.args ?? []),
  ]);
  return server(gateway.url, f.traces, f.dir, () => gateway.stop());
}

/** `mirage proxy` over `policies` and `mocks`. */
export async function startProxy(
  policies: string,
  mocks: string,
  mode: "enforce" | "passthrough" = "enforce",
): Promise<ToolServer> {
  const f = await files(policies, mocks);
  const proxy: RunningProxy = await startProxyProcess([
    "--policies",
    f.policies,
    "--mocks",
    f.mocks,
    "--traces",
    f.traces,
    "--mode",
    mode,
    "--no-watch",
  ]);
  return server(proxy.url, f.traces, f.dir, () => proxy.stop());
}
