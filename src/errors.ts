/**
 * Typed errors. Every error Mirage throws on purpose is a {@link MirageError} with a stable `code`.
 *
 * @module
 */

import type { SourcePosition } from "./config/types.ts";

/**
 * Base class of every error Mirage throws on purpose.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MirageError } from "@mirage/core";
 * assert.throws(() => {
 *   throw new MirageError("trace_io", "cannot write trace");
 * }, (e) => e instanceof MirageError && e.code === "trace_io");
 * ```
 */
export class MirageError extends Error {
  /** A stable, machine-readable code such as `config_invalid`. */
  readonly code: string;

  /** Creates an error with a code and a message. */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MirageError";
    this.code = code;
  }
}

/**
 * One problem in a configuration file, at a position.
 *
 * @example
 * ```ts
 * import type { ConfigIssue } from "@mirage/core";
 * const issue: ConfigIssue = { file: "p.yaml", line: 4, col: 15, message: "unknown operator 'maxx' (did you mean 'max'?)" };
 * ```
 */
export interface ConfigIssue extends SourcePosition {
  /** What is wrong, without the position. */
  message: string;
}

/** Formats an issue as `file:line:col: message`. */
function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}: ${issue.message}`;
}

/**
 * Every problem found in one configuration file. `message` lists them one per line as
 * `file:line:col: message`; `file`, `line` and `col` are those of the first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePolicies } from "@mirage/core";
 * assert.throws(() => parsePolicies("policies:\n  - name: a\n", "p.yaml"), {
 *   name: "ConfigError",
 *   file: "p.yaml",
 *   line: 2,
 *   col: 5,
 *   message: "p.yaml:2:5: missing required key 'message'\n" +
 *     "p.yaml:2:5: a rule needs one of 'operator' (with 'field'), 'when' or 'expr'",
 * });
 * ```
 */
export class ConfigError extends MirageError {
  /** All problems, in file order. */
  readonly issues: readonly ConfigIssue[];
  /** File of the first problem. */
  readonly file: string;
  /** Line of the first problem. */
  readonly line: number;
  /** Column of the first problem. */
  readonly col: number;

  /** Creates an error from one or more issues (at least one). */
  constructor(issues: readonly ConfigIssue[]) {
    const first = issues[0] ?? { file: "<unknown>", line: 1, col: 1, message: "invalid" };
    super("config_invalid", issues.map(formatIssue).join("\n"));
    this.name = "ConfigError";
    this.issues = issues;
    this.file = first.file;
    this.line = first.line;
    this.col = first.col;
  }
}

/**
 * Thrown by `assertClean()` when a run has a `policy_violation`, `unmatched_route` or `error`,
 * and by the framework adapters for a blocked tool call with `onBlock: "throw"`. The message
 * lists each offending event readably.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MirageViolationError } from "@mirage/core";
 * const e = new MirageViolationError("procurement", "policy_violation", ["#3 POST /v1/submit_bid ..."]);
 * assert.equal(e.code, "run_not_clean");
 * assert.equal(e.outcome, "policy_violation");
 * assert.equal(e.message, "run 'procurement' is not clean: policy_violation\n  #3 POST /v1/submit_bid ...");
 * ```
 */
export class MirageViolationError extends MirageError {
  /** The run's id. */
  readonly runId: string;
  /** The run's worst outcome. */
  readonly outcome: string;

  /** Creates the error from the run id, its outcome and one line per offending event. */
  constructor(runId: string, outcome: string, lines: readonly string[]) {
    super(
      "run_not_clean",
      `run '${runId}' is not clean: ${outcome}\n${lines.map((l) => `  ${l}`).join("\n")}`,
    );
    this.name = "MirageViolationError";
    this.runId = runId;
    this.outcome = outcome;
  }
}

/**
 * The network error of a connection that a declared fault dropped (docs/chaos.md): a `reset`,
 * or a `timeout` that held the call until its bound. It is a `TypeError`, named so, as a real
 * `fetch` rejects when the connection goes — an agent's error handling sees what it would see in
 * production; `code` says which fault it was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChaosNetworkError } from "@mirage/core";
 * const e = new ChaosNetworkError("reset", "connection reset by a declared fault");
 * assert.ok(e instanceof TypeError);
 * assert.equal(e.name, "TypeError");
 * assert.equal(e.code, "reset");
 * ```
 */
export class ChaosNetworkError extends TypeError {
  /** `reset` or `timeout`. */
  readonly code: "reset" | "timeout";

  /** Creates the error of a dropped connection. */
  constructor(code: "reset" | "timeout", message: string) {
    super(message);
    this.name = "TypeError";
    this.code = code;
  }
}

/**
 * The message of a caught value, which need not be an `Error`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorMessage } from "./errors.ts";
 * assert.equal(errorMessage(new Error("boom")), "boom");
 * assert.equal(errorMessage("plain"), "plain");
 * ```
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
