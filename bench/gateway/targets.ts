/**
 * What the gateway suite puts load on: the upstream direct, the bare hono proxy (on
 * `Deno.serve`, and on Mirage's own listener: the difference is what the listener costs), and
 * the Mirage gateway in passthrough and in enforce mode, and in enforce mode with an audit log.
 */

import { repoUrl } from "../lib/policy_file.ts";
import { type ServerProcess, startDenoServer } from "./server_process.ts";

/** A target's name. */
export type TargetName =
  | "direct"
  | "bare proxy"
  | "bare proxy, mirage listener"
  | "gateway passthrough"
  | "gateway enforce"
  | "gateway enforce, memory state"
  | "gateway enforce, Redis state"
  | "gateway audit";

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

/** Another policy file, more flags and the name to report, for the state suite's gateways. */
export interface GatewayVariant {
  readonly name: TargetName;
  readonly policies: string;
  readonly args: readonly string[];
}

/**
 * Starts the gateway in a mode, with the shipped procurement policy (or a variant's) and traces
 * in a temp dir; with `audit`, also an audit log there (the target is then `gateway audit`).
 */
export async function startGateway(
  cli: string,
  upstream: string,
  mode: "passthrough" | "enforce",
  traces: string,
  variant?: GatewayVariant,
  audit?: string,
): Promise<Target> {
  const args = [
    "gateway",
    "--upstream",
    upstream,
    "--mode",
    mode,
    "--policies",
    variant?.policies ?? repoUrl("bench/policies/procurement.yaml").pathname,
    "--port",
    "0",
    "--no-decision-log",
    "--traces",
    traces,
    ...variant?.args ?? [],
    ...(audit === undefined ? [] : ["--audit", audit, "--audit-actor-header", "x-agent-id"]),
  ];
  const name: TargetName = variant?.name ??
    (audit === undefined ? `gateway ${mode}` : "gateway audit");
  const p = await startDenoServer(name, cli, args);
  return { name, origin: origin(p), process: p };
}
