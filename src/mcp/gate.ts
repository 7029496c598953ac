/**
 * The one decision every `mirage mcp` transport asks about a client's message (docs/mcp.md): a
 * `tools/call` is decided on its parsed body through the shared tool path
 * (`tools/decide_tool.ts`: evaluate, record with `buildEvent`, answer with a tool mock where
 * mocks are served); everything else passes untouched, except a cancellation of a call Mirage
 * refused, which the server never saw.
 *
 * @module
 */

import { toolAction } from "../engine/action.ts";
import { errorMessage } from "../errors.ts";
import { decideToolAction, type ToolContext } from "../tools/decide_tool.ts";
import type { ToolVerdict } from "../tools/tool_gate.ts";
import { failedVerdict } from "../tools/verdict.ts";
import type { RunIdRule } from "../trace/run_id.ts";
import {
  idOf,
  INVALID_PARAMS,
  type JsonRpcMessage,
  methodOf,
  rpcError,
  rpcResult,
} from "./jsonrpc.ts";
import type { McpConfig } from "./mcp_config.ts";
import { RefusedCalls } from "./refused_calls.ts";
import { blockedResult, mockResult } from "./tool_results.ts";
import { withoutBlocked } from "./tool_listing.ts";
import { isRecord } from "../is_record.ts";

/** What the gate decides with: the shared tool path's context, over an MCP configuration. */
interface McpGateOptions extends ToolContext {
  /** The configuration now (it changes on reload). */
  readonly config: () => McpConfig;
  /** Which run a call belongs to. */
  readonly runIds: RunIdRule;
  /** Leave the tools a rule blocks whatever the call out of `tools/list` results. */
  readonly hideBlocked?: boolean;
}

/**
 * Where a message came from: the HTTP request's headers (rules read them as `headers.*`) and
 * the MCP session, where the transport has them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallMemory } from "../tools/call_memory.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { McpGate, type MessageSource } from "./gate.ts";
 * import { loadMcpConfig } from "./mcp_config.ts";
 * const config = await loadMcpConfig({ policies: "scenarios/support_refunds/policies.yaml" });
 * const runs: string[] = [];
 * const gate = new McpGate({
 *   mode: "enforce",
 *   recorder: new Recorder({ observers: [(r) => runs.push(r.runId)] }),
 *   calls: new CallMemory(),
 *   config: () => config,
 *   runIds: new RunIdRule({ env: undefined }),
 * });
 * const call = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "lookup" } };
 * const fromSession: MessageSource = { headers: new Headers(), session: "s1" };
 * const headers = new Headers({ "x-mirage-run-id": "r9" });
 * const fromHeader: MessageSource = { headers, session: "s1" };
 * await gate.inspect(call, fromSession);
 * await gate.inspect(call, fromHeader);
 * assert.deepEqual(runs, ["s1", "r9"]); // the run id: the header, else the MCP session

 * ```
 */
export interface MessageSource {
  /** The HTTP request's headers. */
  readonly headers?: Headers | undefined;
  /** The MCP session id. */
  readonly session?: string | null | undefined;
}

/**
 * What to do with a message: pass it on (`listsTools`: its answer is a `tools/list` result to
 * filter), answer it here (a refusal, a tool mock's result, bad params), or drop it.
 */
type Inspection =
  | {
    readonly kind: "forward";
    readonly verdict?: ToolVerdict | undefined;
    readonly listsTools: boolean;
  }
  | { readonly kind: "answer"; readonly reply: JsonRpcMessage; readonly verdict?: ToolVerdict }
  | { readonly kind: "drop" };

const FORWARD: Inspection = { kind: "forward", listsTools: false };

/** The tool and arguments of a `tools/call`, or what is wrong with its params. */
function callOf(message: JsonRpcMessage): { tool: string; args: unknown } | string {
  const params = message.params;
  if (!isRecord(params)) return "tools/call needs params {name, arguments?}";
  if (typeof params.name !== "string" || params.name === "") {
    return "tools/call needs params.name, the tool's name";
  }
  if (params.arguments !== undefined && !isRecord(params.arguments)) {
    return "tools/call params.arguments must be an object";
  }
  return { tool: params.name, args: params.arguments };
}

/**
 * Decides the messages of every transport of one `mirage mcp`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallMemory } from "../tools/call_memory.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { RunIdRule } from "../trace/run_id.ts";
 * import { McpGate } from "./gate.ts";
 * import { loadMcpConfig } from "./mcp_config.ts";
 * const config = await loadMcpConfig({ policies: "scenarios/support_refunds/policies.yaml" });
 * const gate = new McpGate({
 *   mode: "enforce", recorder: new Recorder(), calls: new CallMemory(),
 *   config: () => config, runIds: new RunIdRule({ flag: "support", env: undefined }),
 * });
 * const list = await gate.inspect({ jsonrpc: "2.0", id: 1, method: "tools/list" }, {});
 * assert.equal(list.kind, "forward");
 * const call = await gate.inspect({
 *   jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "issue_store_credit", arguments: { credit: 900 } },
 * }, {});
 * assert.equal(call.kind, "answer"); // refused here, never sent to the server
 * assert.equal(call.verdict?.policy, "store_credit_range");
 * ```
 */
export class McpGate {
  readonly #options: McpGateOptions;
  readonly #refused = new RefusedCalls();

  /** A gate over the shared tool path. */
  constructor(options: McpGateOptions) {
    this.#options = options;
  }

  /** Whether `tools/list` results are filtered. */
  get hidesBlocked(): boolean {
    return this.#options.hideBlocked ?? false;
  }

  /**
   * Decides one message from the client. A `tools/call` that may not run is answered with
   * {@link blockedResult}; a call that cannot be recorded is refused as well (fail closed).
   */
  async inspect(message: JsonRpcMessage, source: MessageSource): Promise<Inspection> {
    switch (methodOf(message)) {
      case "tools/call":
        return await this.#decide(message, source);
      case "tools/list":
        return this.hidesBlocked ? { kind: "forward", listsTools: true } : FORWARD;
      case "notifications/cancelled":
        return this.#cancelsRefused(message, source) ? { kind: "drop" } : FORWARD;
      default:
        return FORWARD;
    }
  }

  /** A `tools/list` result without the tools that no call of can go through. */
  listing(result: unknown): unknown {
    if (!this.hidesBlocked) return result;
    return withoutBlocked(result, this.#options.config().blocksOutright);
  }

  #cancelsRefused(message: JsonRpcMessage, source: MessageSource): boolean {
    const params = message.params;
    return isRecord(params) && this.#refused.take(source.session ?? "", params.requestId);
  }

  async #decide(message: JsonRpcMessage, source: MessageSource): Promise<Inspection> {
    const id = idOf(message);
    const call = callOf(message);
    if (typeof call === "string") {
      return { kind: "answer", reply: rpcError(id, INVALID_PARAMS, call) };
    }
    const o = this.#options;
    const runId = o.runIds.resolve({ header: source.headers, mcpSession: source.session });
    const action = toolAction({
      tool: call.tool,
      args: call.args,
      runId,
      ...(source.headers ? { headers: source.headers } : {}),
    });
    let verdict: ToolVerdict;
    try {
      verdict = await decideToolAction(o, action);
    } catch (e) {
      verdict = failedVerdict(
        "enforce",
        `Mirage cannot record the call: ${errorMessage(e)}`,
        runId,
        0,
      );
    }
    if (!verdict.allowed) {
      this.#refused.add(source.session ?? "", id);
      return { kind: "answer", reply: rpcResult(id, blockedResult(verdict)), verdict };
    }
    if (verdict.mock) {
      return { kind: "answer", reply: rpcResult(id, mockResult(verdict.mock.result)), verdict };
    }
    return { kind: "forward", verdict, listsTools: false };
  }
}
