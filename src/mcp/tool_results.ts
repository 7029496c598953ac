/**
 * The `tools/call` results Mirage writes itself (docs/mcp.md): the answer to a stopped call — a
 * result with `isError: true` and the rule's message as text, the only shape every MCP client
 * shows its model (a JSON-RPC error loses the reason in some clients) — and a tool mock's answer.
 *
 * @module
 */

import type { ToolResult } from "../engine/compile_tool_mocks.ts";
import type { ToolVerdict } from "../tools/tool_gate.ts";
import { isRecord } from "../is_record.ts";

/** An MCP `CallToolResult`, as far as Mirage writes one. */
interface CallToolResult {
  /** What the model reads. */
  readonly content: readonly { readonly type: "text"; readonly text: string }[];
  /** A JSON object result, for clients that read structured content. */
  readonly structuredContent?: Readonly<Record<string, unknown>>;
  /** The tool failed or was not run: the model sees `content` as the reason. */
  readonly isError?: boolean;
  /** Details for programs (`mirage/outcome`, `mirage/policy`, `mirage/run_id`, `mirage/event`). */
  readonly _meta?: Readonly<Record<string, unknown>>;
}

/**
 * The result a stopped call is answered with: the verdict's message, and where it was decided.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockedResult } from "./tool_results.ts";
 * const r = blockedResult({
 *   outcome: "policy_violation", allowed: false, enforced: true, policy: "refund_limit",
 *   message: "Refunds above 500 need a supervisor.", decisions: [], event: 2, runId: "support",
 * });
 * assert.deepEqual(r, {
 *   content: [{ type: "text", text: "Refunds above 500 need a supervisor." }],
 *   isError: true,
 *   _meta: { "mirage/outcome": "policy_violation", "mirage/policy": "refund_limit", "mirage/run_id": "support", "mirage/event": 2 },
 * });
 * ```
 */
export function blockedResult(v: ToolVerdict): CallToolResult {
  const meta: Record<string, unknown> = { "mirage/outcome": v.outcome };
  if (v.policy !== undefined) meta["mirage/policy"] = v.policy;
  meta["mirage/run_id"] = v.runId;
  meta["mirage/event"] = v.event;
  return { content: [{ type: "text", text: v.message }], isError: true, _meta: meta };
}

/**
 * A tool mock's rendered result as an MCP result: text as text, JSON as its text (and as
 * structured content when it is an object), an error as a failed call with its message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mockResult } from "./tool_results.ts";
 * assert.deepEqual(mockResult({ kind: "json", json: { status: "shipped" } }), {
 *   content: [{ type: "text", text: '{"status":"shipped"}' }],
 *   structuredContent: { status: "shipped" },
 * });
 * ```
 */
export function mockResult(result: ToolResult): CallToolResult {
  switch (result.kind) {
    case "text":
      return { content: [{ type: "text", text: result.text }] };
    case "error":
      return { content: [{ type: "text", text: result.error }], isError: true };
    case "json": {
      const text = JSON.stringify(result.json) ?? "null";
      const content = [{ type: "text" as const, text }];
      return isRecord(result.json) ? { content, structuredContent: result.json } : { content };
    }
  }
}
