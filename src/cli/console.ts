/**
 * `mirage console`: the review console over a trace directory — served (until SIGINT or
 * SIGTERM), or, with `--export DIR`, written as static HTML for a CI artifact.
 *
 * @module
 */

import { CONSOLE_PORT, startConsole } from "../console/console_server.ts";
import { exportConsole } from "../console/export_site.ts";
import { MirageError } from "../errors.ts";
import { stopSignal } from "../http/serve.ts";
import { env, integer } from "./flags.ts";
import { type CommandSpec, parseCommandArgs, usageError } from "./output.ts";

const SPEC: CommandSpec = {
  name: "console",
  usage: `[--traces DIR] [--policies P] [--port ${CONSOLE_PORT}] [--host 127.0.0.1] ` +
    "[--admin-token T] [--export DIR]",
  details: [
    "Serves the review console over a trace directory: runs and events by outcome, containment,",
    "decision latency, policy friction, each run's timeline, a live feed. Read-only.",
    "",
    "  --traces DIR       trace directory (default artifacts/traces)",
    "  --policies P       policies file whose rules the policies page lists with their counts",
    `  --port N           port to listen on (default ${CONSOLE_PORT}; 0 = any free port)`,
    "  --host H           interface to bind (default 127.0.0.1)",
    "  --admin-token T    every page needs 'authorization: Bearer T' (a browser asks for it as",
    "                     the Basic password), loopback included (also MIRAGE_ADMIN_TOKEN);",
    "                     without it, pages answer loopback clients at a loopback host only",
    "  --export DIR       write the pages as static HTML into DIR instead (for a CI artifact:",
    "                     open DIR/index.html); an earlier export in DIR is replaced",
    "",
    "The proxy, the gateway and mirage mcp serve the same console at /_mirage/console/.",
  ],
  options: {
    traces: { type: "string", default: "artifacts/traces" },
    policies: { type: "string", short: "p" },
    port: { type: "string", default: String(CONSOLE_PORT) },
    host: { type: "string", default: "127.0.0.1" },
    "admin-token": { type: "string" },
    export: { type: "string" },
  },
};

const log = (line: string) => console.error(line);

/**
 * Runs `mirage console`: serves until stopped, or exports and exits; 2 on bad flags.
 *
 * @example
 * ```ts ignore
 * import { run } from "./console.ts";
 * await run(["--traces", "artifacts/traces", "--export", "artifacts/console"]);
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs(SPEC, args);
  if (typeof flags === "number") return flags;
  const str = (name: string) => flags[name] as string | undefined;
  const traces = str("traces") as string;
  const policies = str("policies");
  const out = str("export");
  if (out !== undefined) {
    if (!await Deno.stat(traces).then((s) => s.isDirectory, () => false)) {
      // Still exported (an empty console is a valid artifact), but a mistyped path must show.
      log(`mirage console: no trace directory at ${traces}: the export holds no runs`);
    }
    const report = await exportConsole({ traces, out, policies });
    console.log(
      `exported ${report.runs} runs (${report.files} files) to ${report.out}: open ${report.out}/index.html`,
    );
    return 0;
  }
  let port: number;
  try {
    port = integer(str("port") as string, "port", 0, 65535);
  } catch (e) {
    if (e instanceof MirageError) return usageError(SPEC, e.message);
    throw e;
  }
  const server = await startConsole({
    traces,
    policies,
    port,
    hostname: str("host") as string,
    adminToken: str("admin-token") || env("MIRAGE_ADMIN_TOKEN"),
    log,
  });
  const signal = await stopSignal();
  log(`[mirage] ${signal}: stopping the console`);
  await server.close();
  return 0;
}
