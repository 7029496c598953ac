/**
 * Load for the MCP suite: `tools/call` POSTs as an MCP client sends them (one session per
 * worker, opened with initialize), each answer read whole, for a fixed time at a fixed
 * concurrency; every call is timed from send to the end of its answer.
 */

import { type Percentiles, percentiles } from "../lib/stats.ts";

/** What one load measured. */
export interface McpLoadResult {
  readonly calls: number;
  readonly callsPerSecond: number;
  /** Latency of one call, µs. */
  readonly latencyUs: Percentiles;
  /** Calls whose answer was not the tool's result. */
  readonly errors: number;
}

const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-06-18",
};

async function openSession(endpoint: string): Promise<string> {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "bench", version: "1" },
      },
    }),
  });
  const session = res.headers.get("mcp-session-id");
  await res.text();
  if (!session) throw new Error(`no session from ${endpoint} (status ${res.status})`);
  const note = await fetch(endpoint, {
    method: "POST",
    headers: { ...HEADERS, "mcp-session-id": session },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  await note.text();
  return session;
}

async function worker(
  endpoint: string,
  until: number,
  latencies: number[],
): Promise<number> {
  const session = await openSession(endpoint);
  const headers = { ...HEADERS, "mcp-session-id": session };
  let errors = 0;
  for (let id = 1; performance.now() < until; id++) {
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "lookup_order", arguments: { order_id: `ORD-${id}` } },
    });
    const start = performance.now();
    const res = await fetch(endpoint, { method: "POST", headers, body });
    const text = await res.text();
    latencies.push((performance.now() - start) * 1000);
    if (!text.includes(`order ORD-${id}: shipped`)) errors++;
  }
  await (await fetch(endpoint, { method: "DELETE", headers })).body?.cancel();
  return errors;
}

/** Calls `endpoint` from `concurrency` workers for `seconds`. */
export async function mcpLoad(
  endpoint: string,
  concurrency: number,
  seconds: number,
): Promise<McpLoadResult> {
  const latencies: number[] = [];
  const start = performance.now();
  const until = start + seconds * 1000;
  const errors = await Promise.all(
    Array.from({ length: concurrency }, () => worker(endpoint, until, latencies)),
  );
  const elapsed = (performance.now() - start) / 1000;
  return {
    calls: latencies.length,
    callsPerSecond: latencies.length / elapsed,
    latencyUs: percentiles(latencies),
    errors: errors.reduce((a, b) => a + b, 0),
  };
}
