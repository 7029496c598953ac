/**
 * The tools an MCP `tools/list` shows: in `--mocks` mode the declared tools of the mocks file
 * (one entry per tool name, however many mocks answer it), and with `--hide-blocked-tools` any
 * list without the tools a rule blocks whatever the call.
 *
 * @module
 */

import type { MocksDocument } from "../config/types.ts";
import { isRecord } from "../is_record.ts";

/**
 * One tool as `tools/list` shows it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { declaredTools, type McpTool } from "./tool_listing.ts";
 * const schema = { type: "object", required: ["order_id"] };
 * const tools: McpTool[] = declaredTools({
 *   mocks: [],
 *   tools: [{ name: "lookup_order", input_schema: schema, result: { json: {} } }],
 * });
 * assert.deepEqual(tools, [{ name: "lookup_order", inputSchema: schema }]);

 * ```
 */
export interface McpTool {
  /** The tool's name. */
  readonly name: string;
  /** What the model reads about it. */
  readonly description?: string;
  /** The JSON Schema of its arguments (`type: object`). */
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

/**
 * The declared tools of a mocks document in the order they are first declared. A tool answered
 * by several mocks takes the first description and the first `input_schema` given; without one,
 * its schema is `{type: object}` (any arguments).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { declaredTools } from "./tool_listing.ts";
 * const tools = declaredTools({ mocks: [], tools: [
 *   { name: "vip", tool: "lookup", match: { payload: { tier: "vip" } }, result: { text: "vip" } },
 *   { name: "lookup", description: "Looks an order up.", result: { text: "found" } },
 * ] });
 * assert.deepEqual(tools, [{ name: "lookup", description: "Looks an order up.", inputSchema: { type: "object" } }]);
 * ```
 */
export function declaredTools(doc: MocksDocument): McpTool[] {
  const byName = new Map<string, { description?: string; schema?: Record<string, unknown> }>();
  for (const mock of doc.tools ?? []) {
    const name = mock.tool ?? mock.name;
    const seen = byName.get(name) ?? {};
    if (seen.description === undefined && mock.description !== undefined) {
      seen.description = mock.description;
    }
    if (seen.schema === undefined && mock.input_schema) seen.schema = mock.input_schema;
    byName.set(name, seen);
  }
  return [...byName].map(([name, seen]) => ({
    name,
    ...(seen.description === undefined ? {} : { description: seen.description }),
    inputSchema: { type: "object", ...seen.schema },
  }));
}

/**
 * A `tools/list` result without the tools `blocked` names a rule for; anything that is not a
 * list of tools is returned as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutBlocked } from "./tool_listing.ts";
 * const r = withoutBlocked({ tools: [{ name: "search" }, { name: "delete_repo" }] }, (t) => t === "delete_repo" ? "no_deletes" : undefined);
 * assert.deepEqual(r, { tools: [{ name: "search" }] });
 * ```
 */
export function withoutBlocked(
  result: unknown,
  blocked: (tool: string) => string | undefined,
): unknown {
  if (!isRecord(result) || !Array.isArray(result.tools)) return result;
  const tools = result.tools.filter((t) =>
    !(isRecord(t) && typeof t.name === "string" && blocked(t.name) !== undefined)
  );
  return { ...result, tools };
}
