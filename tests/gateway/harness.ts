/**
 * One test upstream, one gateway subprocess in front of it, a fresh trace directory; all torn
 * down after the test, whatever happened.
 */

import { readTrace } from "@mirage/core";
import { GatewayProcess } from "./gateway_process.ts";
import { TestUpstream, type UpstreamTls } from "./upstream_server.ts";

/** Fixture files. */
export const POLICIES = new URL("./fixtures/policies.yaml", import.meta.url).pathname;
export const SURFACE = new URL("./fixtures/surface.yaml", import.meta.url).pathname;

/** What a test gets. */
export interface Rig {
  upstream: TestUpstream;
  gateway: GatewayProcess;
  traces: string;
}

/** Options of {@link withGateway}. */
export interface RigOptions {
  mode?: "enforce" | "passthrough";
  /** More gateway flags. */
  args?: string[];
  env?: Record<string, string>;
  /** A policies file instead of the fixture's. */
  policies?: string;
  /** Use this upstream URL instead of the test upstream's. */
  upstreamUrl?: string;
  /** Derive the upstream URL from the test upstream's (e.g. to add a base path). */
  upstreamFor?: (url: string) => string;
  /** Serve the test upstream over TLS with this certificate. */
  upstreamTls?: UpstreamTls;
}

/** Runs `fn` against a gateway in front of a test upstream. */
export async function withGateway(
  options: RigOptions,
  fn: (rig: Rig) => Promise<void>,
): Promise<void> {
  const upstream = new TestUpstream(options.upstreamTls);
  const traces = await Deno.makeTempDir({ prefix: "mirage-gw-traces-" });
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await GatewayProcess.start([
      "--upstream",
      options.upstreamUrl ?? options.upstreamFor?.(upstream.url) ?? upstream.url,
      "--mode",
      options.mode ?? "enforce",
      "--policies",
      options.policies ?? POLICIES,
      "--traces",
      traces,
      ...(options.args ?? []),
    ], options.env);
    await fn({ upstream, gateway, traces });
  } finally {
    await gateway?.stop();
    await upstream.close();
    await Deno.remove(traces, { recursive: true });
  }
}

/** A run's trace, materialised from its journal as every reader does (the gateway does not). */
export async function readTraceFile(dir: string, runId: string): Promise<Record<string, unknown>> {
  const trace = await readTrace(dir, runId);
  if (!trace) throw new Error(`no trace for run '${runId}' in ${dir}`);
  return JSON.parse(JSON.stringify(trace));
}

/** JSON of a POST body. */
export function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
