/**
 * What every framework adapter does around one tool call, whatever the framework: ask the gate,
 * and turn its verdict into one of three steps — run the real tool, answer with a tool mock, or
 * block with a message for the model (or throw, with `onBlock: "throw"`). Fail closed: a gate
 * that rejects, a verdict that does not say `allowed: true`, or a mock the adapter cannot read
 * blocks the call.
 *
 * @module
 */

import type { ToolResult } from "../engine/compile_tool_mocks.ts";
import type { Outcome } from "../engine/outcome.ts";
import { errorMessage, MirageViolationError } from "../errors.ts";
import type { ToolCall, ToolGate, ToolVerdict } from "../tools/tool_gate.ts";

/**
 * Options of every adapter's `withMirage()` and native seam.
 *
 * @example
 * ```ts
 * import type { MirageToolOptions } from "@mirage/core/ai-sdk";
 * const strict: MirageToolOptions = { onBlock: "throw", runId: "tenant-7" };
 * ```
 */
export interface MirageToolOptions {
  /**
   * What a blocked call comes to. `"answer"` (default): the tool does not run, the model is
   * told `Blocked by Mirage: <the rule's message>` as the tool's result, and the run goes on.
   * `"throw"`: the tool does not run and a `MirageViolationError` is thrown into the framework
   * (what each framework does with it: docs/adapters.md).
   */
  readonly onBlock?: "answer" | "throw";
  /** The run every call is decided in (`ToolCall.runId`); default: the gate's own run. */
  readonly runId?: string;
}

/**
 * What an adapter does with a call: run the real tool, answer with a tool mock's result
 * instead, or tell the model `message` instead.
 *
 * @example
 * ```ts
 * import type { CallStep } from "./gate_call.ts";
 * const steps: CallStep[] = [
 *   { kind: "run" },
 *   { kind: "mock", result: { kind: "text", text: "shipped" } },
 *   { kind: "block", message: "Blocked by Mirage: Refunds above 500 need a supervisor." },
 * ];
 * ```
 */
export type CallStep =
  | { readonly kind: "run" }
  | { readonly kind: "mock"; readonly result: ToolResult }
  | { readonly kind: "block"; readonly message: string };

/** What a blocked call is, for the model and for the error. */
interface Refusal {
  readonly tool: string;
  readonly reason: string;
  readonly outcome: Outcome;
  readonly runId: string;
  readonly policy?: string | undefined;
  readonly event?: number;
}

/** `#2 tool issue_refund → policy_violation · refund_limit: Refunds above 500 …`. */
function describeRefusal(r: Refusal): string {
  const seq = r.event ? `#${r.event} ` : "";
  const rule = r.policy === undefined ? "" : `${r.policy}: `;
  return `${seq}tool ${r.tool} → ${r.outcome} · ${rule}${r.reason}`;
}

function block(r: Refusal, options: MirageToolOptions): CallStep {
  if (options.onBlock === "throw") {
    throw new MirageViolationError(r.runId, r.outcome, [describeRefusal(r)]);
  }
  return { kind: "block", message: `Blocked by Mirage: ${r.reason}` };
}

/**
 * Blocks a call that never reached the gate because the adapter could not read it (arguments
 * that are not JSON, say): a block step, or a thrown `MirageViolationError` with
 * `onBlock: "throw"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MirageViolationError } from "@mirage/core";
 * import { refuseCall } from "./gate_call.ts";
 * const step = refuseCall("issue_refund", "its arguments are not valid JSON", {});
 * assert.deepEqual(step, { kind: "block", message: "Blocked by Mirage: its arguments are not valid JSON" });
 * assert.throws(() => refuseCall("issue_refund", "not JSON", { onBlock: "throw" }), MirageViolationError);
 * ```
 */
export function refuseCall(tool: string, reason: string, options: MirageToolOptions): CallStep {
  return block({ tool, reason, outcome: "error", runId: options.runId ?? "" }, options);
}

const RESULT_KINDS = new Set(["json", "text", "error"]);

function readableMock(verdict: ToolVerdict): boolean {
  const result = verdict.mock?.result as { kind?: unknown } | undefined;
  return result === undefined || RESULT_KINDS.has(result.kind as string);
}

/**
 * Asks the gate about one call and says what to do with it. The gate's answer is trusted only
 * when it says `allowed: true`; a gate that rejects (a closed session or guard) blocks, with
 * the reason in the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guard } from "@mirage/core";
 * import { decideCall } from "./gate_call.ts";
 * await using gate = await guard({ policies: { policies: [{ name: "cap", tool: "refund", field: "amount", operator: "max", value: 500, message: "Too much." }] } });
 * const step = await decideCall(gate, { tool: "refund", args: { amount: 900 } }, {});
 * assert.deepEqual(step, { kind: "block", message: "Blocked by Mirage: Too much." });
 * assert.deepEqual(await decideCall(gate, { tool: "refund", args: { amount: 90 } }, {}), { kind: "run" });
 * ```
 */
export async function decideCall(
  gate: ToolGate,
  call: ToolCall,
  options: MirageToolOptions,
): Promise<CallStep> {
  const asked: ToolCall = options.runId === undefined ? call : { ...call, runId: options.runId };
  const runId = asked.runId ?? "";
  let verdict: ToolVerdict;
  try {
    verdict = await gate.decideTool(asked);
  } catch (e) {
    const reason = `the Mirage gate could not decide (${errorMessage(e)})`;
    return block({ tool: call.tool, reason, outcome: "error", runId }, options);
  }
  if (verdict?.allowed !== true || !readableMock(verdict)) {
    const understood = verdict?.allowed === false && typeof verdict.message === "string";
    return block({
      tool: call.tool,
      reason: understood ? verdict.message : "the Mirage gate gave an answer it cannot read",
      outcome: understood ? verdict.outcome : "error",
      runId: verdict?.runId ?? runId,
      policy: verdict?.policy,
      event: verdict?.event ?? 0,
    }, options);
  }
  return verdict.mock ? { kind: "mock", result: verdict.mock.result } : { kind: "run" };
}

/**
 * Blocks a call whose verdict names a tool mock that this seam cannot answer with (a guardrail
 * or an approval function never produces the tool's result): in CI the real tool would run
 * where the mock was meant to answer, so the call is refused and the message says what to use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unansweredMock } from "./gate_call.ts";
 * const step = unansweredMock("lookup_order", "wrap the tools with withMirage()", {});
 * assert.deepEqual(step, {
 *   kind: "block",
 *   message: "Blocked by Mirage: a tool mock answers lookup_order in this run, and this seam " +
 *     "cannot answer with it: wrap the tools with withMirage()",
 * });
 * ```
 */
export function unansweredMock(tool: string, remedy: string, options: MirageToolOptions): CallStep {
  return refuseCall(
    tool,
    `a tool mock answers ${tool} in this run, and this seam cannot answer with it: ${remedy}`,
    options,
  );
}
