/**
 * Traces for the console tests, recorded by the real servers: the demo's procurement run
 * through `mirage proxy` (the agent of scripts/procurement_agent.ts), a run carrying secrets
 * and an XSS payload in its path, headers and body, and gateway traffic in enforce and in
 * passthrough in front of a real upstream.
 */

import { join } from "node:path";
import { startProxy } from "../../src/ci/proxy.ts";
import { type ConsoleHandle, startConsole } from "@mirage/core/console";
import { type GatewayHandle, startGateway } from "../../src/gateway/gateway.ts";
import { runProcurementAgent } from "../../scripts/procurement_agent.ts";
import { ROOT } from "../support/cli_process.ts";
import { POLICIES as GATEWAY_POLICIES } from "../gateway/harness.ts";
import { TestUpstream } from "../gateway/upstream_server.ts";

/** The procurement policies and mocks of the demo. */
export const PROCUREMENT_POLICIES = join(ROOT, "policies/procurement.yaml");
const PROCUREMENT_MOCKS = join(ROOT, "mocks/procurement.yaml");

/** The gateway tests' policies (a cap on `amount`, a flag, redacted secrets). */
export { GATEWAY_POLICIES };

/** What an XSS payload in a trace holds: markup that would run if it were ever rendered. */
export const XSS = {
  path: `/v1/<script>alert("path")</script>`,
  header: `<img src=x onerror=alert("header")>`,
  body: `"><svg onload=alert("body")>`,
};

/** The run ids recorded. */
export const RUNS = {
  procurement: "procurement-run",
  xss: "hostile <run> & 'id'",
  enforce: "gw-enforce",
  passthrough: "gw-passthrough",
} as const;

const quiet = () => {};

/** The demo's procurement run, and the hostile run, through a real proxy. */
export async function recordProxyRuns(traces: string): Promise<void> {
  const proxy = await startProxy({
    policies: PROCUREMENT_POLICIES,
    mocks: PROCUREMENT_MOCKS,
    port: 0,
    traces,
    runId: RUNS.procurement,
    reloadOnSignal: false,
    watchFiles: false,
    log: quiet,
  });
  try {
    await runProcurementAgent(fetch, proxy.url);
    const hostile = { "x-mirage-run-id": RUNS.xss };
    const answers = [
      await fetch(`${proxy.url}${XSS.path}?q=${encodeURIComponent(XSS.header)}`, {
        headers: { ...hostile, "x-note": XSS.header },
      }),
      await fetch(`${proxy.url}/v1/get_quote`, {
        method: "POST",
        headers: {
          ...hostile,
          "content-type": "application/json",
          authorization: "Bearer sk-live-secret",
          "x-buyer-token": "buyer-secret",
        },
        body: JSON.stringify({ sku: XSS.body, quantity: 5000 }),
      }),
    ];
    for (const a of answers) await a.body?.cancel();
  } finally {
    await proxy.close();
  }
}

/** Sends one JSON POST through a gateway and drops the answer. */
export async function post(
  url: string,
  runId: string,
  json: unknown,
  headers = {},
): Promise<number> {
  const answer = await fetch(`${url}/echo`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-mirage-run-id": runId, ...headers },
    body: JSON.stringify(json),
  });
  await answer.body?.cancel();
  return answer.status;
}

/** A gateway in front of `upstream` with the gateway tests' policies, on a free port, quiet. */
export function testGateway(
  upstream: TestUpstream,
  mode: "enforce" | "passthrough",
  traces: string,
): Promise<GatewayHandle> {
  return startGateway({
    upstream: new URL(upstream.url),
    mode,
    policies: GATEWAY_POLICIES,
    port: 0,
    traces,
    watch: false,
    log: quiet,
  });
}

/** Gateway traffic through real gateways in front of a real upstream: enforce, then passthrough. */
export async function recordGatewayRuns(traces: string): Promise<void> {
  const upstream = new TestUpstream();
  try {
    for (const mode of ["enforce", "passthrough"] as const) {
      const gateway = await testGateway(upstream, mode, traces);
      const run = mode === "enforce" ? RUNS.enforce : RUNS.passthrough;
      try {
        await post(gateway.url, run, { amount: 20 }, { "x-secret-token": "gw-secret" });
        await post(gateway.url, run, { amount: 70 });
        await post(gateway.url, run, { amount: 500 });
      } finally {
        await gateway.close();
      }
    }
  } finally {
    await upstream.close();
  }
}

/** The proxy's runs and the gateways' traffic, into one directory. */
export async function recordAll(traces: string): Promise<void> {
  await recordProxyRuns(traces);
  await recordGatewayRuns(traces);
}

/** `mirage console` over `traces` with the procurement policies, on a free port, quiet. */
export function consoleOver(traces: string): Promise<ConsoleHandle> {
  return startConsole({ traces, policies: PROCUREMENT_POLICIES, port: 0, log: quiet });
}
