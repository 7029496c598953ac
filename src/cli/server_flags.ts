/**
 * The flags every Mirage server takes the same way (`proxy`, `gateway`): the admin guard's
 * tokens and the client-connection timeouts, with their help lines.
 *
 * @module
 */

import { DEFAULT_HEAD_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from "../http/http_listener.ts";
import { envRunId } from "../trace/run_id.ts";
import { env, integer } from "./flags.ts";
import { type CommandSpec, flagHelp, type FlagValues } from "./output.ts";

/**
 * The flags, for a command's parseArgs options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseArgs } from "node:util";
 * import { SERVER_FLAG_OPTIONS } from "./server_flags.ts";
 * const { values } = parseArgs({ args: ["--admin-token", "t0ken"], options: SERVER_FLAG_OPTIONS });
 * assert.equal(values["admin-token"], "t0ken");
 * assert.equal(values["idle-timeout-ms"], "30000"); // the default
 * ```
 */
export const SERVER_FLAG_OPTIONS: CommandSpec["options"] = {
  "admin-token": { type: "string" },
  "decide-token": { type: "string" },
  "idle-timeout-ms": { type: "string", default: String(DEFAULT_IDLE_TIMEOUT_MS) },
  "head-timeout-ms": { type: "string", default: String(DEFAULT_HEAD_TIMEOUT_MS) },
};

/**
 * Their usage text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SERVER_FLAG_USAGE } from "./server_flags.ts";
 * assert.match(SERVER_FLAG_USAGE, /^\[--admin-token T\] \[--decide-token T\] /);
 * ```
 */
export const SERVER_FLAG_USAGE =
  "[--admin-token T] [--decide-token T] [--idle-timeout-ms 30000] [--head-timeout-ms 10000]";

/**
 * Their `--help` lines, flags from column `indent`, descriptions from column `column`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverFlagDetails } from "./server_flags.ts";
 * assert.match(serverFlagDetails(2, 23)[0] ?? "", /^  --admin-token T {6}admin routes/);
 * ```
 */
export function serverFlagDetails(indent: number, column: number): string[] {
  return flagHelp(
    [
      ["--admin-token T", [
        "admin routes (health aside) need 'authorization: Bearer T', loopback",
        "included (also MIRAGE_ADMIN_TOKEN); without it they answer loopback only",
      ]],
      ["--decide-token T", [
        "/_mirage/v1/decide takes 'Bearer T' (or the admin token) from any client,",
        "so that an agent's gate need not hold the admin token (MIRAGE_DECIDE_TOKEN)",
      ]],
      ["--idle-timeout-ms N", [
        `close a client connection idle N ms after its last answer (default ${DEFAULT_IDLE_TIMEOUT_MS})`,
      ]],
      ["--head-timeout-ms N", [
        "close a new connection whose request head is not complete in N ms",
        `(default ${DEFAULT_HEAD_TIMEOUT_MS})`,
      ]],
    ],
    indent,
    column,
  );
}

/**
 * The `--help` paragraph on the admin routes every server serves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ADMIN_ROUTES_HELP } from "./server_flags.ts";
 * assert.match(ADMIN_ROUTES_HELP[0] ?? "", /^Admin: GET \/_mirage\/health \(always open\)/);
 * ```
 */
export const ADMIN_ROUTES_HELP: readonly string[] = [
  "Admin: GET /_mirage/health (always open), /_mirage/metrics, /_mirage/v1/runs,",
  "       /_mirage/v1/runs/:id (loopback only, or the admin token when one is set);",
  "       POST /_mirage/v1/decide (an agent's remoteGate asks about a tool call; the decide",
  "       token opens it alone); the review console at /_mirage/console/ (docs/console.md).",
  "       See docs/operations.md.",
];

/**
 * A server's `--run-id` as its `runId` option: `MIRAGE_RUN_ID` comes before the flag (SPEC §4),
 * and without either the server's own fallback applies (for `mirage mcp`, the MCP session id).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverRunId } from "./server_flags.ts";
 * assert.equal(serverRunId(undefined), Deno.env.get("MIRAGE_RUN_ID") || undefined);
 * if (!Deno.env.get("MIRAGE_RUN_ID")) assert.equal(serverRunId("nightly"), "nightly");
 * ```
 */
export function serverRunId(flag: string | undefined): string | undefined {
  return envRunId() || flag || undefined;
}

/** What the flags give a server's options. */
interface ServerFlags {
  /** The admin token, from the flag or `MIRAGE_ADMIN_TOKEN`. */
  readonly adminToken: string | undefined;
  /** The decide token, from the flag or `MIRAGE_DECIDE_TOKEN`. */
  readonly decideToken: string | undefined;
  /** Idle timeout in ms. */
  readonly idleTimeoutMs: number;
  /** Head timeout in ms. */
  readonly headTimeoutMs: number;
}

/**
 * Reads the server flags; throws `MirageError` code `usage` on a bad value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverFlags } from "./server_flags.ts";
 * const f = serverFlags({ "idle-timeout-ms": "5000", "head-timeout-ms": "2000" });
 * assert.equal(f.idleTimeoutMs, 5000);
 * assert.equal(f.headTimeoutMs, 2000);
 * ```
 */
export function serverFlags(values: FlagValues): ServerFlags {
  const str = (name: string) => values[name] as string | undefined;
  const ms = (name: string, fallback: number) =>
    integer(str(name) ?? String(fallback), name, 1, 3_600_000);
  return {
    adminToken: str("admin-token") || env("MIRAGE_ADMIN_TOKEN"),
    decideToken: str("decide-token") || env("MIRAGE_DECIDE_TOKEN"),
    idleTimeoutMs: ms("idle-timeout-ms", DEFAULT_IDLE_TIMEOUT_MS),
    headTimeoutMs: ms("head-timeout-ms", DEFAULT_HEAD_TIMEOUT_MS),
  };
}
