/**
 * `@mirage/core/langchain`: Mirage around the tools of a LangChain agent (`langchain` v1
 * `createAgent`) or a LangGraph `ToolNode`. Two seams over one decision per call id:
 *
 * - {@link mirageMiddleware}: a `createAgent` middleware whose `wrapToolCall` asks the gate
 *   before the tool runs and answers a blocked call with a `ToolMessage` of `status: "error"`.
 * - {@link withMirage}: the same tools, re-wrapped, for a `ToolNode` (which has no hook) or
 *   any code that calls `tool.invoke()` itself.
 *
 * Nothing here imports LangChain: the types below are the parts of its objects Mirage reads, and
 * the messages Mirage answers with are made by the tool's own class (its `call()` formats the
 * answer into a `ToolMessage` exactly as it would format the tool's own result).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fakeModel } from "@langchain/core/testing";
 * import { tool } from "@langchain/core/tools";
 * import { AIMessage } from "@langchain/core/messages";
 * import { createAgent } from "langchain";
 * import { z } from "zod";
 * import { session } from "@mirage/core";
 * import { mirageMiddleware } from "@mirage/core/langchain";
 *
 * await using mirage = await session({
 *   policies: { policies: [{ name: "refund_limit", tool: "issue_refund", field: "amount", operator: "max", value: 500, message: "Refunds above 500 need a supervisor." }] },
 *   mocks: { mocks: [] },
 *   traces: false,
 * });
 * const refund = tool(({ amount }) => `refunded ${amount}`, {
 *   name: "issue_refund",
 *   description: "Refund an order",
 *   schema: z.object({ amount: z.number() }),
 * });
 * const model = fakeModel()
 *   .respondWithTools([{ name: "issue_refund", args: { amount: 900 }, id: "call_1" }])
 *   .respond(new AIMessage("I could not refund that."));
 * const agent = createAgent({ model, tools: [refund], middleware: [mirageMiddleware(mirage)] });
 * await agent.invoke({ messages: [{ role: "user", content: "Refund order 7" }] });
 * assert.equal(mirage.outcome, "policy_violation");
 * ```
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import type { ToolGate } from "../tools/tool_gate.ts";
import { type CallStep, decideCall, type MirageToolOptions } from "./gate_call.ts";

export type { MirageToolOptions } from "./gate_call.ts";

/**
 * A tool call as LangChain passes it (`ToolCall` of `@langchain/core/messages/tool`).
 *
 * @example
 * ```ts
 * import type { LangChainToolCall } from "@mirage/core/langchain";
 * const call: LangChainToolCall = { type: "tool_call", id: "call_1", name: "issue_refund", args: { amount: 20 } };
 * ```
 */
export interface LangChainToolCall {
  /** The model's id of the call. */
  readonly id?: string | undefined;
  /** The tool's name. */
  readonly name: string;
  /** The arguments, parsed. */
  readonly args: unknown;
  /** `tool_call` when the call is passed whole to `invoke`. */
  readonly type?: "tool_call" | undefined;
}

/**
 * The part of a LangChain tool (`StructuredTool`: what `tool()` returns, `DynamicTool`, or a
 * subclass) that Mirage reads and wraps. `invoke()` runs through `call()`, which Mirage gates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tool } from "@langchain/core/tools";
 * import { z } from "zod";
 * import type { LangChainTool } from "@mirage/core/langchain";
 * const t: LangChainTool = tool(({ q }) => q, { name: "echo", description: "Echo", schema: z.object({ q: z.string() }) });
 * assert.equal(t.name, "echo");
 * ```
 */
export interface LangChainTool {
  /** The tool's name. */
  readonly name: string;
  /** Validates, runs and formats a call (what `invoke` calls). */
  call(arg: never, config?: never, tags?: never): Promise<unknown>;
}

/**
 * The part of a `wrapToolCall` request Mirage reads (`ToolCallRequest` of `langchain`).
 *
 * @example
 * ```ts
 * import type { ToolCallRequestLike } from "@mirage/core/langchain";
 * const r: ToolCallRequestLike = { toolCall: { name: "issue_refund", args: { amount: 20 }, id: "call_1" } };
 * ```
 */
export interface ToolCallRequestLike {
  /** The call the model asked for. */
  readonly toolCall: LangChainToolCall;
  /** The agent's tool of that name, when it has one. */
  readonly tool?: unknown;
}

/**
 * A `createAgent` middleware (as `createMiddleware()` makes one) with a `wrapToolCall` hook.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guard } from "@mirage/core";
 * import { type MirageMiddleware, mirageMiddleware } from "@mirage/core/langchain";
 * await using gate = await guard({ policies: { policies: [] } });
 * const m: MirageMiddleware = mirageMiddleware(gate);
 * assert.equal(m.name, "mirage");
 * ```
 */
export interface MirageMiddleware {
  /** Always `mirage`. */
  readonly name: string;
  /** Asks the gate, then runs the tool through `handler`, or answers in its place. */
  wrapToolCall<Q extends ToolCallRequestLike, R>(
    request: Q,
    handler: (request: Q) => R | Promise<R>,
  ): Promise<R>;
}

type Fields = Record<string, unknown>;
type CallArgs = [arg: unknown, config?: unknown, tags?: unknown];

function isToolCall(value: unknown): value is LangChainToolCall {
  return typeof value === "object" && value !== null && (value as Fields).type === "tool_call";
}

/** The call being made: a whole tool call, or plain arguments with the call in the config. */
function callOf(tool: string, arg: unknown, config: unknown) {
  if (isToolCall(arg)) return { tool, args: arg.args, callId: arg.id };
  const inConfig = typeof config === "object" && config !== null
    ? (config as Fields).toolCall as LangChainToolCall | undefined
    : undefined;
  return { tool, args: arg, callId: inConfig?.id };
}

function answerable(tool: unknown): tool is LangChainTool {
  const t = tool as Fields | null;
  return typeof t?.call === "function" && typeof t?._call === "function";
}

/** A copy of `tool` (its own class, its own fields) with some fields replaced. */
function copyOf<T extends object>(tool: T, fields: Fields): T {
  return Object.assign(Object.create(Object.getPrototypeOf(tool)), tool, fields);
}

/** An error `ToolMessage`, of the class the tool made the message with. */
function asError(message: unknown): unknown {
  const m = message as Fields | null;
  if (m?.type !== "tool" || m.status === "error") return message;
  const ToolMessage = m.constructor as new (fields: Fields) => unknown;
  return new ToolMessage({
    content: m.content,
    tool_call_id: m.tool_call_id,
    name: m.name,
    status: "error",
  });
}

/**
 * Answers a call in the tool's place, through the tool's own `call()` on a copy whose body is
 * the answer: it formats the answer as it formats the tool's results (a `ToolMessage` for a
 * whole tool call, the bare content otherwise). A block is marked `status: "error"`; an `error`
 * mock fails the call.
 */
async function answer(
  tool: LangChainTool,
  step: Exclude<CallStep, { kind: "run" }>,
  args: CallArgs,
): Promise<unknown> {
  const result = step.kind === "block"
    ? { kind: "text" as const, text: step.message }
    : step.result;
  const respond = () => {
    if (result.kind === "error") return Promise.reject(new Error(result.error));
    return Promise.resolve(result.kind === "json" ? result.json : result.text);
  };
  // `{}` is a JSON schema every value meets: the answer is not the tool, its input is not checked.
  const answering = copyOf(tool, { schema: {}, responseFormat: "content", _call: respond });
  const message = await answering.call(...(args as [never, never, never]));
  return step.kind === "block" ? asError(message) : message;
}

function gatedTool<T extends LangChainTool>(
  tool: T,
  gate: ToolGate,
  options: MirageToolOptions,
): T {
  if (!answerable(tool)) {
    throw new MirageError(
      "adapter_unsupported_tool",
      `withMirage() gates LangChain tools (StructuredTool, DynamicTool); '${
        (tool as Fields | null)?.name
      }' is not one`,
    );
  }
  const call = async (...args: CallArgs): Promise<unknown> => {
    const step = await decideCall(gate, callOf(tool.name, args[0], args[1]), options);
    if (step.kind === "run") return await tool.call(...(args as [never, never, never]));
    return await answer(tool, step, args);
  };
  return copyOf(tool, { call });
}

/**
 * The same LangChain tools, gated by `gate` (a `session()`, `guard()` or `remoteGate()`), for a
 * LangGraph `ToolNode`, a `createAgent` without the middleware, or direct `invoke()` calls.
 * Each copy is of the tool's own class; `invoke()` and `call()` ask the gate first, with the
 * tool call's id.
 *
 * - Allowed and flagged calls run, awaited (async tools are never checked synchronously).
 * - A blocked call never runs: invoked with a tool call, it returns a `ToolMessage` with
 *   `status: "error"` and `Blocked by Mirage: <the rule's message>`; with plain arguments, that
 *   text. With `onBlock: "throw"`, `MirageViolationError` is thrown (a `ToolNode` turns thrown
 *   errors into an error message for the model unless `handleToolErrors: false`).
 * - In CI, a call a session answers with a tool mock does not run the tool: the mock's JSON or
 *   text is the result, and an `error` mock fails the call with its message.
 *
 * Throws `MirageError` (`adapter_unsupported_tool`) for anything that is not a LangChain tool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tool } from "@langchain/core/tools";
 * import { z } from "zod";
 * import { guard } from "@mirage/core";
 * import { withMirage } from "@mirage/core/langchain";
 * await using gate = await guard({
 *   policies: { policies: [{ name: "refund_limit", tool: "issue_refund", field: "amount", operator: "max", value: 500, message: "Refunds above 500 need a supervisor." }] },
 * });
 * const [refund] = withMirage([tool(({ amount }) => `refunded ${amount}`, {
 *   name: "issue_refund",
 *   description: "Refund an order",
 *   schema: z.object({ amount: z.number() }),
 * })], gate);
 * const message = await refund?.invoke({ type: "tool_call", id: "call_1", name: "issue_refund", args: { amount: 900 } });
 * assert.equal(message?.status, "error");
 * assert.equal(message?.content, "Blocked by Mirage: Refunds above 500 need a supervisor.");
 * ```
 */
export function withMirage<T extends LangChainTool>(
  tools: readonly T[],
  gate: ToolGate,
  options: MirageToolOptions = {},
): T[] {
  return tools.map((tool) => gatedTool(tool, gate, options));
}

/**
 * A `createAgent` middleware that asks `gate` about every tool call before it runs.
 *
 * - Allowed and flagged calls go on to the tool (through `handler`, awaited).
 * - A blocked call never runs: the middleware answers with a `ToolMessage` of
 *   `status: "error"` and `Blocked by Mirage: <the rule's message>`, and the run goes on. With
 *   `onBlock: "throw"`, it throws `MirageViolationError` and `agent.invoke()` rejects.
 * - In CI, a call a session answers with a tool mock is answered by the middleware: the tool
 *   does not run. An `error` mock fails the call as a failing tool does in `createAgent` (the
 *   run rejects, since `createAgent` rethrows tool errors that pass through middleware).
 *
 * A call to a tool the agent does not have cannot be answered in its place: when Mirage stops
 * one, the middleware throws (fail closed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAgent } from "langchain";
 * import { fakeModel } from "@langchain/core/testing";
 * import { AIMessage, ToolMessage } from "@langchain/core/messages";
 * import { tool } from "@langchain/core/tools";
 * import { z } from "zod";
 * import { guard } from "@mirage/core";
 * import { mirageMiddleware } from "@mirage/core/langchain";
 * await using gate = await guard({
 *   policies: { policies: [{ name: "refund_limit", tool: "issue_refund", field: "amount", operator: "max", value: 500, message: "Refunds above 500 need a supervisor." }] },
 * });
 * const refund = tool(({ amount }) => `refunded ${amount}`, {
 *   name: "issue_refund",
 *   description: "Refund an order",
 *   schema: z.object({ amount: z.number() }),
 * });
 * const model = fakeModel()
 *   .respondWithTools([{ name: "issue_refund", args: { amount: 900 }, id: "call_1" }])
 *   .respond(new AIMessage("I could not refund that."));
 * const agent = createAgent({ model, tools: [refund], middleware: [mirageMiddleware(gate)] });
 * const { messages } = await agent.invoke({ messages: [{ role: "user", content: "Refund order 7" }] });
 * const told = messages.find(ToolMessage.isInstance); // what the model is told instead
 * assert.equal(told?.status, "error");
 * assert.equal(told?.content, "Blocked by Mirage: Refunds above 500 need a supervisor.");
 * ```
 */
export function mirageMiddleware(
  gate: ToolGate,
  options: MirageToolOptions = {},
): MirageMiddleware {
  return {
    name: "mirage",
    async wrapToolCall(request, handler) {
      const { toolCall, tool } = request;
      const canAnswer = answerable(tool);
      const step = await decideCall(
        gate,
        { tool: toolCall.name, args: toolCall.args, callId: toolCall.id },
        canAnswer ? options : { ...options, onBlock: "throw" },
      );
      if (step.kind === "run") return await handler(request);
      if (!canAnswer) {
        throw new MirageError(
          "adapter_cannot_answer",
          `a tool mock answers ${toolCall.name}, but the agent has no tool of that name to answer through`,
        );
      }
      return await answer(tool, step, [{ ...toolCall, type: "tool_call" }]) as never;
    },
  };
}
