/**
 * The `tools:` of a mocks document compiled once: names indexed, `match` narrowing compiled
 * into conditions, results into renderers over the call's arguments. The first declared match
 * wins; `strict_tools` makes an undeclared tool a miss of the declared surface.
 *
 * @module
 */

import type { MocksDocument, ToolMock } from "../config/types.ts";
import type { ToolAction } from "./action.ts";
import type { CompiledCondition } from "./condition.ts";
import {
  compileNarrowing,
  compileTemplatedJson,
  compileTemplatedString,
  narrows,
} from "./mock_parts.ts";

/**
 * What a tool mock answers instead of the real tool: a JSON value, a text, or an error (the
 * tool failed with that message).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileToolMocks, type ToolResult, toolAction } from "@mirage/core";
 * const tools = compileToolMocks({
 *   mocks: [],
 *   tools: [
 *     {
 *       name: "missing",
 *       tool: "lookup_order",
 *       match: { payload: { id: "X" } },
 *       result: { error: "order not found" },
 *     },
 *     { name: "shipped", tool: "lookup_order", result: { json: { status: "shipped" } } },
 *   ],
 * });
 * const answer = (id: string): ToolResult | undefined =>
 *   tools.match(toolAction({ tool: "lookup_order", args: { id } }))?.render();
 * assert.deepEqual(answer("A1"), { kind: "json", json: { status: "shipped" } });
 * assert.deepEqual(answer("X"), { kind: "error", error: "order not found" });
 * ```
 */
export type ToolResult =
  | { readonly kind: "json"; readonly json: unknown }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "error"; readonly error: string };

/**
 * A tool mock that matched a call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileToolMocks, toolAction } from "@mirage/core";
 * const tools = compileToolMocks({
 *   mocks: [],
 *   tools: [{ name: "lookup", result: { text: "found {{ args.q }}" }, delay_ms: 10 }],
 * });
 * const hit = tools.match(toolAction({ tool: "lookup", args: { q: "x" } }));
 * assert.equal(hit?.name, "lookup");
 * assert.equal(hit?.delayMs, 10);
 * assert.deepEqual(hit?.render(), { kind: "text", text: "found x" });
 * ```
 */
export interface MatchedToolMock {
  /** The mock's name. */
  readonly name: string;
  /** How long to wait before answering, in milliseconds. */
  readonly delayMs: number;
  /** Renders the mock's result for the call. */
  render(): ToolResult;
}

/**
 * The compiled `tools:` of a mocks document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileToolMocks, toolAction } from "@mirage/core";
 * const tools = compileToolMocks({
 *   mocks: [],
 *   strict_tools: true,
 *   tools: [{ name: "refund_small", tool: "refund", result: { json: { ok: true } } }],
 * });
 * assert.equal(tools.strict, true);
 * assert.equal(tools.size, 1);
 * assert.deepEqual([...tools.tools], ["refund"]);
 * assert.equal(tools.match(toolAction({ tool: "x" })), undefined);
 * ```
 */
export interface ToolMockRouter {
  /** Number of tool mocks. */
  readonly size: number;
  /** `strict_tools`: a call that no mock matches is `unmatched_route`. */
  readonly strict: boolean;
  /** The names of the tools some mock answers. */
  readonly tools: ReadonlySet<string>;
  /** The first declared mock that matches the call, if any. */
  match(action: ToolAction): MatchedToolMock | undefined;
}

interface CompiledToolMock {
  readonly name: string;
  readonly delayMs: number;
  readonly narrow: readonly CompiledCondition[];
  readonly render: (action: ToolAction) => ToolResult;
}

function compileResult(mock: ToolMock): (action: ToolAction) => ToolResult {
  const r = mock.result;
  if (r.text !== undefined) {
    const text = compileTemplatedString(r.text, false, "tool");
    return (a) => ({ kind: "text", text: String(text(a)) });
  }
  if (r.error !== undefined) {
    const error = compileTemplatedString(r.error, false, "tool");
    return (a) => ({ kind: "error", error: String(error(a)) });
  }
  const json = compileTemplatedJson(r.json ?? null, "tool");
  return (a) => ({ kind: "json", json: json(a) });
}

function compileToolMock(mock: ToolMock): CompiledToolMock {
  return {
    name: mock.name,
    delayMs: mock.delay_ms ?? 0,
    narrow: compileNarrowing("payload", mock.match?.payload),
    render: compileResult(mock),
  };
}

class CompiledToolMockRouter implements ToolMockRouter {
  readonly size: number;
  readonly strict: boolean;
  readonly tools: ReadonlySet<string>;
  readonly #byTool = new Map<string, CompiledToolMock[]>();

  constructor(doc: MocksDocument) {
    const mocks = doc.tools ?? [];
    for (const mock of mocks) {
      const tool = mock.tool ?? mock.name;
      const list = this.#byTool.get(tool) ?? [];
      list.push(compileToolMock(mock));
      this.#byTool.set(tool, list);
    }
    this.size = mocks.length;
    this.strict = doc.strict_tools ?? false;
    this.tools = new Set(this.#byTool.keys());
  }

  match(action: ToolAction): MatchedToolMock | undefined {
    const mock = this.#byTool.get(action.tool)?.find((m) => narrows(m.narrow, action));
    if (!mock) return undefined;
    return { name: mock.name, delayMs: mock.delayMs, render: () => mock.render(action) };
  }
}

/**
 * Compiles the `tools:` and `strict_tools` of a mocks document once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileToolMocks, toolAction } from "@mirage/core";
 * const tools = compileToolMocks({ mocks: [], tools: [{ name: "refund", result: { json: { ok: true } } }] });
 * assert.equal(tools.size, 1);
 * assert.equal(tools.strict, false);
 * assert.equal(tools.match(toolAction({ tool: "refund" }))?.name, "refund");

 * ```
 */
export function compileToolMocks(doc: MocksDocument): ToolMockRouter {
  return new CompiledToolMockRouter(doc);
}
