/**
 * The MCP suite: `tools/call` through `mirage mcp --upstream` (enforce and passthrough) against
 * a direct connection to the same MCP server (the SDK's McpServer over Streamable HTTP), one
 * target at a time on loopback: throughput at a fixed concurrency, and the latency one call at
 * a time adds, as ratios from one run.
 */

import { mcpLoad, type McpLoadResult } from "../mcp/mcp_load.ts";
import { type ServerProcess, startDenoServer } from "../gateway/server_process.ts";
import { repoUrl } from "../lib/policy_file.ts";
import { progress } from "../lib/progress.ts";
import { fmt, type Ratio, type SuiteResult, type Table } from "../lib/report.ts";
import { UNCHECKED } from "../lib/regression.ts";

const PLAN = { concurrency: 16, seconds: 5, serialSeconds: 3, warmupSeconds: 1 } as const;

type TargetName = "direct" | "mirage mcp passthrough" | "mirage mcp enforce";

interface Measured {
  readonly name: TargetName;
  readonly saturated: McpLoadResult;
  readonly serial: McpLoadResult;
  readonly peakRssKiB: number | undefined;
}

function endpoint(p: ServerProcess): string {
  return `http://127.0.0.1:${p.port}/mcp`;
}

function startMirage(upstream: string, mode: "passthrough" | "enforce", traces: string) {
  return startDenoServer(`mirage mcp ${mode}`, repoUrl("src/cli/main.ts").pathname, [
    "mcp",
    "--upstream",
    upstream,
    "--mode",
    mode,
    "--policies",
    repoUrl("bench/policies/mcp.yaml").pathname,
    "--port",
    "0",
    "--no-decision-log",
    "--run-id",
    "bench-mcp",
    "--traces",
    traces,
  ]);
}

async function measure(name: TargetName, url: string, p?: ServerProcess): Promise<Measured> {
  progress("mcp", `${name}: warm-up, then ${PLAN.seconds}s at ${PLAN.concurrency} concurrent`);
  await mcpLoad(url, 4, PLAN.warmupSeconds);
  const saturated = await mcpLoad(url, PLAN.concurrency, PLAN.seconds);
  const serial = await mcpLoad(url, 1, PLAN.serialSeconds);
  return { name, saturated, serial, peakRssKiB: await p?.peakRssKiB() };
}

function saturatedTable(results: readonly Measured[]): Table {
  const direct = results[0] as Measured;
  return {
    title: `MCP — tools/call at ${PLAN.concurrency} concurrent for ${PLAN.seconds}s`,
    columns: ["target", "calls/s", "× direct", "p50 µs", "p99 µs", "errors", "peak RSS MiB"],
    rows: results.map((r) => [
      r.name,
      fmt(r.saturated.callsPerSecond, 0),
      fmt(r.saturated.callsPerSecond / direct.saturated.callsPerSecond, 2),
      fmt(r.saturated.latencyUs.p50, 0),
      fmt(r.saturated.latencyUs.p99, 0),
      String(r.saturated.errors),
      r.peakRssKiB === undefined ? "—" : fmt(r.peakRssKiB / 1024, 1),
    ]),
    notes: [
      "Each call is a Streamable HTTP POST with the session's id, answered as an event stream by " +
      "the SDK's McpServer; one session per client worker. The client, the server and Mirage " +
      `share the machine's ${navigator.hardwareConcurrency} cores.`,
    ],
  };
}

function serialTable(results: readonly Measured[]): Table {
  const direct = results[0] as Measured;
  const added = (r: Measured, k: "p50" | "p99") =>
    r.serial.latencyUs[k] - direct.serial.latencyUs[k];
  return {
    title: `MCP — one call at a time for ${PLAN.serialSeconds}s (latency, µs)`,
    columns: ["target", "calls", "p50", "p99", "added p50", "added p99", "p99 × direct"],
    rows: results.map((r) => [
      r.name,
      String(r.serial.calls),
      fmt(r.serial.latencyUs.p50, 0),
      fmt(r.serial.latencyUs.p99, 0),
      r === direct ? "—" : fmt(added(r, "p50"), 0),
      r === direct ? "—" : fmt(added(r, "p99"), 0),
      fmt(r.serial.latencyUs.p99 / direct.serial.latencyUs.p99, 2),
    ]),
    notes: [
      "Mirage decides on the parsed body (three rules apply to the call, one of them a rate " +
      "window), records the event in its trace and forwards the same bytes on the gateway's pooled " +
      "upstream connections; the answer is streamed back.",
    ],
  };
}

function ratiosOf(results: readonly Measured[]): Record<string, Ratio> {
  const direct = results[0] as Measured;
  const out: Record<string, Ratio> = {};
  for (const r of results.slice(1)) {
    const key = r.name.replace("mirage mcp ", "");
    out[`mcp.saturated.${key}_vs_direct.rps`] = {
      value: r.saturated.callsPerSecond / direct.saturated.callsPerSecond,
      better: "higher",
    };
    out[`mcp.serial.${key}_vs_direct.p50`] = {
      value: r.serial.latencyUs.p50 / direct.serial.latencyUs.p50,
      better: "lower",
    };
    out[`mcp.serial.${key}_vs_direct.p99`] = {
      value: r.serial.latencyUs.p99 / direct.serial.latencyUs.p99,
      better: "lower",
      tolerance: UNCHECKED,
    };
  }
  return out;
}

/** Runs the MCP suite. */
export async function runMcp(): Promise<SuiteResult> {
  const upstream = await startDenoServer(
    "mcp upstream",
    repoUrl("bench/mcp/upstream_server.ts").pathname,
    [],
  );
  const traces = await Deno.makeTempDir({ prefix: "mirage-bench-mcp-" });
  const origin = `http://127.0.0.1:${upstream.port}`;
  progress("mcp", `MCP server at ${origin}/mcp`);
  try {
    const results: Measured[] = [await measure("direct", endpoint(upstream))];
    for (const mode of ["passthrough", "enforce"] as const) {
      const mirage = await startMirage(origin, mode, traces);
      try {
        results.push(await measure(`mirage mcp ${mode}`, endpoint(mirage), mirage));
      } finally {
        await mirage.stop();
      }
    }
    return {
      suite: "mcp",
      raw: { plan: PLAN, targets: results },
      tables: [saturatedTable(results), serialTable(results)],
      ratios: ratiosOf(results),
      goals: [],
    };
  } finally {
    await upstream.stop();
    await Deno.remove(traces, { recursive: true }).catch(() => {});
  }
}
