/**
 * `mirage gateway`: Mirage in front of a real upstream, in `enforce` or `passthrough` mode.
 * The listening line and reload messages go to stderr; stdout carries only the JSON decision
 * log, so that a log shipper can read it as is.
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import { env, integer, modeOf, requireFlags, upstreamOf } from "./flags.ts";
import { stdoutDecisionLog } from "../log/decision_log.ts";
import { type GatewayOptions, startGateway } from "../gateway/gateway.ts";
import { parseSize } from "./size.ts";
import { stopSignal } from "../http/serve.ts";
import { type CommandSpec, type FlagValues, parseCommandArgs, usageError } from "./output.ts";
import {
  ADMIN_ROUTES_HELP,
  SERVER_FLAG_OPTIONS,
  SERVER_FLAG_USAGE,
  serverFlagDetails,
  serverFlags,
  serverRunId,
} from "./server_flags.ts";
import { openState, STATE_FLAGS, type StateChoice, stateChoice } from "./state_flags.ts";
import { AUDIT_FLAG_USAGE, AUDIT_FLAGS, auditFlagDetails, auditOptions } from "./audit_flags.ts";

const SPEC: CommandSpec = {
  name: "gateway",
  usage:
    "--upstream URL --mode passthrough|enforce --policies P [--surface mocks.yaml] [--port 8080] " +
    "[--host 127.0.0.1] [--traces DIR] [--run-id ID] [--timeout-ms 10000] [--max-body 1MiB] " +
    `${SERVER_FLAG_USAGE} [--no-decision-log] ${STATE_FLAGS.usage} ` +
    AUDIT_FLAG_USAGE,
  details: [
    "  --upstream URL       where allowed requests go (http or https, optionally with a base path,",
    "                       which rules do not see: they read the path the client sent)",
    "  --mode MODE          enforce: stop violations (403/404); passthrough: forward and record them",
    "  --policies P         policies file; reloaded on SIGHUP or change (a broken file keeps the old one)",
    "  --surface M          mocks file whose routes are the allowed surface; others are unmatched_route",
    "  --port N             port to listen on (0 = any free port; default 8080)",
    "  --host H             interface to bind (default 127.0.0.1)",
    "  --traces DIR         trace directory (default artifacts/traces)",
    "  --run-id ID          run id of requests without x-mirage-run-id when MIRAGE_RUN_ID is unset",
    "  --timeout-ms N       wait for the upstream's response head, then 504 (default 10000)",
    "  --max-body SIZE      request body bytes read for the policies, as sent and decompressed,",
    "                       e.g. 512KiB (default 1MiB); larger: enforce answers 413, passthrough",
    "                       forwards and records an error",
    ...serverFlagDetails(2, 23),
    "  --no-decision-log    no JSON line per decision on stdout",
    ...STATE_FLAGS.help(2, 23),
    ...auditFlagDetails(2, 23),
    "",
    "Run id: the x-mirage-run-id header, else MIRAGE_RUN_ID, else --run-id, else 'default'.",
    "",
    ...ADMIN_ROUTES_HELP,
  ],
  options: {
    upstream: { type: "string" },
    mode: { type: "string" },
    policies: { type: "string" },
    surface: { type: "string" },
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
    traces: { type: "string", default: "artifacts/traces" },
    "run-id": { type: "string" },
    "timeout-ms": { type: "string", default: "10000" },
    "max-body": { type: "string", default: "1MiB" },
    ...SERVER_FLAG_OPTIONS,
    ...STATE_FLAGS.options,
    ...AUDIT_FLAGS,
    "no-decision-log": { type: "boolean", default: false },
  },
};

const log = (line: string) => console.error(line);

/** Turns the flags into gateway options; throws `MirageError` code `usage` on a bad value. */
function gatewayOptions(values: FlagValues): GatewayOptions {
  const str = (name: string) => values[name] as string | undefined;
  requireFlags(values, ["upstream", "mode", "policies"]);
  const mode = modeOf(str("mode"));
  const policies = str("policies") as string;
  const maxBody = parseSize(str("max-body") as string);
  const audit = auditOptions(values);
  return {
    upstream: upstreamOf(str("upstream")),
    mode,
    policies,
    surface: str("surface"),
    port: integer(str("port") as string, "port", 0, 65535),
    hostname: str("host") as string,
    traces: str("traces") as string,
    timeoutMs: integer(str("timeout-ms") as string, "timeout-ms", 1, 3_600_000),
    maxBody,
    ...serverFlags(values),
    runId: serverRunId(str("run-id")),
    decisionLog: values["no-decision-log"] ? undefined : stdoutDecisionLog(),
    log,
    watch: true,
    ...(audit ? { audit } : {}),
  };
}

/**
 * Runs the gateway until SIGINT or SIGTERM, then shuts it down gracefully.
 *
 * @example
 * ```ts ignore
 * import { run } from "./gateway.ts";
 * await run(["--upstream", "http://127.0.0.1:9000", "--mode", "enforce", "--policies", "policies.yaml"]);
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(SPEC, args);
  if (typeof parsed === "number") return parsed;
  let options: GatewayOptions;
  let state: StateChoice;
  try {
    options = gatewayOptions(parsed);
    state = stateChoice(parsed, env);
  } catch (e) {
    if (e instanceof MirageError && (e.code === "usage" || e.code === "invalid_size")) {
      return usageError(SPEC, e.message);
    }
    throw e;
  }
  const gateway = await startGateway({ ...options, store: await openState(state, log) });
  const signal = await stopSignal();
  log(`[mirage] ${signal}: finishing in-flight requests`);
  await gateway.close();
  return 0;
}
