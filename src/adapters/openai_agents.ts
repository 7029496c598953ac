/**
 * `@mirage/core/openai-agents`: Mirage around the tools of an OpenAI Agents SDK agent
 * (`@openai/agents`). {@link withMirage} gates function tools twice over one decision: a tool
 * input guardrail (the Runner's seam: a blocked call is `rejectContent`, the model sees why and
 * the run goes on) and `invoke` itself (a direct `tool.invoke()` skips guardrails; in CI a tool
 * mock answers there instead of the real tool). Both ask the gate with the SDK's call id, so a
 * call decided twice — `toolExecution.preApprovalInputGuardrails` runs guardrails before the
 * approval and again before execution — is recorded once and takes state once.
 *
 * Nothing here imports the SDK: the types below are the parts of its objects Mirage reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Agent, run, setTracingDisabled, tool } from "@openai/agents";
 * import { assistantMessage, functionCall, ScriptedModel } from "@openai/agents/testing";
 * import { z } from "zod";
 * import { session } from "@mirage/core";
 * import { withMirage } from "@mirage/core/openai-agents";
 *
 * setTracingDisabled(true);
 * await using mirage = await session({
 *   policies: { policies: [{ name: "refund_limit", tool: "issue_refund", field: "amount", operator: "max", value: 500, message: "Refunds above 500 need a supervisor." }] },
 *   mocks: { mocks: [] },
 *   traces: false,
 * });
 * const refund = tool({
 *   name: "issue_refund",
 *   description: "Refund an order",
 *   parameters: z.object({ amount: z.number() }),
 *   execute: ({ amount }) => `refunded ${amount}`,
 * });
 * const model = new ScriptedModel([
 *   [functionCall("issue_refund", { amount: 900 }, { callId: "call_1" })],
 *   [assistantMessage("I could not refund that.")],
 * ]);
 * const agent = new Agent({ name: "support", model, tools: withMirage([refund], mirage) });
 * await run(agent, "Refund order 7");
 * assert.equal(mirage.outcome, "policy_violation");
 * ```
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import type { ToolGate } from "../tools/tool_gate.ts";
import {
  type CallStep,
  decideCall,
  type MirageToolOptions,
  refuseCall,
  unansweredMock,
} from "./gate_call.ts";

export type { MirageToolOptions } from "./gate_call.ts";

/**
 * The part of the SDK's function call item a guardrail reads (`protocol.FunctionCallItem`).
 *
 * @example
 * ```ts
 * import type { OpenAIToolCall } from "@mirage/core/openai-agents";
 * const call: OpenAIToolCall = { name: "issue_refund", arguments: '{"amount":20}', callId: "call_1" };
 * ```
 */
export interface OpenAIToolCall {
  /** The tool's name. */
  readonly name: string;
  /** The arguments, as the JSON text the model wrote. */
  readonly arguments: string;
  /** The SDK's id of the call. */
  readonly callId: string;
}

/**
 * What a tool input guardrail answers (the SDK's `ToolGuardrailFunctionOutput`).
 *
 * @example
 * ```ts
 * import type { ToolGuardrailOutput } from "@mirage/core/openai-agents";
 * const no: ToolGuardrailOutput = { behavior: { type: "rejectContent", message: "Blocked by Mirage: …" } };
 * ```
 */
export interface ToolGuardrailOutput {
  /** `allow`, or `rejectContent`: the tool does not run and the model sees `message`. */
  readonly behavior:
    | { readonly type: "allow" }
    | { readonly type: "rejectContent"; readonly message: string };
}

/**
 * A tool input guardrail, as `defineToolInputGuardrail()` makes one: put it in a tool's
 * `inputGuardrails`, or an MCP server's `toolInputGuardrails`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guard } from "@mirage/core";
 * import { mirageGuardrail, type MirageInputGuardrail } from "@mirage/core/openai-agents";
 * await using gate = await guard({ policies: { policies: [] } });
 * const g: MirageInputGuardrail = mirageGuardrail(gate);
 * assert.equal(g.type, "tool_input");
 * assert.equal(g.name, "mirage");
 * ```
 */
export interface MirageInputGuardrail {
  /** Always `tool_input`. */
  readonly type: "tool_input";
  /** Always `mirage`. */
  readonly name: string;
  /** Decides the call the guardrail is given. */
  run(data: { readonly toolCall: OpenAIToolCall }): Promise<ToolGuardrailOutput>;
}

/**
 * The part of the SDK's `invoke` details Mirage reads: the call being run, when the Runner runs it.
 *
 * @example
 * ```ts
 * import type { OpenAIInvokeDetails } from "@mirage/core/openai-agents";
 * const d: OpenAIInvokeDetails = { toolCall: { name: "issue_refund", arguments: "{}", callId: "call_1" } };
 * ```
 */
export interface OpenAIInvokeDetails {
  /** The function call item, when the Runner invokes the tool. */
  readonly toolCall?: OpenAIToolCall | undefined;
}

/**
 * The part of the SDK's `FunctionTool` (what `tool({...})` returns) that Mirage reads and wraps.
 *
 * @example
 * ```ts
 * import type { OpenAIFunctionTool } from "@mirage/core/openai-agents";
 * const t: OpenAIFunctionTool = { type: "function", name: "ping", invoke: () => Promise.resolve("pong") };
 * ```
 */
export interface OpenAIFunctionTool {
  /** Only function tools run in the agent's process; others are refused by {@link withMirage}. */
  readonly type: "function";
  /** The tool's name. */
  readonly name: string;
  /** Runs the tool on the model's JSON arguments. */
  invoke(runContext: never, input: string, details?: OpenAIInvokeDetails): Promise<unknown>;
  /** Guardrails that run before the tool, through the Runner. */
  readonly inputGuardrails?: readonly unknown[] | undefined;
  /** Turns the tool's error into what the model sees (set by `tool()` unless disabled). */
  readonly errorFunction?: ((runContext: never, error: Error, details?: never) => unknown) | null;
}

/** The arguments as the gate reads them, or why they cannot be read. */
function parseArguments(text: string): { args: unknown } | { unreadable: string } {
  try {
    return { args: text === "" ? {} : JSON.parse(text) };
  } catch {
    return { unreadable: "its arguments are not valid JSON" };
  }
}

function stepOf(
  gate: ToolGate,
  tool: string,
  input: string,
  callId: string | undefined,
  options: MirageToolOptions,
): Promise<CallStep> {
  const parsed = parseArguments(input);
  if ("unreadable" in parsed) return Promise.resolve(refuseCall(tool, parsed.unreadable, options));
  return decideCall(gate, { tool, args: parsed.args, callId }, options);
}

function guardrailOf(
  gate: ToolGate,
  options: MirageToolOptions,
  answersMocks: boolean,
): MirageInputGuardrail {
  return {
    type: "tool_input",
    name: "mirage",
    async run({ toolCall }) {
      let step = await stepOf(gate, toolCall.name, toolCall.arguments, toolCall.callId, options);
      if (step.kind === "mock" && !answersMocks) {
        step = unansweredMock(toolCall.name, "wrap the tools with withMirage()", options);
      }
      return step.kind === "block"
        ? { behavior: { type: "rejectContent", message: step.message } }
        : { behavior: { type: "allow" } };
    },
  };
}

/**
 * A tool input guardrail that asks `gate` about every call. A blocked call is `rejectContent`
 * with `Blocked by Mirage: <the rule's message>`: the tool does not run, the model sees the
 * message as the tool's output and the run goes on; with `onBlock: "throw"` the guardrail
 * throws `MirageViolationError` and `run()` rejects with the SDK's `ToolCallError` around it.
 *
 * A guardrail cannot answer with a tool mock, so a call that a session would answer with one is
 * blocked: use {@link withMirage} for the agent's own tools. Use this for tools Mirage cannot
 * wrap, such as an MCP server's (`toolInputGuardrails`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tool } from "@openai/agents";
 * import { z } from "zod";
 * import { guard } from "@mirage/core";
 * import { mirageGuardrail } from "@mirage/core/openai-agents";
 * await using gate = await guard({ policies: { policies: [] } });
 * const search = tool({
 *   name: "search",
 *   description: "Search the docs",
 *   parameters: z.object({ q: z.string() }),
 *   inputGuardrails: [mirageGuardrail(gate)],
 *   execute: ({ q }) => `results for ${q}`,
 * });
 * assert.equal(search.inputGuardrails?.length, 1);
 * ```
 */
export function mirageGuardrail(
  gate: ToolGate,
  options: MirageToolOptions = {},
): MirageInputGuardrail {
  return guardrailOf(gate, options, false);
}

/**
 * What `invoke` returns for a mock: its JSON or text, or for an `error` mock what the tool's
 * `errorFunction` makes of the error. `tool()` exposes that function only for tools with an
 * `outputSchema` (it is private to `invoke` otherwise), and a function call's output has no
 * error channel: without one, the model is given the error's message as the output.
 */
async function mockAnswer(
  tool: OpenAIFunctionTool,
  step: Extract<CallStep, { kind: "mock" }>,
  runContext: never,
  details: OpenAIInvokeDetails | undefined,
): Promise<unknown> {
  const result = step.result;
  if (result.kind === "json") return result.json;
  if (result.kind === "text") return result.text;
  if (typeof tool.errorFunction !== "function") return result.error;
  return await tool.errorFunction(runContext, new Error(result.error), details as never);
}

function gatedTool<T extends OpenAIFunctionTool>(
  tool: T,
  gate: ToolGate,
  options: MirageToolOptions,
): T {
  if (tool?.type !== "function" || typeof tool.invoke !== "function") {
    const what = (tool as { type?: unknown })?.type ?? typeof tool;
    throw new MirageError(
      "adapter_unsupported_tool",
      `withMirage() gates function tools; '${tool?.name}' is a ${what} tool, which it cannot gate`,
    );
  }
  const invoke = async (
    runContext: never,
    input: string,
    details?: OpenAIInvokeDetails,
  ): Promise<unknown> => {
    const step = await stepOf(gate, tool.name, input, details?.toolCall?.callId, options);
    if (step.kind === "run") return await tool.invoke(runContext, input, details);
    if (step.kind === "block") return step.message;
    return await mockAnswer(tool, step, runContext, details);
  };
  const guardrails = [...(tool.inputGuardrails ?? []), guardrailOf(gate, options, true)];
  return { ...tool, invoke, inputGuardrails: guardrails };
}

/**
 * The same function tools, gated by `gate` (a `session()`, `guard()` or `remoteGate()`): each
 * gets a Mirage input guardrail and a gated `invoke`, deciding once per call id.
 *
 * - Allowed and flagged calls run (flagged ones are recorded as such).
 * - A blocked call never runs: the model sees `Blocked by Mirage: <the rule's message>` as the
 *   tool's output and the run goes on; with `onBlock: "throw"`, `MirageViolationError` is thrown
 *   and `run()` rejects (`ToolCallError`, the Mirage error as its `error`).
 * - In CI, a call a session answers with a tool mock does not run the tool: `invoke` returns the
 *   mock's JSON or text; an `error` mock's message goes through the tool's `errorFunction` where
 *   the tool exposes one (tools with an `outputSchema`), else it is the output the model sees.
 * - Arguments that are not JSON, and a gate that rejects, block. (Through the Runner, the SDK
 *   answers unparsable arguments itself before any guardrail: the tool does not run either.)
 *
 * Throws `MirageError` (`adapter_unsupported_tool`) for a tool that is not a function tool:
 * hosted, shell or computer tools are not run through `invoke`, so Mirage cannot gate them here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tool } from "@openai/agents";
 * import { z } from "zod";
 * import { guard } from "@mirage/core";
 * import { withMirage } from "@mirage/core/openai-agents";
 * await using gate = await guard({
 *   policies: { policies: [{ name: "refund_limit", tool: "issue_refund", field: "amount", operator: "max", value: 500, message: "Refunds above 500 need a supervisor." }] },
 * });
 * const [refund] = withMirage([tool({
 *   name: "issue_refund",
 *   description: "Refund an order",
 *   parameters: z.object({ amount: z.number() }),
 *   execute: ({ amount }) => `refunded ${amount}`,
 * })], gate);
 * // A direct invoke skips the Runner's guardrails; it is gated all the same.
 * const answer = await refund?.invoke(undefined as never, '{"amount":900}');
 * assert.equal(answer, "Blocked by Mirage: Refunds above 500 need a supervisor.");
 * ```
 */
export function withMirage<T extends OpenAIFunctionTool>(
  tools: readonly T[],
  gate: ToolGate,
  options: MirageToolOptions = {},
): T[] {
  return tools.map((tool) => gatedTool(tool, gate, options));
}
