/**
 * The gate an agent's tool calls go through (docs/tool-calls.md): one interface, three implementations —
 * `session()` in CI, `guard()` in-process in production, `remoteGate()` against a running
 * `mirage gateway` or `mirage proxy` — over the one compiled evaluator (docs/tool-calls.md).
 *
 * @module
 */

import type { Decision } from "../engine/compile_policies.ts";
import type { ToolResult } from "../engine/compile_tool_mocks.ts";
import type { Outcome } from "../engine/outcome.ts";

/**
 * One tool call, as an adapter hands it to a gate.
 *
 * @example
 * ```ts
 * import type { ToolCall } from "@mirage/core";
 * const call: ToolCall = { tool: "issue_refund", args: { amount: 20 }, callId: "call_1" };
 * ```
 */
export interface ToolCall {
  /** The tool's name, as rules scope it (`tool:`). */
  readonly tool: string;
  /** The tool's arguments (rules read them as `payload.*`). */
  readonly args?: unknown;
  /**
   * The framework's id of the call. With one, deciding the same call again returns the first
   * verdict: it is recorded once and takes state (counts, sums) once.
   */
  readonly callId?: string | undefined;
  /** The run the call belongs to; an `x-mirage-run-id` in `headers` wins (docs: run ids). */
  readonly runId?: string | undefined;
  /** Transport headers, where the framework has any (rules read them as `headers.*`). */
  readonly headers?: HeadersInit | undefined;
}

/**
 * What a tool mock answered instead of the real tool.
 *
 * @example
 * ```ts
 * import type { ToolMockAnswer } from "@mirage/core";
 * const m: ToolMockAnswer = { name: "lookup_order", result: { kind: "json", json: { status: "shipped" } } };
 * ```
 */
export interface ToolMockAnswer {
  /** The tool mock's name. */
  readonly name: string;
  /** Its result, rendered for the call: return it to the model instead of running the tool. */
  readonly result: ToolResult;
}

/**
 * A gate's verdict on one tool call.
 *
 * `allowed` is the one thing an adapter must obey: when it is false the tool must not run, and
 * the model should see `message`. When `mock` is set, return its result instead of running the
 * tool. Anything a gate could not decide is `outcome: "error"` — blocked in `enforce`, allowed
 * in `passthrough` — never an allow in disguise.
 *
 * @example
 * ```ts
 * import type { ToolVerdict } from "@mirage/core";
 * const v: ToolVerdict = {
 *   outcome: "policy_violation", allowed: false, enforced: true, policy: "refund_limit",
 *   message: "Refunds above 500 need a supervisor.", decisions: [], event: 2, runId: "support",
 * };
 * ```
 */
export interface ToolVerdict {
  /** The outcome: a policy outcome, `unmatched_route`, or `error` when the gate could not decide. */
  readonly outcome: Outcome;
  /**
   * Whether the call may run (or be answered by `mock`): true for `allowed` and `flagged`, and
   * in passthrough for anything else (then `enforced` is false).
   */
  readonly allowed: boolean;
  /** False when passthrough let a call through that enforce would have stopped. */
  readonly enforced: boolean;
  /** The deciding rule, if any. */
  readonly policy?: string;
  /** What the model should be told: the deciding rule's message, or why the gate could not decide. */
  readonly message: string;
  /** One decision per applicable rule, redacted. */
  readonly decisions: readonly Decision[];
  /** The recorded event's sequence number in the run (0 when nothing could be recorded). */
  readonly event: number;
  /** The run the call was recorded in. */
  readonly runId: string;
  /** The tool mock that answers the call instead of the real tool (CI only). */
  readonly mock?: ToolMockAnswer;
}

/**
 * Decides tool calls before they run. Implemented by `session()`, `guard()` and `remoteGate()`.
 *
 * A verdict comes back for every call, including the ones a gate could not decide (`error`).
 * `decideTool` rejects only when the gate itself is unusable (closed) or, for a session, when
 * the call cannot be recorded: treat a rejection as a block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guard, type ToolGate } from "@mirage/core";
 * await using gate = await guard({ policies: { policies: [] } });
 * const g: ToolGate = gate;
 * const v = await g.decideTool({ tool: "search", args: { q: "mirage" } });
 * assert.equal(v.allowed, true);
 * ```
 */
export interface ToolGate {
  /** Decides one call; see {@link ToolVerdict}. */
  decideTool(call: ToolCall): Promise<ToolVerdict>;
}
