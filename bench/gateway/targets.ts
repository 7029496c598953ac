/**
 * What the gateway suite puts load on: the upstream direct; the two bare proxies — hono + `fetch`
 * (`bare_proxy.ts`) and the pooled one (`pooled_proxy.ts`: the gateway's forwarding without
 * policy or trace, on `Deno.serve`, on Mirage's own listener — the difference is what the
 * listener costs — and on undici's `Pool`, the other client considered); and the Mirage gateway
 * in passthrough and in enforce mode, and in enforce mode with an audit log.
 */

import { repoUrl } from "../lib/policy_file.ts";
import { type ServerProcess, startDenoServer } from "./server_process.ts";

/** A target's name. */
export type TargetName =
  | "direct"
  | "hono + fetch bare"
  | "pooled bare"
  | "pooled bare, mirage listener"
  | "pooled bare, undici"
  | "gateway passthrough"
  | "gateway enforce"
  | "gateway, no rules"
  | "gateway, no rules, V8 defaults"
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

/** Starts the hono + fetch bare proxy in front of the upstream. */
export async function startHonoBare(upstream: string): Promise<Target> {
  const name = "hono + fetch bare";
  const p = await startDenoServer(name, repoUrl("bench/bare_proxy.ts").pathname, [
    "--upstream",
    upstream,
  ]);
  return { name, origin: origin(p), process: p };
}

/** How a pooled bare proxy runs: which client, which listener. */
export type PooledVariant = "pooled bare" | "pooled bare, mirage listener" | "pooled bare, undici";

const POOLED_ARGS: Readonly<Record<PooledVariant, readonly string[]>> = {
  "pooled bare": [],
  "pooled bare, mirage listener": ["--mirage-listener"],
  "pooled bare, undici": ["--client", "undici"],
};

/** Starts a pooled bare proxy in front of the upstream. */
export async function startPooled(upstream: string, name: PooledVariant): Promise<Target> {
  const p = await startDenoServer(name, repoUrl("bench/pooled_proxy.ts").pathname, [
    "--upstream",
    upstream,
    ...POOLED_ARGS[name],
  ]);
  return { name, origin: origin(p), process: p };
}

/** Another policy file, more flags and the name to report, for the state suite's gateways. */
export interface GatewayVariant {
  readonly name: TargetName;
  readonly policies: string;
  readonly args: readonly string[];
  /** Run without the V8 flags the `mirage` binary is compiled with. */
  readonly v8Defaults?: boolean;
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
    variant?.policies ?? repoUrl("bench/policies/decide_procurement.yaml").pathname,
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
  const p = await startDenoServer(name, cli, args, { v8Defaults: variant?.v8Defaults ?? false });
  return { name, origin: origin(p), process: p };
}
