import assert from "node:assert/strict";
import { stringify } from "yaml";
import { mockIssues } from "./issues.ts";
import { parseMocks, validateMocks } from "../../src/config/load.ts";
import type { MocksDocument } from "../../src/config/types.ts";

Deno.test("a mocks file using every feature is accepted", () => {
  const doc: MocksDocument = {
    mocks: [
      {
        name: "quote_premium",
        method: ["POST", "put"],
        path: "/v1/quotes/{id}",
        host: "*.acme.internal",
        match: {
          query: { page: "1", size: 20, all: true, empty: null, q: { regex_match: "^[a-z]+$" } },
          headers: { "x-tenant": { in: ["a", "b"] }, "X-Flag": { exists: true } },
          payload: {
            "supplier.id": { starts_with: "S-" },
            "items[0].qty": { between: [1, 10] },
            x: { not_exists: null },
          },
        },
        response: {
          status_code: 201,
          headers: { "x-request-id": "Q-{{params.id}}", location: "/v1/quotes/{{ params.id }}" },
          json: {
            id: "{{ params.id }}",
            echo: ["{{payload.sku}}", { who: "{{ headers.x-tenant }}" }],
            n: 1,
            ok: null,
          },
          delay_ms: 60000,
        },
      },
      {
        name: "text",
        method: "GET",
        path: "/",
        response: { body: "{{ method }} {{ path }} {{ host }} {{ run_id }}" },
      },
      { name: "bare", method: "DELETE", path: "/v1/x" },
      {
        name: "json null",
        method: "GET",
        path: "/null",
        response: { json: null, status_code: 100 },
      },
    ],
  };
  assert.deepEqual(validateMocks(doc).document, doc);
  assert.deepEqual(parseMocks(stringify(doc), "m.yaml").document, doc);
});

/** A file with one mock `r` (GET /x) plus the given lines; the extra lines start at line 5. */
function oneMock(...lines: string[]): string {
  return [
    "mocks:",
    "  - name: r",
    "    method: GET",
    "    path: /x",
    ...lines.map((l) => `    ${l}`),
    "",
  ].join("\n");
}

const INVALID: [string, string, string[]][] = [
  ["misspelt key", oneMock("respose: {}"), [
    "5:5 unknown key 'respose' (did you mean 'response'?)",
  ]],
  ["missing path", "mocks:\n  - name: r\n    method: GET\n", ["2:5 missing required key 'path'"]],
  ["rest in a mock path", "mocks:\n  - name: r\n    method: GET\n    path: /x/**\n", [
    "4:11 invalid path '/x/**': '**' is only allowed in policy paths",
  ]],
  ["bad host", oneMock("host: 'a b'"), [
    `5:11 host must be a host name or a *.suffix pattern, got string "a b"`,
  ]],
  ["status out of range", oneMock("response: {status_code: 700}"), [
    "5:29 status_code must be an integer from 100 to 599, got number 700",
  ]],
  ["delay too long", oneMock("response: {delay_ms: 60001}"), [
    "5:26 delay_ms must be an integer from 0 to 60000, got number 60001",
  ]],
  ["json and body", oneMock("response:", "  json: {a: 1}", "  body: text"), [
    "7:7 'body' cannot be combined with 'json' (a response has one body)",
  ]],
  ["header value not a string", oneMock("response: {headers: {x-n: 5}}"), [
    "5:31 a response header must be a string, got number 5",
  ]],
  ["unclosed template in a header", oneMock("response: {headers: {x-id: 'Q-{{params.id'}}"), [
    `5:32 invalid template "Q-{{params.id": unclosed '{{'`,
  ]],
  [
    "templates in json leaves",
    oneMock("response:", "  json:", "    a: ['{{ url }}', ok]", "    b: {c: '{{ }}'}"),
    [
      `7:13 invalid template "{{ url }}": 'url' is not available (use params, query, headers, payload, method, path, host, run_id)`,
      `8:16 invalid template "{{ }}": empty '{{ }}'`,
    ],
  ],
  ["template in body", oneMock("response: {body: 'hi {{ a..b }}'}"), [
    `5:22 invalid template "hi {{ a..b }}": invalid field path 'a..b': an empty segment (two dots in a row, or a dot at the start or end)`,
  ]],
  ["unknown match operator", oneMock("match: {payload: {sku: {maxx: 1}}}"), [
    "5:29 unknown operator 'maxx' (did you mean 'max'?)",
  ]],
  ["state operator in a match", oneMock("match: {payload: {n: {count_lte: 1}}}"), [
    "5:27 state operator 'count_lte' cannot be used in a mock match",
  ]],
  ["bad match operand", oneMock("match: {query: {page: {regex_match: '('}}}"), [
    "5:41 invalid regex: missing closing )",
  ]],
  ["wrong operand type", oneMock("match: {payload: {n: {length_lte: x}}}"), [
    `5:39 operator 'length_lte' needs a non-negative integer, got string "x"`,
  ]],
  ["two operators", oneMock("match: {payload: {n: {gt: 1, lt: 5}}}"), [
    "5:26 a match value takes one operator, got 'gt', 'lt'",
  ]],
  ["no operator", oneMock("match: {payload: {n: {}}}"), [
    "5:26 a match operator needs exactly one operator, e.g. { regex_match: '^SKU-' }",
  ]],
  ["list as a match value", oneMock("match: {query: {page: [1, 2]}}"), [
    "5:27 a match value must be a string, number, boolean, null or { operator: value }, got [1,2]",
  ]],
  ["bad header name", oneMock("match: {headers: {'x y': a}}"), [
    `5:23 a header name must be a header name, got string "x y"`,
  ]],
  ["bad payload key", oneMock("match: {payload: {'a..b': 1}}"), [
    "5:23 invalid field path 'a..b': an empty segment (two dots in a row, or a dot at the start or end)",
  ]],
  ["unknown match section", oneMock("match: {body: {a: 1}}"), ["5:13 unknown key 'body'"]],
  [
    "duplicate names",
    "mocks:\n  - {name: a, method: GET, path: /a}\n  - {name: a, method: GET, path: /b}\n",
    [
      "3:12 duplicate mock name 'a' (first at line 2)",
    ],
  ],
  ["mocks not a list", "mocks: {}\n", ["1:8 mocks must be a list of routes, got a mapping"]],
];

Deno.test("invalid mocks files report each mistake at its line and column", async (t) => {
  for (const [label, text, expected] of INVALID) {
    await t.step(label, () => assert.deepEqual(mockIssues(text), expected));
  }
});

// The `tools:` section (SPEC §8): the same rules, the same positions.

Deno.test("tool mocks: a file using every feature is accepted, and `mocks:` may be left out", () => {
  const doc: MocksDocument = {
    mocks: [],
    strict_tools: true,
    tools: [
      {
        name: "lookup_shipped",
        tool: "lookup_order",
        description: "Looks an order up.\nBy its id.",
        input_schema: {
          type: "object",
          properties: { order_id: { type: "string" } },
          required: ["order_id"],
        },
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

/** A file with one tool mock `t` plus the given lines; the extra lines start at line 3. */
function oneTool(...lines: string[]): string {
  return ["tools:", "  - name: t", ...lines.map((l) => `    ${l}`), ""].join("\n");
}

const INVALID_TOOLS: [string, string, string[]][] = [
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
  ["input_schema a list", oneTool("result: {text: a}", "input_schema: [a]"), [
    `4:19 input_schema must be a JSON Schema mapping of type object, got ["a"]`,
  ]],
  ["input_schema not of type object", oneTool("result: {text: a}", "input_schema: {type: array}"), [
    `4:19 input_schema must have type: object (tool arguments are an object), got type string "array"`,
  ]],
  ["empty description", oneTool("result: {text: a}", "description: ' '"), [
    `4:18 description must be a non-empty string, got string " "`,
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
  for (const [label, text, expected] of INVALID_TOOLS) {
    await t.step(label, () => assert.deepEqual(mockIssues(text), expected));
  }
});
