/**
 * The `tools:` section of `mocks.yaml` (SPEC §8): what it accepts, and every mistake reported
 * at its line and column with a suggestion, as for routes.
 */

import assert from "node:assert/strict";
import { stringify } from "yaml";
import { ConfigError } from "../../src/errors.ts";
import { parseMocks, validateMocks } from "../../src/config/load.ts";
import type { MocksDocument } from "../../src/config/types.ts";

Deno.test("tool mocks: a file using every feature is accepted, and `mocks:` may be left out", () => {
  const doc: MocksDocument = {
    mocks: [],
    strict_tools: true,
    tools: [
      {
        name: "lookup_shipped",
        tool: "lookup_order",
        match: { payload: { order_id: { starts_with: "ORD-" }, "items[0].qty": 2 } },
        result: {
          json: { id: "{{ args.order_id }}", all: "{{ args }}", first: "{{ payload.items[0] }}" },
        },
        delay_ms: 60000,
      },
      { name: "lookup_order", result: { text: "{{ tool }} in {{ run_id }}: {{ order_id }}" } },
      {
        name: "refund_fails",
        tool: "issue_refund",
        result: { error: "no refund for {{args.id}}" },
      },
      { name: "null_json", result: { json: null } },
    ],
  };
  assert.deepEqual(validateMocks(doc).document, doc);
  assert.deepEqual(parseMocks(stringify(doc), "m.yaml").document, doc);
  const toolsOnly = parseMocks("tools:\n  - {name: t, result: {text: ok}}\n", "m.yaml");
  assert.deepEqual(toolsOnly.document, {
    mocks: [],
    tools: [{ name: "t", result: { text: "ok" } }],
  });
});

function issuesOf(text: string): string[] {
  try {
    parseMocks(text, "m.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.line}:${i.col} ${i.message}`);
    throw e;
  }
  assert.fail("expected a ConfigError");
}

/** A file with one tool mock `t` plus the given lines; the extra lines start at line 3. */
function oneTool(...lines: string[]): string {
  return ["tools:", "  - name: t", ...lines.map((l) => `    ${l}`), ""].join("\n");
}

const INVALID: [string, string, string[]][] = [
  ["misspelt key", oneTool("result: {text: a}", "delay: 5"), [
    "4:5 unknown key 'delay' (did you mean 'delay_ms'?)",
  ]],
  ["misspelt result kind", oneTool("result: {jsno: {}}"), [
    "3:14 unknown key 'jsno' (did you mean 'json'?)",
  ]],
  ["empty result", oneTool("result: {}"), [
    "3:13 a tool mock's result needs one of 'json', 'text' or 'error'",
  ]],
  ["no result", oneTool("tool: x"), ["2:5 missing required key 'result'"]],
  ["two results", oneTool("result: {text: a, error: b}"), [
    "3:13 a tool mock's result is one of 'json', 'text' or 'error', got text, error",
  ]],
  ["text not a string", oneTool("result: {text: 5}"), [
    "3:20 text must be a string, got number 5",
  ]],
  ["route roots are not available", oneTool("result: {json: {a: '{{ params.id }}'}}"), [
    `3:24 invalid template "{{ params.id }}": 'params' is not available (use args, payload, tool, run_id)`,
  ]],
  ["broken template in an error", oneTool("result: {error: 'no {{ args.'}"), [
    `3:21 invalid template "no {{ args.": unclosed '{{'`,
  ]],
  ["match on headers", oneTool("result: {text: a}", "match: {headers: {a: b}}"), [
    "4:13 unknown key 'headers'",
  ]],
  [
    "state operator in a match",
    oneTool("result: {text: a}", "match: {payload: {n: {sum_lte: 1}}}"),
    [
      "4:27 state operator 'sum_lte' cannot be used in a mock match",
    ],
  ],
  ["delay too long", oneTool("result: {text: a}", "delay_ms: -1"), [
    "4:15 delay_ms must be an integer from 0 to 60000, got number -1",
  ]],
  ["empty tool name", oneTool("result: {text: a}", "tool: ''"), [
    `4:11 tool must be a non-empty single-line string, got string ""`,
  ]],
  ["strict_tools not a boolean", "strict_tools: yes please\ntools: []\n", [
    `1:15 strict_tools must be true or false, got string "yes please"`,
  ]],
  ["misspelt top-level key", "strict_tool: true\n", [
    "1:1 unknown key 'strict_tool' (did you mean 'strict_tools'?)",
  ]],
  ["tools not a list", "tools: {}\n", ["1:8 tools must be a list of tool mocks, got a mapping"]],
  [
    "duplicate names",
    "tools:\n  - {name: a, result: {text: x}}\n  - {name: a, tool: b, result: {text: y}}\n",
    ["3:12 duplicate tool mock name 'a' (first at line 2)"],
  ],
];

Deno.test("tool mocks: invalid files report each mistake at its line and column", async (t) => {
  for (const [label, text, expected] of INVALID) {
    await t.step(label, () => assert.deepEqual(issuesOf(text), expected));
  }
});
