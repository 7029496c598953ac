import assert from "node:assert/strict";
import { lintConfig, lintPolicies } from "../../src/config/lint.ts";
import {
  parseMocks,
  parsePolicies,
  validateMocks,
  validatePolicies,
} from "../../src/config/load.ts";
import { examplePairs } from "../support/examples.ts";

const ROOT = new URL("../../", import.meta.url);

const MOCKS = parseMocks(
  [
    "mocks:", //                                             1
    "  - name: any_order", //                                2
    "    method: [GET, POST]", //                            3
    "    path: /v1/orders/{id}", //                          4
    "    host: '*.acme.internal'", //                        5
    "  - name: one_order", //                                6
    "    method: GET", //                                    7
    "    path: /v1/orders/42", //                            8
    "    host: api.acme.internal", //                        9
    "  - name: matched", //                                  10
    "    method: GET", //                                    11
    "    path: /v1/items", //                                12
    "    match: { query: { page: '1' } }", //                13
    "  - name: items", //                                    14
    "    method: GET", //                                    15
    "    path: /v1/items", //                                16
    "  - name: items_other_host", //                         17
    "    method: GET", //                                    18
    "    path: /v1/items", //                                19
    "    host: example.com", //                              20
    "  - name: orders_wider_host", //                        21
    "    method: GET", //                                    22
    "    path: /v1/orders/{id}", //                          23
    "  - name: order_delete", //                             24
    "    method: DELETE", //                                 25
    "    path: /v1/orders/{id}", //                          26
    "    host: api.acme.internal", //                        27
  ].join("\n"),
  "m.yaml",
);

function policies(...rules: string[]): ReturnType<typeof parsePolicies> {
  const body = rules.map((r, i) =>
    `  - { name: r${i}, ${r}, field: a, operator: exists, message: m }`
  );
  return parsePolicies(rules.length ? ["policies:", ...body].join("\n") : "policies: []", "p.yaml");
}

Deno.test("shadowed mocks are reported at the later mock", () => {
  const warnings = lintConfig(policies(), MOCKS);
  assert.deepEqual(warnings.map((w) => `${w.file}:${w.line}:${w.col} ${w.message}`), [
    "m.yaml:6:5 mock 'one_order' is never used: 'any_order' (line 2) is declared first and matches every request it matches",
    "m.yaml:17:5 mock 'items_other_host' is never used: 'items' (line 14) is declared first and matches every request it matches",
  ]);
});

Deno.test("policies whose HTTP scope meets no mock are reported", async (t) => {
  const cases: [string, boolean][] = [
    ["method: POST, path: /v1/orders/7", false],
    ["path: '/v1/orders/{x}/**'", false],
    ["method: PATCH", true],
    ["path: /v2/**", true],
    ["path: /v1/item", true],
    ["host: other.org, path: /v1/orders/1", false],
    ["host: '*.nowhere.io'", false], // mocks without a host serve every host
    ["host: '*.nowhere.io', method: DELETE", true],
    ["host: 'x.acme.internal', method: DELETE", true],
    ["host: '*.acme.internal', method: DELETE", false],
    ["tool: send_email", false],
    ["tool: send_email, path: /v2/x", true], // a route and a tool: the route is checked
    ["tool: send_email, path: /v1/items", false],
    ["path: /V1/Items", true],
    ["path: /V1/Items, path_case: insensitive", false],
    ["description: unscoped", false],
  ];
  for (const [scope, warns] of cases) {
    await t.step(scope, () => {
      const found = lintConfig(policies(scope), MOCKS).filter((w) => w.file === "p.yaml");
      assert.equal(found.length, warns ? 1 : 0);
      if (warns) {
        assert.equal(found[0]?.line, 2);
        assert.match(
          found[0]?.message ?? "",
          /^policy 'r0' \(.+\) matches none of the declared mocks$/,
        );
      }
    });
  }
});

Deno.test("a file's path_case: insensitive compares its rules' paths in lower case", () => {
  const p = parsePolicies(
    "path_case: insensitive\npolicies:\n  - { name: r, path: /V1/ITEMS, field: a, operator: exists, message: m }\n",
    "p.yaml",
  );
  assert.deepEqual(lintConfig(p, MOCKS).filter((w) => w.file === "p.yaml"), []);
});

Deno.test("object documents get path-named warnings", () => {
  const p = validatePolicies({
    policies: [{ name: "x", path: "/nowhere", expr: "true", message: "m" }],
  });
  const m = validateMocks({
    mocks: [{ name: "a", method: "GET", path: "/a" }, { name: "b", method: "GET", path: "/a" }],
  });
  assert.deepEqual(lintConfig(p, m).map((w) => [w.line, w.col, w.message]), [
    [1, 1, "policies[0]: policy 'x' (/nowhere) matches none of the declared mocks"],
    [
      1,
      1,
      "mocks[1]: mock 'b' is never used: 'a' (mocks[0]) is declared first and matches every request it matches",
    ],
  ]);
});

Deno.test("the examples and the scenario library lint clean", async () => {
  const pairs = await examplePairs();
  assert.ok(pairs.length >= 6, pairs.map((p) => p.name).join(", "));
  for (const { name, policies, mocks } of pairs) {
    const p = parsePolicies(await Deno.readTextFile(new URL(policies, ROOT)), name);
    const m = parseMocks(await Deno.readTextFile(new URL(mocks, ROOT)), name);
    assert.deepEqual(lintConfig(p, m), [], name);
    assert.deepEqual(lintPolicies(p), [], name);
  }
});

/** One rule per line of `rules` (flow mappings), as a policies file named p.yaml. */
function rulesFile(...rules: string[]): ReturnType<typeof parsePolicies> {
  return parsePolicies(
    ["policies:", ...rules.map((r) => `  - { ${r}, message: m }`)].join("\n"),
    "p.yaml",
  );
}

const where = (w: { line: number; col: number; message: string }) =>
  `${w.line}:${w.col} ${w.message}`;

Deno.test("a method that is no registered HTTP method is reported, with the one meant", () => {
  const p = rulesFile(
    "name: a, method: PSOT, field: x, operator: exists",
    "name: b, method: [get, Gte, PURGE, propfind], field: x, operator: exists",
    "name: c, method: FROB, field: x, operator: exists",
    "name: d, tool: t, operator: requires_prior, value: { method: PTACH, path: /v1/x }",
    "name: e, method: [POST, PUT, PATCH, DELETE, QUERY, MKCOL], field: x, operator: exists",
  );
  const registered =
    "is not a registered HTTP method, so the rule matches no request that uses one";
  assert.deepEqual(lintPolicies(p).map(where), [
    `2:16 policy 'a': 'PSOT' ${registered} (did you mean 'POST'?)`,
    `3:30 policy 'b': 'Gte' ${registered} (did you mean 'GET'?)`,
    `4:16 policy 'c': 'FROB' ${registered}`,
    `5:60 policy 'd': 'PTACH' ${registered} (did you mean 'PATCH'?)`,
  ]);
});

Deno.test("a field the actions of a rule's scope never have is reported", () => {
  const p = rulesFile(
    "name: a, tool: send_webhook, field: url, operator: host_in, value: [x.test]",
    "name: b, tool: send_webhook, field: payload.url, operator: host_in, value: [x.test]",
    "name: c, tool: t, method: POST, path: /v1/x, field: host, operator: eq, value: x",
    "name: d, method: GET, field: tool, operator: eq, value: x",
    "name: e, field: url, operator: exists",
    "name: f, tool: t, when: { all: [{ field: a, operator: exists }, { field: query.p, operator: exists }] }",
    "name: g, tool: t, operator: sum_lte, value: { field: port, limit: 5 }",
    "name: h, method: POST, field: url, operator: starts_with, value: 'https://'",
  );
  assert.deepEqual(lintPolicies(p).map(where), [
    "2:36 policy 'a' reads 'url', which tool calls do not have: on its tool calls the field is always missing (a tool's argument is 'payload.url')",
    "4:52 policy 'c' reads 'host', which tool calls do not have: on its tool calls the field is always missing (a tool's argument is 'payload.host')",
    "5:29 policy 'd' reads 'tool', which HTTP requests do not have: on its HTTP requests the field is always missing",
    "7:73 policy 'f' reads 'query.p', which tool calls do not have: on its tool calls the field is always missing (a tool's argument is 'payload.query.p')",
    "8:53 policy 'g' reads 'port', which tool calls do not have: on its tool calls the field is always missing (a tool's argument is 'payload.port')",
  ]);
});

Deno.test("a rule reading the request's url where its route's mocks read the body's is reported", async (t) => {
  const m = parseMocks(
    [
      "mocks:",
      "  - name: create_webhook",
      "    method: POST",
      "    path: /v1/webhooks",
      "    response: { status_code: 201, json: { id: W-1, target: 'to {{ payload.url }}' } }",
      "  - name: by_host",
      "    method: PUT",
      "    path: /v1/targets",
      "    match: { payload: { host.name: { ends_with: .test } } }",
      "  - name: read_hook",
      "    method: GET",
      "    path: /v1/hooks",
      "    response: { json: { q: '{{ query.url }}' } }",
    ].join("\n"),
    "m.yaml",
  );
  const body = (f: string) => `reads '${f}', the request's own, but mock`;
  const cases: [string, string | undefined][] = [
    [
      "method: POST, path: /v1/webhooks, field: url, operator: host_in, value: [x.test]",
      body("url"),
    ],
    ["path: /v1/webhooks, field: url, operator: starts_with, value: 'https://'", body("url")],
    [
      "method: POST, path: /v1/webhooks, when: { not: { field: url, operator: exists } }",
      body("url"),
    ],
    ["method: PUT, path: /v1/targets, field: host, operator: eq, value: x", body("host")],
    [
      "method: POST, path: /v1/webhooks, field: payload.url, operator: host_in, value: [x]",
      undefined,
    ],
    ["method: POST, path: /v1/webhooks, field: host, operator: eq, value: x", undefined],
    ["method: GET, path: /v1/webhooks, field: url, operator: exists", undefined],
    ["method: [GET, POST], path: /v1/hooks, field: url, operator: exists", undefined],
    ["method: POST, path: /v2/**, field: url, operator: exists", undefined],
  ];
  for (const [rule, warning] of cases) {
    await t.step(rule, () => {
      const found = lintConfig(rulesFile(`name: r, ${rule}`), m)
        .filter((w) => w.message.includes("the request's own"));
      assert.equal(found.length, warning ? 1 : 0);
      if (warning) assert.ok(found[0]?.message.includes(warning), found[0]?.message);
    });
  }
  const [found] = lintConfig(
    rulesFile("name: hook, method: POST, path: /v1/webhooks, field: url, operator: exists"),
    m,
  );
  assert.equal(
    found && where(found),
    "2:53 policy 'hook' reads 'url', the request's own, but mock 'create_webhook' reads the body's 'payload.url': write 'payload.url' to check the body's",
  );
});

Deno.test("under strict_tools, a policy whose tools are all undeclared is reported", async (t) => {
  const tools = (strict: boolean) =>
    parseMocks(
      [
        `strict_tools: ${strict}`,
        "tools:",
        "  - { name: lookup, result: { text: ok } }",
        "  - { name: refund_ok, tool: issue_refund, result: { json: {} } }",
      ].join("\n"),
      "m.yaml",
    );
  const cases: [string, boolean, string | undefined][] = [
    ["tool: lookup", true, undefined],
    ["tool: issue_refund", true, undefined],
    ["tool: refund_ok", true, "policy 'r0' (tool refund_ok)"],
    ["tool: [send_email, lookup]", true, undefined],
    ["tool: [send_email, reply]", true, "policy 'r0' (tool send_email|reply)"],
    ["tool: send_email", false, undefined],
    ["method: GET", true, undefined],
  ];
  for (const [scope, strict, warning] of cases) {
    await t.step(`${scope} (strict_tools: ${strict})`, () => {
      const found = lintConfig(policies(scope), tools(strict))
        .filter((w) => w.message.includes("declared tools"));
      assert.deepEqual(
        found.map((w) => `${w.file}:${w.line}:${w.col} ${w.message}`),
        warning === undefined ? [] : [
          `p.yaml:2:5 ${warning} matches none of the declared tools: with strict_tools, calls to it are unmatched_route`,
        ],
      );
    });
  }
});
