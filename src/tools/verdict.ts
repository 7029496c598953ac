/**
 * Verdicts every gate gives the same way: what a gate answers when it cannot decide.
 *
 * @module
 */

import { isEnforced, type Mode } from "../engine/outcome.ts";
import type { ToolVerdict } from "./tool_gate.ts";

/**
 * The verdict on a call the gate could not decide (an evaluation that threw, a gateway that did
 * not answer or answered something the gate does not understand): `error`, blocked in
 * `enforce`, allowed with `enforced: false` in `passthrough`. Never an allow in `enforce`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failedVerdict } from "./verdict.ts";
 * const v = failedVerdict("enforce", "gateway unreachable", "r1", 0);
 * assert.deepEqual(v, {
 *   outcome: "error", allowed: false, enforced: true, message: "gateway unreachable",
 *   decisions: [], event: 0, runId: "r1",
 * });
 * ```
 */
export function failedVerdict(
  mode: Mode,
  message: string,
  runId: string,
  event: number,
): ToolVerdict {
  const allowed = mode === "passthrough";
  return {
    outcome: "error",
    allowed,
    enforced: isEnforced("error", allowed),
    message,
    decisions: [],
    event,
    runId,
  };
}
