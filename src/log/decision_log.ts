/**
 * One JSON line per decision on stdout (stderr where stdout carries a protocol), for log
 * shippers: no colour, no prose, one object per line, keys in a fixed order.
 *
 * @module
 */

import type { EventObserver } from "../trace/recorder.ts";

/**
 * The fields of a decision line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decisionLogObserver, type DecisionLine } from "./decision_log.ts";
 * const lines: DecisionLine[] = [];
 * decisionLogObserver((l) => lines.push(l))({
 *   runId: "r1",
 *   event: {
 *     seq: 1, request: { method: "POST", host: "api.acme.internal", path: "/v1/submit_bid" },
 *     outcome: "policy_violation", policy: "enforce_bid_limit", enforced: true, decisions: [], response: { status: 403 },
 *   },
 *   timing: { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 3 },
 * });
 * assert.deepEqual(lines[0], {
 *   ts: "2026-01-01T00:00:00.000Z", run_id: "r1", method: "POST", host: "api.acme.internal", path: "/v1/submit_bid",
 *   outcome: "policy_violation", policy: "enforce_bid_limit", status: 403, decide_us: 2, upstream_us: null,
 * });
 * ```
 */
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
  /** The status the client got (0 for a tool call, which has none). */
  readonly status: number;
  /** From arrival to allow/block, in µs. */
  readonly decide_us: number;
  /** Time to the upstream's response head, in µs; null when not forwarded. */
  readonly upstream_us: number | null;
}

/**
 * Where decision lines go.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decisionLogObserver, type DecisionSink } from "./decision_log.ts";
 * const written: string[] = [];
 * const sink: DecisionSink = (line) => written.push(JSON.stringify(line));
 * decisionLogObserver(sink)({
 *   runId: "r1",
 *   event: { seq: 1, request: { tool: "refund" }, outcome: "allowed", enforced: true, decisions: [], response: {} },
 *   timing: { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 3 },
 * });
 * assert.match(written[0] ?? "", /^\{"ts":"2026-01-01T00:00:00.000Z","run_id":"r1","method":"TOOL",/);
 * ```
 */
export type DecisionSink = (line: DecisionLine) => void;

/**
 * An observer of a recorder that writes one decision line per event to `sink`. A tool call is
 * logged with method `TOOL`, no host, and the tool's name as the path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decisionLogObserver, type DecisionLine } from "./decision_log.ts";
 * const lines: DecisionLine[] = [];
 * const observe = decisionLogObserver((l) => lines.push(l));
 * observe({
 *   runId: "r1",
 *   event: { seq: 1, request: { tool: "refund" }, outcome: "allowed", enforced: true, decisions: [], response: {} },
 *   timing: { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 3 },
 * });
 * assert.deepEqual(lines, [{
 *   ts: "2026-01-01T00:00:00.000Z", run_id: "r1", method: "TOOL", host: "", path: "refund",
 *   outcome: "allowed", policy: null, status: 0, decide_us: 2, upstream_us: null,
 * }]);
 * ```
 */
export function decisionLogObserver(sink: DecisionSink): EventObserver {
  return ({ runId, event, timing }) => {
    const r = event.request;
    const tool = r.tool !== undefined;
    sink({
      ts: timing.at,
      run_id: runId,
      method: tool ? "TOOL" : r.method ?? "",
      host: tool ? "" : r.host ?? "",
      path: tool ? r.tool as string : r.path ?? "",
      outcome: event.outcome,
      policy: event.policy ?? null,
      status: event.response.status ?? 0,
      decide_us: timing.decide_us,
      upstream_us: timing.upstream_us ?? null,
    });
  };
}

const encoder = new TextEncoder();

/** A sink that writes each line to `out` in one write. */
function lineSink(out: { writeSync(p: Uint8Array): number }): DecisionSink {
  return (line) => {
    const bytes = encoder.encode(`${JSON.stringify(line)}\n`);
    let done = 0;
    while (done < bytes.length) done += out.writeSync(bytes.subarray(done));
  };
}

/**
 * A sink that writes each line to stdout in one write, so that lines of concurrent requests
 * never interleave.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // Written by a child process, whose stdout this example reads.
 * const module = new URL("./decision_log.ts", import.meta.url).href;
 * const line = {
 *   ts: "2026-01-01T00:00:00.000Z", run_id: "r1", method: "TOOL", host: "", path: "refund",
 *   outcome: "allowed", policy: null, status: 0, decide_us: 2, upstream_us: null,
 * };
 * const script = `import { stdoutDecisionLog } from "${module}";
 *   const log = stdoutDecisionLog();
 *   log(${JSON.stringify(line)});
 *   log(${JSON.stringify({ ...line, run_id: "r2" })});`;
 * const child = new Deno.Command(Deno.execPath(), { args: ["eval", script], stderr: "null" });
 * const out = await child.output();
 * const printed = new TextDecoder().decode(out.stdout).split("\n");
 * assert.deepEqual(printed.map((l) => l && JSON.parse(l).run_id), ["r1", "r2", ""]);
 * assert.deepEqual(JSON.parse(printed[0] ?? ""), line);
 * ```
 */
export function stdoutDecisionLog(): DecisionSink {
  return lineSink(Deno.stdout);
}

/**
 * The same on stderr, for servers whose stdout carries a protocol (`mirage mcp` on stdio).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // Written by a child process, whose stdout stays empty.
 * const module = new URL("./decision_log.ts", import.meta.url).href;
 * const line = {
 *   ts: "2026-01-01T00:00:00.000Z", run_id: "r1", method: "POST", host: "api.test", path: "/v1/x",
 *   outcome: "policy_violation", policy: "cap", status: 403, decide_us: 2, upstream_us: null,
 * };
 * const script = `import { stderrDecisionLog } from "${module}";
 *   stderrDecisionLog()(${JSON.stringify(line)});`;
 * const out = await new Deno.Command(Deno.execPath(), { args: ["eval", script] }).output();
 * assert.equal(out.stdout.length, 0);
 * assert.equal(new TextDecoder().decode(out.stderr), `${JSON.stringify(line)}\n`);

 * ```
 */
export function stderrDecisionLog(): DecisionSink {
  return lineSink(Deno.stderr);
}
