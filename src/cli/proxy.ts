/**
 * `mirage proxy`: serves the declared mocks to an agent under test, stops what the policies
 * forbid, and writes one deterministic trace per run. Reloads on SIGHUP and file change;
 * SIGINT / SIGTERM finish in-flight requests and flush the traces before exiting 0.
 *
 * @module
 */

import type { Mode } from "../engine/outcome.ts";
import { errorMessage, MirageError } from "../errors.ts";
import { wantsColour } from "../log/colour.ts";
import { startProxy } from "../ci/proxy.ts";
import { chaosSwitch } from "../engine/chaos_switch.ts";
import { stopSignal } from "../http/serve.ts";
import { type CommandSpec, type FlagValues, parseCommandArgs, usageError } from "./output.ts";
import { parsePort } from "./port.ts";
import { modeOf, requireFlags } from "./flags.ts";
import { openState, STATE_FLAGS, type StateChoice, stateChoice } from "./state_flags.ts";
import { AUDIT_FLAG_USAGE, AUDIT_FLAGS, auditFlagDetails, auditOptions } from "./audit_flags.ts";
import {
  ADMIN_ROUTES_HELP,
  SERVER_FLAG_OPTIONS,
  SERVER_FLAG_USAGE,
  serverFlagDetails,
  serverFlags,
  serverRunId,
} from "./server_flags.ts";
import { parseSize } from "./size.ts";

const SPEC: CommandSpec = {
  name: "proxy",
  usage: "--mocks M --policies P [--port 8001] [--host 127.0.0.1] [--traces DIR] [--run-id ID] " +
    `[--mode enforce|passthrough] [--max-body 1MiB] [--chaos SEED|PROFILE[:SEED]] [--no-watch] ` +
    `${SERVER_FLAG_USAGE} ${STATE_FLAGS.usage} ${AUDIT_FLAG_USAGE}`,
  details: [
    "Serves the mocks to an agent and enforces the policies; one trace file per run.",
    "",
    "  -m, --mocks M      mocks file: the declared surface",
    "  -p, --policies P   policies file",
    "      --port N       port to listen on (default 8001; 0 = any free port)",
    "      --host H       interface to bind (default 127.0.0.1)",
    "      --traces DIR   trace directory (default artifacts/traces)",
    "      --run-id ID    run id when a request has no x-mirage-run-id header and MIRAGE_RUN_ID",
    '                     is unset (default "default")',
    "      --mode M       enforce (default): answer 403/404 to violations;",
    "                     passthrough: serve the mock anyway and record enforced: false",
    "      --max-body N   request body bytes read for the policies, as sent and decompressed,",
    "                     e.g. 512KiB (default 1MiB); larger: 413 and an error, in both modes",
    "      --chaos C      turn a fault profile of the mocks file on for every run: SEED (the",
    "                     mocks' own faults:), PROFILE (a chaos: profile, seed 0) or PROFILE:SEED",
    "      --no-watch     do not reload when a file changes (SIGHUP still reloads)",
    ...serverFlagDetails(6, 21),
    ...STATE_FLAGS.help(6, 21),
    ...auditFlagDetails(6, 21),
    "",
    ...ADMIN_ROUTES_HELP,
  ],
  options: {
    mocks: { type: "string", short: "m" },
    policies: { type: "string", short: "p" },
    port: { type: "string", default: "8001" },
    host: { type: "string", default: "127.0.0.1" },
    traces: { type: "string", default: "artifacts/traces" },
    "run-id": { type: "string" },
    mode: { type: "string", default: "enforce" },
    "max-body": { type: "string", default: "1MiB" },
    chaos: { type: "string" },
    "no-watch": { type: "boolean" },
    ...SERVER_FLAG_OPTIONS,
    ...STATE_FLAGS.options,
    ...AUDIT_FLAGS,
  },
};

function usageProblem(flags: FlagValues): string | undefined {
  try {
    requireFlags(flags, ["mocks", "policies"]);
    modeOf(String(flags.mode));
  } catch (e) {
    return errorMessage(e);
  }
  if (parsePort(String(flags.port)) === undefined) {
    return `--port must be 0-65535, got '${flags.port}'`;
  }
  try {
    parseSize(String(flags["max-body"]));
  } catch (e) {
    return `--max-body: ${errorMessage(e)}`;
  }
  if (typeof flags.chaos === "string") {
    try {
      chaosSwitch(flags.chaos);
    } catch (e) {
      if (e instanceof MirageError) return `--chaos: ${e.message}`;
      throw e;
    }
  }
  return undefined;
}

/**
 * Runs `mirage proxy` until SIGINT / SIGTERM; 0 after a clean stop, 1 on bad files, 2 on bad
 * flags.
 *
 * @example
 * ```ts ignore
 * import { run } from "./proxy.ts";
 * const code = await run(["--mocks", "mocks/procurement.yaml", "--policies", "policies/procurement.yaml", "--port", "0"]);
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs(SPEC, args);
  if (typeof flags === "number") return flags;
  const problem = usageProblem(flags);
  if (problem) return usageError(SPEC, problem);
  let state: StateChoice;
  try {
    state = stateChoice(flags, (name) => Deno.env.get(name) || undefined);
  } catch (e) {
    if (e instanceof MirageError) return usageError(SPEC, e.message);
    throw e;
  }
  let audit;
  let server;
  try {
    audit = auditOptions(flags);
    server = serverFlags(flags);
  } catch (e) {
    if (e instanceof MirageError && e.code === "usage") return usageError(SPEC, e.message);
    throw e;
  }
  const traces = String(flags.traces);
  let proxy;
  try {
    proxy = await startProxy({
      ...server,
      mocks: String(flags.mocks),
      policies: String(flags.policies),
      port: parsePort(String(flags.port)) as number,
      hostname: String(flags.host),
      traces,
      runId: serverRunId(flags["run-id"] as string | undefined),
      mode: flags.mode as Mode,
      maxBody: parseSize(String(flags["max-body"])),
      reloadOnSignal: true,
      watchFiles: !flags["no-watch"],
      log: (line) => console.log(line),
      colour: wantsColour(Deno.stdout),
      store: await openState(state, (line) => console.log(line)),
      ...(audit ? { audit } : {}),
      ...(typeof flags.chaos === "string" ? { chaos: flags.chaos } : {}),
    });
  } catch (e) {
    // A bad file, or a chaos profile the mocks file does not declare.
    if (!(e instanceof MirageError)) throw e;
    console.error(e.message);
    return 1;
  }
  const signal = await stopSignal();
  console.log(`[mirage] ${signal}: finishing in-flight requests`);
  await proxy.close();
  console.log(`[mirage] proxy stopped · traces in ${traces}`);
  return 0;
}
