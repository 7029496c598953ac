/**
 * `mirage mcp`: the policies in front of an MCP server — Streamable HTTP (`--upstream`), a stdio
 * server it spawns (`-- <command>`) — or, with `--mocks` alone, Mirage as the MCP server of the
 * declared tools (CI). When MCP is spoken on stdio, stdout carries the protocol only: the start
 * line, reload messages and decision lines go to stderr.
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import { stopSignal } from "../http/serve.ts";
import { stderrDecisionLog, stdoutDecisionLog } from "../log/decision_log.ts";
import { type McpOptions, startMcp } from "../mcp/mcp.ts";
import { AUDIT_FLAG_USAGE, AUDIT_FLAGS, auditFlagDetails, auditOptions } from "./audit_flags.ts";
import { env, integer, modeOf, requireFlags, upstreamOf } from "./flags.ts";
import {
  ADMIN_ROUTES_HELP,
  SERVER_FLAG_OPTIONS,
  SERVER_FLAG_USAGE,
  serverFlagDetails,
  serverFlags,
  serverRunId,
} from "./server_flags.ts";
import { openState, STATE_FLAGS, type StateChoice, stateChoice } from "./state_flags.ts";
import { type CommandSpec, type FlagValues, parseCommandArgs, usageError } from "./output.ts";
import { parseSize } from "./size.ts";

const SPEC: CommandSpec = {
  name: "mcp",
  usage: "--policies P (--upstream URL | --mocks M | -- COMMAND ARGS...) [--mocks M] " +
    "[--mode enforce|passthrough] [--port N] [--host H] [--path /mcp] [--allow-origin O ...] " +
    "[--hide-blocked-tools] [--traces DIR] [--run-id ID] [--timeout-ms 60000] [--max-body 1MiB] " +
    `${SERVER_FLAG_USAGE} [--no-decision-log] ${STATE_FLAGS.usage} ` +
    AUDIT_FLAG_USAGE,
  details: [
    "Three ways to run it:",
    "  --upstream URL       a Streamable HTTP MCP server: Mirage serves MCP at --path and forwards",
    "                       the client's path under URL (as the gateway does)",
    "  -- COMMAND ARGS      a stdio MCP server to spawn: put this in an MCP client's config in place",
    "                       of the server's command; stdout carries the protocol only",
    "  --mocks M (alone)    no server: Mirage serves the tools declared in M (CI), over stdio, or",
    "                       over HTTP at --path when --port is given",
    "",
    "  --policies P         policies file; reloaded on SIGHUP or change (a broken file keeps the old one)",
    "  --mocks M            with --upstream or a command: the declared tools are the allowed surface",
    "                       (strict_tools makes other tools unmatched_route)",
    "  --mode MODE          enforce (default): refuse violating tools/call with the rule's message;",
    "                       passthrough: let them through and record them (enforced: false)",
    "  --port N             HTTP port (0 = any free port); --upstream default 8002; with a command:",
    "                       admin routes only; with --mocks alone: MCP over HTTP instead of stdio",
    "  --host H             interface to bind (default 127.0.0.1)",
    "  --path P             where MCP is served over HTTP (default /mcp)",
    "  --allow-origin O     an Origin a browser page may call from (repeatable, * for any);",
    "                       default the loopback origins; requests without Origin are accepted",
    "  --hide-blocked-tools tools/list leaves out tools that a rule blocks whatever the call",
    "  --traces DIR         trace directory (default artifacts/traces)",
    "  --run-id ID          run id of calls without x-mirage-run-id when MIRAGE_RUN_ID is unset",
    "  --timeout-ms N       wait for the upstream's response head, then 504 (default 60000)",
    "  --max-body SIZE      bytes of one message read for the policies (default 1MiB); larger: a",
    "                       JSON-RPC error, recorded as an error",
    ...serverFlagDetails(2, 23),
    "  --no-decision-log    no JSON line per decision (stdout over HTTP, stderr on stdio)",
    ...STATE_FLAGS.help(2, 23),
    ...auditFlagDetails(2, 23),
    "",
    "Run id: x-mirage-run-id, else MIRAGE_RUN_ID, else --run-id, else the MCP session id, else 'default'.",
    "A refused call is answered with a tools/call result {isError: true, content: the rule's message}.",
    "",
    ...ADMIN_ROUTES_HELP,
  ],
  options: {
    upstream: { type: "string" },
    policies: { type: "string" },
    mocks: { type: "string" },
    mode: { type: "string", default: "enforce" },
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    path: { type: "string", default: "/mcp" },
    "allow-origin": { type: "string", multiple: true },
    "hide-blocked-tools": { type: "boolean", default: false },
    traces: { type: "string", default: "artifacts/traces" },
    "run-id": { type: "string" },
    "timeout-ms": { type: "string", default: "60000" },
    "max-body": { type: "string", default: "1MiB" },
    ...SERVER_FLAG_OPTIONS,
    ...STATE_FLAGS.options,
    ...AUDIT_FLAGS,
    "no-decision-log": { type: "boolean", default: false },
  },
};

const log = (line: string) => console.error(line);

/** Splits `mirage mcp` arguments into its flags and the server command after `--`. */
function splitCommand(args: string[]): { flags: string[]; command: string[] | undefined } {
  const at = args.indexOf("--");
  if (at === -1) return { flags: args, command: undefined };
  return { flags: args.slice(0, at), command: args.slice(at + 1) };
}

/**
 * Turns the flags (and the command after `--`) into options; throws `MirageError` code `usage`
 * on a bad value.
 */
function mcpOptions(values: FlagValues, command: string[] | undefined): McpOptions {
  const str = (name: string) => values[name] as string | undefined;
  requireFlags(values, ["mode", "policies"]);
  const mode = modeOf(str("mode"));
  const policies = str("policies") as string;
  if (command !== undefined && command.length === 0) {
    throw new MirageError("usage", "give the server's command after --");
  }
  const upstream = str("upstream") === undefined ? undefined : upstreamOf(str("upstream"));
  if (upstream && command) throw new MirageError("usage", "give --upstream or a command, not both");
  if (!upstream && !command && str("mocks") === undefined) {
    throw new MirageError("usage", "give --upstream URL, -- COMMAND, or --mocks M");
  }
  const audit = auditOptions(values);
  const port = str("port");
  const stdio = !upstream && (command !== undefined || port === undefined);
  return {
    policies,
    upstream,
    command,
    mocks: str("mocks"),
    mode,
    port: port === undefined ? undefined : integer(port, "port", 0, 65535),
    hostname: str("host") as string,
    path: str("path") as string,
    allowOrigins: values["allow-origin"] as string[] | undefined,
    hideBlockedTools: values["hide-blocked-tools"] === true,
    traces: str("traces") as string,
    runId: serverRunId(str("run-id")),
    timeoutMs: integer(str("timeout-ms") as string, "timeout-ms", 1, 3_600_000),
    maxBody: parseSize(str("max-body") as string),
    ...serverFlags(values),
    decisionLog: values["no-decision-log"]
      ? undefined
      : stdio
      ? stderrDecisionLog()
      : stdoutDecisionLog(),
    log,
    watch: true,
    ...(audit ? { audit } : {}),
  };
}

/**
 * Runs `mirage mcp` until the stdio server ends (its exit code) or SIGINT / SIGTERM.
 *
 * @example
 * ```ts ignore
 * import { run } from "./mcp.ts";
 * await run(["--policies", "policies.yaml", "--", "npx", "-y", "@acme/mcp-server"]);
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const { flags, command } = splitCommand(args);
  const parsed = parseCommandArgs(SPEC, flags);
  if (typeof parsed === "number") return parsed;
  let options: McpOptions;
  let state: StateChoice;
  try {
    options = mcpOptions(parsed, command);
    state = stateChoice(parsed, env);
  } catch (e) {
    if (e instanceof MirageError && (e.code === "usage" || e.code === "invalid_size")) {
      return usageError(SPEC, e.message);
    }
    throw e;
  }
  const mcp = await startMcp({ ...options, store: await openState(state, log) });
  const stopped = stopSignal().then((signal) => {
    log(`[mirage] ${signal}: stopping`);
    return undefined;
  });
  await Promise.race([mcp.exited, stopped]);
  await mcp.close();
  return await mcp.exited;
}
