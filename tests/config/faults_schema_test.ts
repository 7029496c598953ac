/**
 * The language of declared faults (docs/chaos.md): every form is accepted, and every mistake is
 * reported at its line and column, with a "did you mean" where one helps.
 */

import assert from "node:assert/strict";
import { mockIssues } from "./issues.ts";
import { parseMocks } from "../../src/config/load.ts";

/** A route `pay` and a tool mock `lookup`, then the given lines from line 9 on. */
function withMocks(...lines: string[]): string {
  return [
    "mocks:",
    "  - name: pay",
    "    method: POST",
    "    path: /pay",
    "tools:",
    "  - name: lookup",
    "    result: {text: found}",
    "    faults: []",
    ...lines,
    "",
  ].join("\n");
}

/** The route `pay` with the given faults (line 5 on). */
function routeFaults(...lines: string[]): string {
  return [
    "mocks:",
    "  - name: pay",
    "    method: POST",
    "    path: /pay",
    "    faults:",
    ...lines,
    "",
  ]
    .join("\n");
}

Deno.test("faults: every kind, on routes, tools and profiles, is accepted", () => {
  const loaded = parseMocks(
    withMocks(
      "chaos:",
      "  outage:",
      "    - {route: pay, fault: status, rate: 0.25, status: 503, headers: {retry-after: '1'}, body: {e: '{{ params }}'}}",
      "    - {route: [pay], fault: reset, rate: 0.25}",
      "    - {route: pay, fault: timeout, rate: 0.25, after_ms: 1000}",
      "    - {route: pay, fault: delay, rate: 0.25, delay_ms: [0, 60000]}",
      "    - {tool: lookup, fault: error, rate: 0.5, error: 'no {{ args.q }}'}",
      "    - {tool: lookup, fault: timeout, rate: 0.25, after_ms: 5, error: late}",
      "    - {tool: [lookup], fault: delay, rate: 0.25, delay_ms: 10}",
    ),
    "m.yaml",
  );
  assert.equal(loaded.document.chaos?.outage?.length, 7);
  const inline = parseMocks(
    routeFaults(
      "      - {fault: status, rate: 0.5, body: busy}",
      "      - {fault: delay, rate: 0.5, delay_ms: 5}",
    ),
    "m.yaml",
  );
  assert.equal(inline.document.mocks[0]?.faults?.length, 2);
});

const INVALID: [string, string, string[]][] = [
  ["misspelt kind", routeFaults("      - {fault: rest}"), [
    `6:17 a route fault must be 'status' or 'reset' or 'timeout' or 'delay', got string "rest" (did you mean 'reset'?)`,
  ]],
  ["misspelt key", routeFaults("      - {fault: status, statu: 503}"), [
    "6:25 unknown key 'statu' (did you mean 'status'?)",
  ]],
  ["a key of another kind", routeFaults("      - {fault: reset, status: 503}"), [
    "6:24 'status' does not apply to a reset fault (it takes only 'rate')",
  ]],
  ["a tool kind on a route", routeFaults("      - {fault: error}"), [
    `6:17 a route fault must be 'status' or 'reset' or 'timeout' or 'delay', got string "error"`,
  ]],
  ["a delay without its delay", routeFaults("      - {fault: delay}"), [
    "6:9 a delay fault needs 'delay_ms'",
  ]],
  ["rate out of range", routeFaults("      - {fault: reset, rate: 0}"), [
    "6:30 rate must be a number above 0 and at most 1, got number 0",
  ]],
  [
    "rates over 1",
    routeFaults("      - {fault: reset, rate: 0.6}", "      - {fault: status, rate: 0.5}"),
    [
      "6:7 the faults of this route add up to rate 1.1; they share one draw per call, so at most 1",
    ],
  ],
  ["a reversed delay range", routeFaults("      - {fault: delay, delay_ms: [9, 1]}"), [
    "6:34 delay_ms: [min, max] needs min <= max",
  ]],
  ["a bad template in a body", routeFaults("      - {fault: status, body: {e: 'hi {{ a..b }}'}}"), [
    `6:35 invalid template "hi {{ a..b }}": invalid field path 'a..b': an empty segment (two dots in a row, or a dot at the start or end)`,
  ]],
  ["a route kind on a tool", withMocks().replace("faults: []", "faults: [{fault: reset}]"), [
    `8:22 a tool fault must be 'error' or 'timeout' or 'delay', got string "reset"`,
  ]],
  ["a profile aimed at nothing", withMocks("chaos:", "  p:", "    - {fault: reset}"), [
    "11:7 a chaos fault needs 'route' or 'tool': the mocks it applies to, by name",
  ]],
  [
    "a profile aimed at an unknown mock",
    withMocks(
      "chaos:",
      "  p:",
      "    - {route: payy, fault: reset}",
      "    - {tool: [lookup, lookpu], fault: error}",
    ),
    [
      "11:15 no route mock named 'payy' (did you mean 'pay'?)",
      "12:23 no tool mock named 'lookpu' (did you mean 'lookup'?)",
    ],
  ],
  [
    "a tool aimed at with a route kind",
    withMocks("chaos:", "  p:", "    - {tool: lookup, fault: status}"),
    [
      "11:29 'status' is not a tool fault: a tool fault is 'error', 'timeout', 'delay'",
    ],
  ],
  [
    "a profile's rates over 1",
    withMocks(
      "chaos:",
      "  p:",
      "    - {route: pay, fault: reset, rate: 0.7}",
      "    - {route: pay, fault: status, rate: 0.7}",
    ),
    [
      "12:15 the faults of route 'pay' in this profile add up to rate 1.4; they share one draw per call, so at most 1",
    ],
  ],
  ["the default profile named", withMocks("chaos:", "  default: []"), [
    "10:3 'default' is the profile of the faults declared on the mocks themselves: name this one otherwise",
  ]],
  ["a profile named by a number", withMocks("chaos:", "  '7': []"), [
    `10:3 a chaos profile name must be a word (letters, digits, '_', '-'), got string "7"`,
  ]],
];

Deno.test("faults: invalid files report each mistake at its line and column", async (t) => {
  for (const [label, text, expected] of INVALID) {
    await t.step(label, () => assert.deepEqual(mockIssues(text), expected));
  }
});
