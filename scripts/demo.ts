/**
 * `deno task demo`: the landing page's story, live. Starts `mirage proxy` in-process on a free
 * port with the procurement policies and mocks, runs the example agent as its own process
 * against it, and shows what Mirage decided: two calls allowed, the 50,000 bid stopped by
 * `enforce_bid_limit`, nothing landed, one deterministic trace.
 *
 * @module
 */

import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { painter, wantsColour } from "../src/log/colour.ts";
import { startProxy } from "../src/ci/proxy.ts";
import { readTrace } from "../src/trace/trace_reader.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUN_ID = "procurement-run";
const POLICIES = join(ROOT, "policies/procurement.yaml");
const MOCKS = join(ROOT, "mocks/procurement.yaml");
const TRACES = join(ROOT, "artifacts/traces");
const AGENT = join(ROOT, "scripts/procurement_agent.ts");

const colour = wantsColour(Deno.stdout);
const paint = painter(colour);

/** A path as the user should type it from where they are. */
function shown(path: string): string {
  return relative(Deno.cwd(), path) || ".";
}

async function runAgent(proxyUrl: string): Promise<number> {
  const agent = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-env=MIRAGE_PROXY_URL", AGENT],
    env: { MIRAGE_PROXY_URL: proxyUrl, NO_COLOR: "1" },
    stdout: "inherit",
    stderr: "inherit",
  });
  return (await agent.output()).code;
}

function printNext(trace: string): void {
  const lines = [
    ["deno task test", "run the tests, including tests/examples/procurement_agent_test.ts"],
    [`deno task mirage gate-run --traces ${shown(TRACES)}`, "see the CI gate fail this run"],
    [`cat ${trace}`, "read the deterministic trace"],
    [
      `deno task mirage console --traces ${shown(TRACES)}`,
      "read it in the review console at http://127.0.0.1:8003/",
    ],
    [`edit ${shown(POLICIES)}`, "raise the limit (or fix the agent) and run the demo again"],
  ];
  const width = Math.max(...lines.map(([cmd]) => (cmd as string).length));
  console.log(`\n${paint("dim", "Next:")}`);
  for (const [cmd, why] of lines) {
    console.log(`  ${(cmd as string).padEnd(width)}  ${paint("dim", `# ${why}`)}`);
  }
}

async function main(): Promise<number> {
  console.log(
    `${paint("dim", "$")} mirage proxy --mocks ${shown(MOCKS)} --policies ${shown(POLICIES)}`,
  );
  const proxy = await startProxy({
    policies: POLICIES,
    mocks: MOCKS,
    port: 0,
    hostname: "127.0.0.1",
    traces: TRACES,
    runId: RUN_ID,
    mode: "enforce",
    reloadOnSignal: false,
    watchFiles: false,
    log: (line) => console.log(line),
    colour,
  });
  console.log(`\n${paint("dim", "$")} MIRAGE_PROXY_URL=${proxy.url} deno run ${shown(AGENT)}\n`);
  let agentCode: number;
  try {
    agentCode = await runAgent(proxy.url);
  } finally {
    await proxy.close();
  }
  const trace = await readTrace(TRACES, RUN_ID);
  if (agentCode !== 0 || !trace) {
    console.error(
      `\n[demo] the agent exited ${agentCode}${trace ? "" : " and no trace was written"}`,
    );
    return 1;
  }
  const path = shown(join(TRACES, `${RUN_ID}.json`));
  const outcome = trace.policy ? `${trace.outcome} (${trace.policy})` : trace.outcome;
  console.log(`\nside_effect_count: ${trace.side_effect_count}`);
  console.log(`trace: ${path}`);
  console.log(
    `outcome: ${trace.outcome === "allowed" ? paint("green", outcome) : paint("red", outcome)}`,
  );
  console.log(paint("dim", `digest: ${trace.digest} (same agent, same bytes)`));
  printNext(path);
  return 0;
}

Deno.exit(await main());
