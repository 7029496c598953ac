/**
 * The README's screenshot of the review console, taken from a real run: the demo's procurement
 * agent against `mirage proxy` (its 50,000 bid stopped by `enforce_bid_limit`), a little gateway
 * traffic in both modes in front of a local upstream, then `mirage console` over those traces,
 * photographed by Debian's Chromium.
 *
 * `deno run -A scripts/console_screenshot.ts [--out docs/console.png] [--page run|overview]`
 * (the runs are recorded in a temporary directory, as `artifacts/traces` there)
 *
 * @module
 */

import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startProxy } from "../src/ci/proxy.ts";
import { startConsole } from "../src/console/console_server.ts";
import { startGateway } from "../src/gateway/gateway.ts";
import { launchChromium } from "./chromium.ts";
import { runProcurementAgent } from "./procurement_agent.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const POLICIES = join(ROOT, "policies/procurement.yaml");
const MOCKS = join(ROOT, "mocks/procurement.yaml");
const RUN_ID = "procurement-run";
const quiet = () => {};

/** The demo's run through a real proxy. */
async function procurementRun(traces: string): Promise<void> {
  const proxy = await startProxy({
    policies: POLICIES,
    mocks: MOCKS,
    port: 0,
    traces,
    runId: RUN_ID,
    reloadOnSignal: false,
    watchFiles: false,
    log: quiet,
  });
  try {
    await runProcurementAgent(fetch, proxy.url);
  } finally {
    await proxy.close();
  }
}

async function postJson(url: string, json: unknown): Promise<void> {
  const answer = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(json),
  });
  await answer.body?.cancel();
}

/** A quote then bids through a gateway in each mode, in front of an upstream that accepts all. */
async function gatewayTraffic(traces: string): Promise<void> {
  const upstream = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => Response.json({ ok: true }),
  );
  try {
    for (const mode of ["enforce", "passthrough"] as const) {
      const gateway = await startGateway({
        upstream: new URL(`http://127.0.0.1:${upstream.addr.port}`),
        mode,
        policies: POLICIES,
        port: 0,
        traces,
        runId: `gateway-${mode}`,
        watch: false,
        log: quiet,
      });
      try {
        await postJson(`${gateway.url}/v1/get_quote`, { sku: "SKU-STEEL-100", quantity: 1_500 });
        for (const amount of [1_200, 8_000, 24_000, 60_000]) {
          await postJson(`${gateway.url}/v1/submit_bid`, { supplier_id: "SUP-001", amount });
        }
      } finally {
        await gateway.close();
      }
    }
  } finally {
    await upstream.shutdown();
  }
}

/**
 * Records the runs into `traces` (a directory that does not exist yet), serves the console over
 * them and writes the screenshot of `page` to `out`.
 *
 * @example
 * ```ts ignore
 * import { consoleScreenshot } from "./console_screenshot.ts";
 * await consoleScreenshot({ out: "docs/console.png", page: "run", traces: "/tmp/shot/traces" });
 * ```
 */
export async function consoleScreenshot(options: {
  readonly out: string;
  readonly page: "run" | "overview";
  readonly traces: string;
}): Promise<void> {
  const { traces } = options;
  await procurementRun(traces);
  await gatewayTraffic(traces);
  const server = await startConsole({ traces, policies: POLICIES, port: 0, log: quiet });
  try {
    await using browser = await launchChromium();
    const tab = await browser.context.newPage();
    await tab.goto(options.page === "run" ? `${server.url}runs/${RUN_ID}` : server.url);
    await tab.screenshot({ path: options.out, fullPage: true });
  } finally {
    await server.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string", default: join(ROOT, "docs/console.png") },
      page: { type: "string", default: "run" },
    },
  });
  const out = resolve(values.out as string);
  const dir = await Deno.makeTempDir({ prefix: "mirage-screenshot-" });
  // The picture shows the trace directory as a reader's would be: artifacts/traces.
  Deno.chdir(dir);
  try {
    const page = values.page === "overview" ? "overview" : "run";
    await consoleScreenshot({ out, page, traces: "artifacts/traces" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  console.log(`wrote ${out}`);
}
