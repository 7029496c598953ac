/**
 * One JSON line per decision on stdout, for log shippers: no colour, no prose, one object per
 * line, keys in a fixed order.
 *
 * @module
 */

/** The fields of a decision line. */
export interface DecisionLine {
  /** Wall-clock time of arrival (ISO 8601). */
  readonly ts: string;
  /** The run the request belongs to. */
  readonly run_id: string;
  /** HTTP method, or `TOOL`. */
  readonly method: string;
  /** Upstream host. */
  readonly host: string;
  /** Normalised path, or the tool's name. */
  readonly path: string;
  /** `allowed`, `flagged`, `policy_violation`, `unmatched_route` or `error`. */
  readonly outcome: string;
  /** The deciding policy, or null. */
  readonly policy: string | null;
  /** The status the client got. */
  readonly status: number;
  /** From arrival to allow/block, in µs. */
  readonly decide_us: number;
  /** Time to the upstream's response head, in µs; null when not forwarded. */
  readonly upstream_us: number | null;
}

/** Where decision lines go. */
export type DecisionSink = (line: DecisionLine) => void;

const encoder = new TextEncoder();

/**
 * A sink that writes each line to stdout in one write, so that lines of concurrent requests
 * never interleave.
 *
 * @example
 * ```ts
 * import { stdoutDecisionLog } from "./decision_log.ts";
 * const log = stdoutDecisionLog();
 * ```
 */
export function stdoutDecisionLog(): DecisionSink {
  return (line) => {
    const bytes = encoder.encode(`${JSON.stringify(line)}\n`);
    let done = 0;
    while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
  };
}
