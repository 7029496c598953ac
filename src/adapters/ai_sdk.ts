/**
 * `@mirage/core/ai-sdk`: Mirage around the tools of the Vercel AI SDK (`ai` v5, v6 and v7).
 *
 * - {@link withMirage}: the same tool set with each `execute` gated — every version calls
 *   `execute(input, {toolCallId, …})`, and turns what it throws into a tool error the model
 *   sees, so a blocked call is a thrown `Blocked by Mirage: …` and the loop goes on.
 * - {@link mirageToolApproval}: a v7 `toolApproval` function: a blocked call is
 *   `{type: "denied", reason}`, so `execute` never runs and the model gets `execution-denied`
 *   with the reason. Anything Mirage cannot read is denied, never approved.
 *
 * Nothing here imports the SDK: the types below are the parts of its objects Mirage reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateText, stepCountIs, tool } from "ai";
 * import { MockLanguageModelV4 } from "ai/test";
 * import { z } from "zod";
 * import { session } from "@mirage/core";
 * import { withMirage } from "@mirage/core/ai-sdk";
 *
 * await using mirage = await session({
 *   policies: { policies: [{ name: "refund_limit", tool: "issue_refund", field: "amount", operator: "max", value: 500, message: "Refunds above 500 need a supervisor." }] },
 *   mocks: { mocks: [] },
 *   traces: false,
 * });
 * const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
 * const model = new MockLanguageModelV4({
 *   doGenerate: [
 *     { content: [{ type: "tool-call", toolCallId: "call_1", toolName: "issue_refund", input: '{"amount":900}' }], finishReason: { unified: "tool-calls", raw: undefined }, usage, warnings: [] },
 *     { content: [{ type: "text", text: "I could not refund that." }], finishReason: { unified: "stop", raw: undefined }, usage, warnings: [] },
 *   ],
 * });
 * const tools = withMirage({
 *   issue_refund: tool({
 *     description: "Refund an order",
 *     inputSchema: z.object({ amount: z.number() }),
 *     execute: ({ amount }) => `refunded ${amount}`,
 *   }),
 * }, mirage);
 * await generateText({ model, tools, prompt: "Refund order 7", stopWhen: stepCountIs(2) });
 * assert.equal(mirage.outcome, "policy_violation");
 * ```
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import type { ToolGate } from "../tools/tool_gate.ts";
import { type CallStep, decideCall, type MirageToolOptions, unansweredMock } from "./gate_call.ts";

export type { MirageToolOptions } from "./gate_call.ts";

/**
 * The part of the options `execute` is called with that Mirage reads (`ToolExecutionOptions`).
 *
 * @example
 * ```ts
 * import type { AiSdkExecuteOptions } from "@mirage/core/ai-sdk";
 * const o: AiSdkExecuteOptions = { toolCallId: "call_1" };
 * ```
 */
export interface AiSdkExecuteOptions {
  /** The SDK's id of the call. */
  readonly toolCallId: string;
}

/**
 * The part of an AI SDK tool (`tool({...})`, or a plain object) that Mirage reads and wraps.
 *
 * @example
 * ```ts
 * import type { AiSdkTool } from "@mirage/core/ai-sdk";
 * const t: AiSdkTool = { execute: (input: { q: string }) => `results for ${input.q}` };
 * ```
 */
export interface AiSdkTool {
  /** Runs the tool; a tool without one is left to the caller (it runs nowhere in the SDK). */
  readonly execute?: ((input: never, options: never) => unknown) | undefined;
  /** The tool's own approval rule (v6, v7): `true`, or a function of the input. */
  readonly needsApproval?: unknown;
}

/** Marks the tools {@link withMirage} made, so that an approval function can tell them apart. */
const GATED: unique symbol = Symbol("mirage.gated");

type Execute = (input: unknown, options: AiSdkExecuteOptions) => unknown;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown })?.[Symbol.asyncIterator] ===
    "function";
}

/** The last value of a streaming result: the SDK's final output. */
async function finalOutput(result: unknown): Promise<unknown> {
  if (!isAsyncIterable(result)) return await result;
  let last: unknown;
  for await (const value of result) last = value;
  return last;
}

/** What a call that does not run comes to: a mock's value, or a throw the SDK shows the model. */
function answerOf(step: Exclude<CallStep, { kind: "run" }>): unknown {
  if (step.kind === "block") throw new Error(step.message);
  const result = step.result;
  if (result.kind === "error") throw new Error(result.error);
  return result.kind === "json" ? result.json : result.text;
}

function gatedExecute(
  name: string,
  tool: AiSdkTool,
  gate: ToolGate,
  options: MirageToolOptions,
): Execute {
  const streams =
    Object.prototype.toString.call(tool.execute) === "[object AsyncGeneratorFunction]";
  const execute = (tool.execute as Execute).bind(tool);
  const decide = (input: unknown, o: AiSdkExecuteOptions) =>
    decideCall(gate, { tool: name, args: input, callId: o?.toolCallId }, options);
  // A streaming tool stays one: its preliminary results pass through once the call is allowed.
  if (streams) {
    return async function* (input: unknown, o: AiSdkExecuteOptions) {
      const step = await decide(input, o);
      if (step.kind === "run") yield* execute(input, o) as AsyncIterable<unknown>;
      else yield answerOf(step);
    };
  }
  return async (input, o) => {
    const step = await decide(input, o);
    return step.kind === "run" ? await finalOutput(execute(input, o)) : answerOf(step);
  };
}

/**
 * The same tool set, each tool's `execute` gated by `gate` (a `session()`, `guard()` or
 * `remoteGate()`), with the SDK's `toolCallId` as the call id. Works alike on v5, v6 and v7.
 *
 * - Allowed and flagged calls run, awaited.
 * - A blocked call never runs: `execute` throws `Blocked by Mirage: <the rule's message>`,
 *   which the SDK turns into a tool error the model sees (`error-text`), and the loop goes on.
 *   With `onBlock: "throw"` it throws `MirageViolationError` instead: the SDK still catches it
 *   into the step's `tool-error` (the loop goes on); to stop the run, use
 *   {@link mirageToolApproval} with `onBlock: "throw"` (v7).
 * - In CI, a call a session answers with a tool mock does not run the tool: `execute` returns
 *   the mock's JSON or text, and an `error` mock throws its message.
 *
 * Tools without `execute` are returned as they are: the SDK runs nothing for them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tool } from "ai";
 * import { z } from "zod";
 * import { guard } from "@mirage/core";
 * import { withMirage } from "@mirage/core/ai-sdk";
 * await using gate = await guard({
 *   policies: { policies: [{ name: "refund_limit", tool: "issue_refund", field: "amount", operator: "max", value: 500, message: "Refunds above 500 need a supervisor." }] },
 * });
 * const tools = withMirage({
 *   issue_refund: tool({
 *     description: "Refund an order",
 *     inputSchema: z.object({ amount: z.number() }),
 *     execute: ({ amount }) => `refunded ${amount}`,
 *   }),
 * }, gate);
 * const run = tools.issue_refund.execute?.({ amount: 900 }, { toolCallId: "call_1", messages: [], context: {} });
 * await assert.rejects(Promise.resolve(run), { message: "Blocked by Mirage: Refunds above 500 need a supervisor." });
 * ```
 */
export function withMirage<T extends Readonly<Record<string, AiSdkTool>>>(
  tools: T,
  gate: ToolGate,
  options: MirageToolOptions = {},
): T {
  const gated: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    if (typeof tool?.execute !== "function") {
      gated[name] = tool;
      continue;
    }
    const execute = gatedExecute(name, tool, gate, options);
    gated[name] = Object.defineProperty({ ...tool, execute }, GATED, { value: true });
  }
  return gated as T;
}

/**
 * The part of what v7 passes a generic `toolApproval` function that Mirage reads.
 *
 * @example
 * ```ts
 * import type { AiSdkApprovalRequest } from "@mirage/core/ai-sdk";
 * const r: AiSdkApprovalRequest = { toolCall: { toolCallId: "call_1", toolName: "issue_refund", input: { amount: 20 } } };
 * ```
 */
export interface AiSdkApprovalRequest {
  /** The call to approve. */
  readonly toolCall: {
    readonly toolCallId: string;
    readonly toolName: string;
    readonly input: unknown;
  };
  /** The tools of the call, to apply a tool's own `needsApproval` after Mirage allows. */
  readonly tools?: Readonly<Record<string, unknown>> | undefined;
  /** Tool context per tool name, passed on to a tool's own `needsApproval`. */
  readonly toolsContext?: Readonly<Record<string, unknown>> | undefined;
  /** The messages that led to the call, passed on to a tool's own `needsApproval`. */
  readonly messages?: readonly unknown[] | undefined;
}

/**
 * What {@link mirageToolApproval} answers (a v7 `ToolApprovalStatus`).
 *
 * @example
 * ```ts
 * import type { MirageApprovalStatus } from "@mirage/core/ai-sdk";
 * const no: MirageApprovalStatus = { type: "denied", reason: "Blocked by Mirage: …" };
 * ```
 */
export type MirageApprovalStatus =
  | { readonly type: "denied"; readonly reason: string }
  | { readonly type: "not-applicable" }
  | { readonly type: "user-approval" };

/** After Mirage allows: the tool's own `needsApproval`, as the SDK applies it without a generic function. */
async function ownApproval(request: AiSdkApprovalRequest): Promise<MirageApprovalStatus> {
  const { toolCallId, toolName, input } = request.toolCall;
  const needs = (request.tools?.[toolName] as AiSdkTool | undefined)?.needsApproval;
  const asks = typeof needs === "function"
    ? await needs(input, {
      toolCallId,
      messages: request.messages ?? [],
      context: request.toolsContext?.[toolName],
    })
    : needs === true;
  return asks ? { type: "user-approval" } : { type: "not-applicable" };
}

/**
 * A v7 `toolApproval` function that asks `gate` about every call before it runs: pass it as
 * `toolApproval` to `generateText`, `streamText` or an agent. It covers every tool of the call,
 * MCP tools included.
 *
 * - A blocked call is `{type: "denied", reason: "Blocked by Mirage: <the rule's message>"}`:
 *   `execute` never runs, the model gets `execution-denied` with the reason, the loop goes on.
 *   With `onBlock: "throw"`, `MirageViolationError` is thrown and the run rejects.
 * - An allowed or flagged call is then up to the tool's own `needsApproval` (`user-approval`
 *   when it asks for one, else `not-applicable`), as it would be without this function.
 * - Anything else — a gate that rejects, an answer Mirage cannot read — is denied. Never fail
 *   open (`@ai-sdk/policy-opa` approved unknown decisions: vercel/ai#19978).
 * - An approval cannot answer with a tool mock: a call a session would answer with one is
 *   denied unless the tool was wrapped with {@link withMirage}, whose `execute` answers it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guard } from "@mirage/core";
 * import { mirageToolApproval } from "@mirage/core/ai-sdk";
 * await using gate = await guard({
 *   policies: { policies: [{ name: "refund_limit", tool: "issue_refund", field: "amount", operator: "max", value: 500, message: "Refunds above 500 need a supervisor." }] },
 * });
 * const approve = mirageToolApproval(gate);
 * const status = await approve({ toolCall: { toolCallId: "c1", toolName: "issue_refund", input: { amount: 900 } } });
 * assert.deepEqual(status, { type: "denied", reason: "Blocked by Mirage: Refunds above 500 need a supervisor." });
 * ```
 */
export function mirageToolApproval(
  gate: ToolGate,
  options: MirageToolOptions = {},
): (request: AiSdkApprovalRequest) => Promise<MirageApprovalStatus> {
  return async (request) => {
    const { toolCallId, toolName, input } = request.toolCall;
    let step = await decideCall(gate, { tool: toolName, args: input, callId: toolCallId }, options);
    const tool = request.tools?.[toolName] as Record<PropertyKey, unknown> | undefined;
    if (step.kind === "mock" && tool?.[GATED] !== true) {
      step = unansweredMock(toolName, "wrap the tools with withMirage()", options);
    }
    if (step.kind === "block") return { type: "denied", reason: step.message };
    try {
      return await ownApproval(request);
    } catch (e) {
      return {
        type: "denied",
        reason: `Blocked by Mirage: needsApproval failed (${errorMessage(e)})`,
      };
    }
  };
}
