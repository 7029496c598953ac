/**
 * Run ids: which run an action belongs to, and the file-safe name of that run.
 *
 * Which run: the first source that gives a non-empty id, in this order — the request's
 * `x-mirage-run-id` header, the call's own `runId` (a decide request's `run_id`, a tool call's
 * `runId`), the session's or gate's `runId` option, `MIRAGE_RUN_ID`, the server's `--run-id`,
 * the MCP session id, then `"default"` (docs/outcomes.md#run-ids). An empty value counts as
 * absent. The order is written here only: every surface asks a {@link RunIdRule}.
 *
 * The file-safe name: run ids name trace files, so they are sanitised before they touch a path:
 * only `[A-Za-z0-9._-]`, no leading dot, no `.timing` ending (that names a sidecar), no name
 * Windows reserves, at most 100 characters. Any other id is rewritten and gets a hash of the
 * original, so that two different ids do not share a file; a rewritten id is itself kept as it
 * is, since readers sanitise the ids they list again.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * The request header that names a run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RUN_ID_HEADER, RunIdRule } from "./run_id.ts";
 * const headers = new Headers({ [RUN_ID_HEADER]: "nightly-42" });
 * assert.equal(new RunIdRule({ env: undefined }).resolve({ header: headers }), "nightly-42");
 * ```
 */
export const RUN_ID_HEADER = "x-mirage-run-id";

/** The run id when no source gives one. */
const DEFAULT_RUN_ID = "default";

/**
 * `MIRAGE_RUN_ID`, when set, non-empty and readable (env access may be denied).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envRunId } from "./run_id.ts";
 * assert.equal(envRunId(), Deno.env.get("MIRAGE_RUN_ID") || undefined);
 * ```
 */
export function envRunId(): string | undefined {
  try {
    return Deno.env.get("MIRAGE_RUN_ID") || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The configured sources of a {@link RunIdRule}, below the per-request ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunIdRule, type RunIdSources } from "./run_id.ts";
 * const sources: RunIdSources = { option: "", env: "ci-17", flag: "nightly" };
 * assert.equal(new RunIdRule(sources).fallback, "ci-17"); // an empty option counts as absent
 * ```
 */
export interface RunIdSources {
  /** A session's or gate's `runId` option. */
  readonly option?: string | undefined;
  /** `MIRAGE_RUN_ID`; default: read from the environment once, when the rule is made. */
  readonly env?: string | undefined;
  /** A server's `--run-id`. */
  readonly flag?: string | undefined;
}

/**
 * What one action brings to the run-id rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunIdRule, type RunIdRequest } from "./run_id.ts";
 * const rule = new RunIdRule({ env: undefined });
 * const call: RunIdRequest = { header: null, call: "r7", mcpSession: "s1" };
 * assert.equal(rule.resolve(call), "r7");
 * assert.equal(rule.resolve({ mcpSession: "s1" }), "s1");
 * assert.equal(rule.resolve(), "default");
 * ```
 */
export interface RunIdRequest {
  /** The `x-mirage-run-id` header (a `Headers` object or its value). */
  readonly header?: Headers | string | null | undefined;
  /** The call's own run id. */
  readonly call?: string | null | undefined;
  /** The MCP session id (`mirage mcp` only). */
  readonly mcpSession?: string | null | undefined;
}

/**
 * The run-id rule of one surface: the configured sources are read once, each action brings its
 * own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunIdRule } from "./run_id.ts";
 * const rule = new RunIdRule({ flag: "nightly", env: undefined });
 * assert.equal(rule.resolve({ header: "" }), "nightly"); // an empty header counts as absent
 * assert.equal(rule.resolve({ header: "r7" }), "r7");
 * assert.equal(rule.resolve({ mcpSession: "s1" }), "nightly"); // configured beats the session
 * assert.equal(new RunIdRule({ env: "ci-3", flag: "nightly" }).resolve(), "ci-3");
 * ```
 */
export class RunIdRule {
  /** The id configured sources give, before the MCP session id; `undefined` when none does. */
  readonly #configured: string | undefined;

  /** A rule over `sources`; `env` defaults to `MIRAGE_RUN_ID`. */
  constructor(sources: RunIdSources = {}) {
    const env = "env" in sources ? sources.env : envRunId();
    this.#configured = sources.option || env || sources.flag || undefined;
  }

  /** The id an action without an id of its own gets. */
  get fallback(): string {
    return this.#configured ?? DEFAULT_RUN_ID;
  }

  /** The run of one action. */
  resolve(request: RunIdRequest = {}): string {
    const h = request.header;
    const header = h instanceof Headers ? h.get(RUN_ID_HEADER) : h;
    return header || request.call || this.#configured || request.mcpSession || DEFAULT_RUN_ID;
  }
}

const SAFE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/** Ids that would read as another run's sidecar (`<run>.timing.json`) on any file system. */
const SIDECAR = /\.timing$/i;

/** Device names Windows reserves whatever the extension (`nul.json` is the null device). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * The file-safe form of a run id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sanitiseRunId } from "./run_id.ts";
 * assert.equal(sanitiseRunId("nightly-42"), "nightly-42");
 * assert.equal(sanitiseRunId("../etc/passwd"), "__etc_passwd-7fef78f534");
 * assert.equal(sanitiseRunId("nul"), "_nul-99e6242759"); // a Windows device name
 * ```
 */
export function sanitiseRunId(runId: string): string {
  if (SAFE.test(runId) && !SIDECAR.test(runId) && !WINDOWS_RESERVED.test(runId)) return runId;
  const cleaned = runId.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, 80) || "_";
  const base = WINDOWS_RESERVED.test(cleaned) ? `_${cleaned}` : cleaned;
  const hash = createHash("sha256").update(runId).digest("hex").slice(0, 10);
  return `${base}-${hash}`;
}
