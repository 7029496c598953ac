/**
 * The one-line log of a decided request, as the landing page shows it:
 * `agent → POST /v1/submit_bid policy_violation ✗ enforce_bid_limit (max: 25000) · 0.2ms`.
 * Coloured only for a terminal, and never when `NO_COLOR` is set.
 *
 * @module
 */

import { type Colour, painter } from "./colour.ts";
import type { TraceEvent } from "../trace/event.ts";
import { describeRequest, showValue } from "../trace/describe_event.ts";
import type { EventObserver } from "../trace/recorder.ts";

/** `✗ enforce_bid_limit (max: 25000)`: the deciding rule of a stopped or flagged action. */
function reason(event: TraceEvent): string {
  if (event.outcome === "unmatched_route") return "✗ no declared mock";
  if (event.outcome === "error") {
    return `✗ ${event.error ?? `status ${event.response.status ?? "none"}`}`;
  }
  const failed = event.decisions.find((d) => d.policy === event.policy && !d.passed);
  if (!failed) return "";
  const mark = event.outcome === "flagged" ? "⚑" : "✗";
  const rule = failed.missing
    ? `${failed.field} missing`
    : `${failed.operator}: ${showValue(failed.expected)}`;
  return `${mark} ${failed.policy} (${rule})`;
}

function colourOf(event: TraceEvent): Colour {
  if (event.outcome === "allowed") return "green";
  return event.outcome === "flagged" ? "yellow" : "red";
}

/**
 * Formats one decided request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestLine } from "./request_log.ts";
 * const line = requestLine(
 *   { seq: 1, request: { method: "GET", path: "/v1/suppliers" }, outcome: "allowed", enforced: true, decisions: [], response: { status: 200 } },
 *   312,
 *   false,
 * );
 * assert.equal(line, "agent → GET /v1/suppliers allowed · 0.3ms");
 * ```
 */
export function requestLine(event: TraceEvent, totalUs: number, colour: boolean): string {
  const paint = painter(colour);
  const what = describeRequest(event.request);
  const parts = [paint(colourOf(event), event.outcome)];
  const why = reason(event);
  if (why) parts.push(why);
  if (!event.enforced) parts.push(paint("dim", "(not enforced)"));
  const fault = event.response.fault;
  if (fault) {
    const detail = event.response.status === undefined || fault !== "status"
      ? fault
      : `${fault} ${event.response.status}`;
    parts.push(paint("yellow", `⚡ fault ${detail}`));
  }
  return `${paint("dim", "agent →")} ${what} ${parts.join(" ")} ${
    paint("dim", `· ${(totalUs / 1000).toFixed(1)}ms`)
  }`;
}

/**
 * An observer of a recorder that prints one {@link requestLine} per event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestLogObserver } from "./request_log.ts";
 * const lines: string[] = [];
 * const observe = requestLogObserver((line) => lines.push(line), false);
 * observe({
 *   runId: "r1",
 *   event: { seq: 1, request: { tool: "refund" }, outcome: "allowed", enforced: true, decisions: [], response: {} },
 *   timing: { at: "2026-01-01T00:00:00.000Z", evaluate_us: 1, decide_us: 2, total_us: 300 },
 * });
 * assert.deepEqual(lines, ["agent → tool refund allowed · 0.3ms"]);
 * ```
 */
export function requestLogObserver(log: (line: string) => void, colour: boolean): EventObserver {
  return ({ event, timing }) => log(requestLine(event, timing.total_us, colour));
}
