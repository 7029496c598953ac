/**
 * What the gateway suite puts load on: the upstream direct, the bare hono proxy (on
 * `Deno.serve`, and on Mirage's own listener: the difference is what the listener costs), and
 * the Mirage gateway in passthrough and in enforce mode.
 */

import { repoUrl } from "../lib/policy_file.ts";
import { type ServerProcess, startDenoServer } from "./server_process.ts";

/** A target's name. */
export type TargetName =
  | "direct"
  | "bare proxy"
  | "bare proxy, mirage listener"
  | "gateway passthrough"
  | "gateway enforce";

/** A started target: its origin and, for proxies, the process to measure and stop. */
export interface Target {
  readonly name: TargetName;
  readonly origin: string;
  readonly process: ServerProcess | undefined;
}

/** The gateway CLI's entry point, when it exists in this checkout. */
export async function gatewayCli(): Promise<string | undefined> {
  const path = repoUrl("src/cli/gateway.ts").pathname;
  try {
    await Deno.stat(path);
    return repoUrl("src/cli/main.ts").pathname;
  } catch {
    return undefined;
  }
}

function origin(p: ServerProcess): string {
  return `http://127.0.0.1:${p.port}`;
}

/** Starts the bare proxy in front of the upstream, on `Deno.serve` or on Mirage's listener. */
export async function startBare(upstream: string, mirageListener = false): Promise<Target> {
  const name = mirageListener ? "bare proxy, mirage listener" : "bare proxy";
  const p = await startDenoServer(name, repoUrl("bench/bare_proxy.ts").pathname, [
    "--upstream",
    upstream,
    ...(mirageListener ? ["--mirage-listener"] : []),
  ]);
  return { name, origin: origin(p), process: p };
}

/** Starts the gateway in a mode, with the shipped procurement policy and traces in a temp dir. */
export async function startGateway(
  cli: string,
  upstream: string,
  mode: "passthrough" | "enforce",
  traces: string,
): Promise<Target> {
  const args = [
    "gateway",
    "--upstream",
    upstream,
    "--mode",
    mode,
    "--policies",
    repoUrl("bench/policies/procurement.yaml").pathname,
    "--port",
    "0",
    "--no-decision-log",
    "--traces",
    traces,
  ];
  const p = await startDenoServer(`gateway ${mode}`, cli, args);
  return { name: `gateway ${mode}`, origin: origin(p), process: p };
}
