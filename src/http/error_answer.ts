/**
 * The gateway's own answers to operational failures: JSON like the blocked answers, with the
 * decision headers, so that an agent can tell Mirage's 502 from the upstream's.
 *
 * @module
 */

import { jsonAnswer } from "./answers.ts";

const CODES: Readonly<Record<number, string>> = {
  400: "unreadable_body",
  413: "body_too_large",
  415: "body_not_inspectable",
  499: "client_closed_request",
  502: "upstream_unreachable",
  503: "evaluation_failed",
  504: "upstream_timeout",
};

/** The body of an error answer. */
export interface ErrorBody {
  /** A stable code: `body_too_large`, `upstream_unreachable`, `upstream_timeout`, … */
  error: string;
  /** What happened, readably. */
  message: string;
  /** The run the failure was recorded in. */
  run_id: string;
  /** The event's sequence number in the run (0 when not recorded). */
  event: number;
}

/**
 * Answers a failure with its status and a JSON body naming it.
 *
 * @example
 * ```ts
 * import { errorAnswer } from "./error_answer.ts";
 * const res = errorAnswer(504, "upstream did not answer within 10000 ms", "r1", 3, "error");
 * console.log(res.status, res.headers.get("x-mirage-outcome")); // 504 error
 * ```
 */
export function errorAnswer(
  status: number,
  message: string,
  runId: string,
  seq: number,
  outcome: string,
): Response {
  const body: ErrorBody = { error: CODES[status] ?? "error", message, run_id: runId, event: seq };
  return jsonAnswer(status, body, { "x-mirage-outcome": outcome, "x-mirage-run-id": runId });
}
