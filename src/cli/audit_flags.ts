/**
 * `--audit DIR` and `--audit-actor-header NAME`, shared by the server commands (`proxy`,
 * `gateway`, `mcp`).
 * The HMAC key comes from `MIRAGE_AUDIT_KEY` only: a flag would show in `ps` and in shell
 * history, and `--help` never prints it.
 *
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";
import { AuditKey } from "../audit/audit_key.ts";
import type { AuditOptions } from "../audit/audit_log.ts";
import { MirageError } from "../errors.ts";
import { flagHelp, type FlagValues } from "./output.ts";

/**
 * The flags, for a command's parseArgs options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseArgs } from "node:util";
 * import { AUDIT_FLAGS } from "./audit_flags.ts";
 * const { values } = parseArgs({ args: ["--audit", "audit"], options: AUDIT_FLAGS });
 * assert.deepEqual({ ...values }, { audit: "audit" });
 * ```
 */
export const AUDIT_FLAGS: ParseArgsOptionsConfig = {
  audit: { type: "string" },
  "audit-actor-header": { type: "string" },
};

/**
 * Their usage text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AUDIT_FLAG_USAGE } from "./audit_flags.ts";
 * assert.equal(`mirage proxy ${AUDIT_FLAG_USAGE}`, "mirage proxy [--audit DIR [--audit-actor-header H]]");
 * ```
 */
export const AUDIT_FLAG_USAGE = "[--audit DIR [--audit-actor-header H]]";

/**
 * Their `--help` lines, flags from column `indent`, descriptions from column `column`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { auditFlagDetails } from "./audit_flags.ts";
 * assert.match(auditFlagDetails(2, 23)[0] ?? "", /^  --audit DIR {10}append/);
 * ```
 */
export function auditFlagDetails(indent: number, column: number): string[] {
  return flagHelp(
    [
      ["--audit DIR", [
        "append a hash-chained entry per decision and reload to DIR (one file",
        "per process; HMAC chain when MIRAGE_AUDIT_KEY is set; docs/audit.md)",
      ]],
      ["--audit-actor-header H", ["the request header that names the actor, e.g. x-agent-id"]],
    ],
    indent,
    column,
  );
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The audit options the flags ask for; throws `MirageError` code `usage` on a bad value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { auditOptions } from "./audit_flags.ts";
 * const options = auditOptions({ audit: "audit", "audit-actor-header": "X-Agent-Id" });
 * assert.deepEqual(options, { dir: "audit", actorHeader: "x-agent-id" });
 * assert.equal(auditOptions({}), undefined); // no --audit, no audit log
 * ```
 */
export function auditOptions(flags: FlagValues): AuditOptions | undefined {
  const dir = flags.audit as string | undefined;
  const header = flags["audit-actor-header"] as string | undefined;
  if (dir === undefined) {
    if (header !== undefined) {
      throw new MirageError("usage", "--audit-actor-header needs --audit DIR");
    }
    return undefined;
  }
  if (dir === "") throw new MirageError("usage", "--audit needs a directory");
  if (header !== undefined && !TOKEN.test(header)) {
    throw new MirageError("usage", `--audit-actor-header is not a header name: '${header}'`);
  }
  const key = AuditKey.fromEnv();
  return {
    dir,
    ...(header === undefined ? {} : { actorHeader: header.toLowerCase() }),
    ...(key ? { key } : {}),
  };
}
