import assert from "node:assert/strict";
import { stringify } from "yaml";
import { ConfigError } from "../../src/errors.ts";
import { parsePolicies, validatePolicies } from "../../src/config/load.ts";
import { OPERATOR_NAMES } from "../../src/config/operators.ts";
import type { PolicyRule } from "../../src/config/types.ts";
import { SCOPES, VALID } from "./valid_rules.ts";

function rule(name: string, body: Partial<PolicyRule>): PolicyRule {
  return { name, ...body, message: `${name} failed` } as PolicyRule;
}

Deno.test("every operator accepts a valid value, as an object and as YAML", () => {
  assert.deepEqual(Object.keys(VALID).sort(), [...OPERATOR_NAMES].sort());
  const doc = { version: 1 as const, policies: OPERATOR_NAMES.map((op) => rule(op, VALID[op])) };
  assert.equal(validatePolicies(doc).document.policies.length, OPERATOR_NAMES.length);
  const loaded = parsePolicies(stringify(doc), "all.yaml");
  assert.deepEqual(loaded.document, doc);
});

Deno.test("every scope form is accepted", async (t) => {
  for (const [label, scope] of Object.entries(SCOPES)) {
    await t.step(label, () => {
      const doc = { policies: [rule("r", { ...scope, field: "a", operator: "exists" })] };
      assert.deepEqual(parsePolicies(stringify(doc)).document, doc);
    });
  }
});

Deno.test("when trees, expr, actions, on_missing and redact are accepted", () => {
  const doc = {
    version: 1 as const,
    redact: ["headers.x-token", "payload.card.number", "card.cvc", "items[*].secret"],
    policies: [
      rule("tree", {
        action: "flag",
        on_missing: "pass",
        description: "nested",
        when: {
          all: [
            {
              any: [{ field: "a", operator: "lt", value: 1 }, {
                not: { field: "b", operator: "exists" },
              }],
            },
            { field: "c", operator: "between", value: [1, 2] },
          ],
        },
      }),
      rule("cel", {
        expr: 'payload.amount < 100 && method == "POST"',
        action: "block",
        on_missing: "fail",
      }),
    ],
  };
  assert.deepEqual(parsePolicies(stringify(doc)).document, doc);
});

/** A file whose first rule is `name: r`, the given lines, then `message: m`. Lines start at 3. */
function oneRule(...lines: string[]): string {
  return ["policies:", "  - name: r", ...lines.map((l) => `    ${l}`), "    message: m", ""].join(
    "\n",
  );
}

function issuesOf(text: string): string[] {
  try {
    parsePolicies(text, "p.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.line}:${i.col} ${i.message}`);
    throw e;
  }
  assert.fail("expected a ConfigError");
}

const INVALID: [string, string, string[]][] = [
  ["misspelt key", oneRule("paths: /v1/x", "field: a", "operator: exists"), [
    "3:5 unknown key 'paths' (did you mean 'path'?)",
  ]],
  ["misspelt operator", oneRule("field: a", "operator: maxx", "value: 5"), [
    "4:15 unknown operator 'maxx' (did you mean 'max'?)",
  ]],
  ["operator not a string", oneRule("field: a", "operator: 5"), [
    "4:15 operator must be an operator name, got number 5",
  ]],
  ["length needs an integer", oneRule("field: a", "operator: length_lte", 'value: "x"'), [
    `5:12 operator 'length_lte' needs a non-negative integer, got string "x"`,
  ]],
  ["between needs a pair", oneRule("field: a", "operator: between", "value: [5]"), [
    "5:12 operator 'between' needs [low, high], got [5]",
  ]],
  ["between needs low <= high", oneRule("field: a", "operator: between", "value: [9, 1]"), [
    "5:12 operator 'between' needs [low, high] with low <= high, got [9,1]",
  ]],
  ["between element", oneRule("field: a", "operator: between", "value: [1, x]"), [
    `5:16 operator 'between' needs [low, high], got string "x"`,
  ]],
  ["bad regex", oneRule("field: a", "operator: regex_match", 'value: "(a"'), [
    "5:12 invalid regex: missing closing )",
  ]],
  ["order needs number or date", oneRule("field: a", "operator: lt", "value: soon"), [
    `5:12 operator 'lt' needs a number or an ISO date, got string "soon"`,
  ]],
  ["in needs a list", oneRule("field: a", "operator: in", "value: []"), [
    "5:12 operator 'in' needs a non-empty list, got []",
  ]],
  ["contains needs a scalar", oneRule("field: a", "operator: contains", "value: {x: 1}"), [
    "5:12 operator 'contains' needs a string or a scalar, got a mapping",
  ]],
  ["starts_with needs a string", oneRule("field: a", "operator: starts_with", "value: 5"), [
    "5:12 operator 'starts_with' needs a string, got number 5",
  ]],
  ["host_in item", oneRule("field: a", "operator: host_in", "value: [ok.com, 'bad host']"), [
    `5:21 operator 'host_in' needs a non-empty list of host names or *.suffix patterns, got string "bad host"`,
  ]],
  ["cidr_in item", oneRule("field: a", "operator: cidr_in", "value: [10.0.0.0/8, 10.0.0.0/40]"), [
    `5:25 operator 'cidr_in' needs a non-empty list of IP addresses or CIDR ranges, got string "10.0.0.0/40"`,
  ]],
  ["exists takes no value", oneRule("field: a", "operator: exists", "value: 1"), [
    "5:12 operator 'exists' takes no value, got number 1",
  ]],
  ["value missing", oneRule("field: a", "operator: eq"), ["4:5 operator 'eq' needs a 'value'"]],
  ["field missing", oneRule("operator: eq", "value: 1"), ["3:5 operator 'eq' needs a 'field'"]],
  ["empty field", oneRule('field: ""', "operator: eq", "value: 1"), [
    "3:12 field must not be empty with operator 'eq'",
  ]],
  ["bad field path", oneRule("field: a..b", "operator: exists"), [
    "3:12 invalid field path 'a..b': an empty segment (two dots in a row, or a dot at the start or end)",
  ]],
  ["count_lte value", oneRule("operator: count_lte", "value: -1"), [
    "4:12 operator 'count_lte' needs a non-negative integer, got number -1",
  ]],
  ["rate_lte value", oneRule("operator: rate_lte", "value: {limit: 0, window: 60}"), [
    "4:12 missing required key 'window_seconds'",
    "4:20 operator 'rate_lte' needs 'limit' as a positive integer, got number 0",
    "4:23 unknown key 'window' (did you mean 'window_seconds'?)",
  ]],
  ["sum_lte value", oneRule("operator: sum_lte", "value: {field: amount, limit: x}"), [
    `4:35 operator 'sum_lte' needs 'limit' as a number, got string "x"`,
  ]],
  ["requires_prior needs a scope", oneRule("operator: requires_prior", "value: {same: [a]}"), [
    "4:12 operator 'requires_prior' needs at least one of 'method', 'path' or 'tool'",
  ]],
  [
    "forbids_prior takes no field",
    oneRule("field: a", "operator: forbids_prior", "value: {tool: x}"),
    [
      "3:5 operator 'forbids_prior' takes no 'field'",
    ],
  ],
  ["per list with global", oneRule("operator: count_lte", "value: 1", "per: [run, global]"), [
    "5:10 'global' cannot be combined with other 'per' scopes (it is the one scope shared by all)",
  ]],
  ["per list item", oneRule("operator: count_lte", "value: 1", "per: [run, 'a..b']"), [
    "5:16 invalid field path 'a..b': an empty segment (two dots in a row, or a dot at the start or end)",
  ]],
  ["per empty list", oneRule("operator: count_lte", "value: 1", "per: []"), [
    "5:10 per must be 'run', 'global', a field path, or a list of 'run' and field paths, got []",
  ]],
  ["per without a state operator", oneRule("field: a", "operator: exists", "per: run"), [
    "5:5 'per' only applies to state operators (count_lte, rate_lte, sum_lte, requires_prior, forbids_prior)",
  ]],
  ["per with a bad path", oneRule("operator: count_lte", "value: 1", "per: 'a..b'"), [
    "5:10 invalid field path 'a..b': an empty segment (two dots in a row, or a dot at the start or end)",
  ]],
  ["no condition", oneRule("method: GET"), [
    "2:5 a rule needs one of 'operator' (with 'field'), 'when' or 'expr'",
  ]],
  ["two conditions", oneRule("field: a", "operator: exists", "expr: 'true'"), [
    "5:5 'expr' cannot be combined with 'operator' (use exactly one of 'operator', 'when', 'expr')",
  ]],
  ["field without operator", oneRule("field: a", "expr: 'true'"), [
    "3:5 'field' needs an 'operator'",
  ]],
  [
    "misspelt normalize step",
    oneRule("field: a", "operator: contains", "value: x", "normalize: [nfkd]"),
    [
      "6:17 unknown normalize step 'nfkd' (did you mean 'nfkc'?)",
    ],
  ],
  [
    "normalize not a list",
    oneRule("field: a", "operator: contains", "value: x", "normalize: nfkc"),
    [
      `6:16 normalize must be a list of step names, got string "nfkc"`,
    ],
  ],
  [
    "normalize on a presence operator",
    oneRule("field: a", "operator: exists", "normalize: [nfkc]"),
    [
      "5:5 'normalize' does not apply to operator 'exists' (it reads no value)",
    ],
  ],
  ["normalize on a state operator", oneRule("operator: count_lte", "value: 1", "normalize: []"), [
    "5:5 'normalize' does not apply to operator 'count_lte' (a state operator)",
  ]],
  ["normalize on expr", oneRule("expr: 'true'", "normalize: [nfkc]"), [
    "4:5 'normalize' does not apply to 'expr' (CEL reads the values as they are)",
  ]],
  [
    "checksum with contains",
    oneRule("field: a", "operator: contains", "value: x", "checksum: luhn"),
    [
      "6:5 'checksum' only applies to 'regex_match' and 'not_regex_match'",
    ],
  ],
  ["misspelt checksum", oneRule("field: a", "operator: regex_match", "value: x", "checksum: lun"), [
    `6:15 checksum must be 'luhn', got string "lun" (did you mean 'luhn'?)`,
  ]],
  ["checksum on a group", oneRule("when: {all: [{field: a, operator: exists}], checksum: luhn}"), [
    "3:49 'checksum' needs a regex 'operator' next to it",
  ]],
  [
    "normalize on a nested presence condition",
    oneRule("when: {not: {field: a, operator: exists, normalize: [nfkc]}}"),
    [
      "3:46 'normalize' does not apply to operator 'exists' (it reads no value)",
    ],
  ],
  ["bad path_case", oneRule("path: /x", "path_case: ignore", "field: a", "operator: exists"), [
    `4:16 path_case must be 'sensitive' or 'insensitive', got string "ignore"`,
  ]],
  ["bad file normalize", "normalize: [url_decod]\npolicies: []\n", [
    "1:13 unknown normalize step 'url_decod' (did you mean 'url_decode'?)",
  ]],
  ["bad method", oneRule("method: [GET, 'PO ST']", "field: a", "operator: exists"), [
    `3:19 method must be an HTTP method name, got string "PO ST"`,
  ]],
  ["bad path", oneRule("path: v1/x", "field: a", "operator: exists"), [
    "3:11 invalid path 'v1/x': must start with '/'",
  ]],
  ["bad host", oneRule("host: 'a.*.com'", "field: a", "operator: exists"), [
    `3:11 host must be a host name or a *.suffix pattern, got string "a.*.com"`,
  ]],
  ["bad action", oneRule("field: a", "operator: exists", "action: blok"), [
    `5:13 action must be 'block' or 'flag', got string "blok" (did you mean 'block'?)`,
  ]],
  ["bad on_missing", oneRule("field: a", "operator: exists", "on_missing: skip"), [
    `5:17 on_missing must be 'fail' or 'pass', got string "skip"`,
  ]],
  ["CEL syntax", oneRule("expr: 'a + '"), [
    "3:11 CEL syntax error: Unexpected token: EOF (column 5 of the expression)",
  ]],
  ["CEL: an unknown function", oneRule("expr: 'nosuchfn(payload.quantity)'"), [
    "3:11 CEL: found no matching overload for 'nosuchfn(dyn)' (column 1 of the expression)",
  ]],
  ["CEL: a bare field", oneRule("expr: 'amount > 5'"), [
    "3:11 CEL: unknown field 'amount': an expression reads method, url, scheme, host, port, " +
    "path, query, headers, params, payload, run_id, tool (a body field is payload.amount) " +
    "(column 1 of the expression)",
  ]],
  ["CEL: wrong types", oneRule(`expr: 'method + 1 == "x"'`), [
    "3:11 CEL: no such overload: string + int (column 1 of the expression)",
  ]],
  ["CEL: a method strings do not have", oneRule(`expr: 'method.lower() == "post"'`), [
    "3:11 CEL: found no matching overload for 'string.lower()' (column 1 of the expression)",
  ]],
  ["CEL: not a verdict", oneRule("expr: 'host'"), [
    "3:11 CEL: the expression gives a string, not true or false",
  ]],
  ["field path: brackets with a key", oneRule("field: 'items[sku]'", "operator: exists"), [
    "3:12 invalid field path 'items[sku]': '[sku]' in 'items[sku]': brackets hold an index " +
    "([0]) or [*]; a key is a dot segment (a.sku)",
  ]],
  ["field path: a trailing dot", oneRule("field: 'payload.'", "operator: exists"), [
    "3:12 invalid field path 'payload.': an empty segment (two dots in a row, or a dot at the " +
    "start or end)",
  ]],
  ["field path: brackets without a name", oneRule("field: '[0].a'", "operator: exists"), [
    "3:12 invalid field path '[0].a': '[0]' has no name before its brackets (write a[0])",
  ]],
  ["state operator in when", oneRule("when: {field: a, operator: count_lte, value: 1}"), [
    "3:32 state operators must be at the rule's top level",
  ]],
  [
    "when with two forms",
    oneRule("when: {all: [{field: a, operator: exists}], not: {field: b, operator: exists}}"),
    [
      "3:49 'not' cannot be combined with 'all' (use exactly one of 'all', 'any', 'not', 'field')",
    ],
  ],
  ["empty when list", oneRule("when: {any: []}"), ["3:17 expected a non-empty list of conditions"]],
  ["condition without operator", oneRule("when: {not: {field: b}}"), [
    "3:18 condition needs an 'operator'",
  ]],
  ["nested value error", oneRule("when: {all: [{field: a, operator: in, value: 3}]}"), [
    "3:50 operator 'in' needs a non-empty list, got number 3",
  ]],
  ["missing message", "policies:\n  - name: r\n    field: a\n    operator: exists\n", [
    "2:5 missing required key 'message'",
  ]],
  ["empty message", oneRule("field: a", "operator: exists").replace("message: m", 'message: ""'), [
    `5:14 message must be a non-empty string, got string ""`,
  ]],
  [
    "duplicate names",
    "policies:\n  - {name: x, expr: 'true', message: m}\n  - {name: x, expr: 'true', message: m}\n",
    [
      "3:12 duplicate policy name 'x' (first at line 2)",
    ],
  ],
  ["bad version", "version: 2\npolicies: []\n", [
    "1:10 version must be 1 (the only version so far), got number 2",
  ]],
  ["misspelt top-level key", "policy: []\n", [
    "1:1 missing required key 'policies'",
    "1:1 unknown key 'policy' (did you mean 'policies'?)",
  ]],
  ["bad redact entry", "policies: []\nredact: [headers.x-token, 'a..b']\n", [
    "2:27 invalid field path 'a..b': an empty segment (two dots in a row, or a dot at the start or end)",
  ]],
  ["redact entry redaction cannot apply to", "policies: []\nredact: [amount, params.token]\n", [
    "2:18 redact applies to headers.*, query.* and payload paths; 'params.token' is under 'params'",
  ]],
  ["rule not a mapping", "policies:\n  - just text\n", [
    `2:5 a policy rule must be a mapping, got string "just text"`,
  ]],
  ["empty file", "", ["1:1 the policies file must be a mapping, got null"]],
  ["YAML syntax", "policies: [\n", [
    "2:1 Flow sequence in block collection must be sufficiently indented and end with a ]",
  ]],
];

Deno.test("invalid policy files report each mistake at its line and column", async (t) => {
  for (const [label, text, expected] of INVALID) {
    await t.step(label, () => assert.deepEqual(issuesOf(text), expected));
  }
});

Deno.test("a file with many mistakes reports all of them, in file order", () => {
  const text = [
    "version: 1", //                              1
    "policies:", //                               2
    "  - name: a", //                             3
    "    paths: /v1/x", //                        4
    "    field: amount", //                       5
    "    operator: maxx", //                      6
    "    value: 5", //                            7
    "    message: m", //                          8
    "  - name: b", //                             9
    "    field: s", //                            10
    "    operator: length_lte", //                11
    '    value: "x"', //                          12
    "    message: m", //                          13
    "  - name: a", //                             14
    "    expr: 'a +'", //                         15
    "    message: m", //                          16
  ].join("\n");
  assert.deepEqual(issuesOf(text), [
    "4:5 unknown key 'paths' (did you mean 'path'?)",
    "6:15 unknown operator 'maxx' (did you mean 'max'?)",
    `12:12 operator 'length_lte' needs a non-negative integer, got string "x"`,
    "14:11 duplicate policy name 'a' (first at line 3)",
    "15:11 CEL syntax error: Unexpected token: EOF (column 4 of the expression)",
  ]);
});

Deno.test("CEL expressions that read the declared fields with CEL's functions are accepted", () => {
  for (
    const expr of [
      'payload.destination.startsWith("s3://acme-") && size(payload.rows) <= 10000',
      "payload.items.all(i, i.price < 100) && has(payload.supplier)",
      "headers['x-agent-id'] == 'a1' && query.page == '2' && port == 443",
      'tool == "refund" && payload.amount <= 20.0 && run_id != ""',
      'timestamp(payload.at) < timestamp("2027-01-01T00:00:00Z")',
      "payload.flag",
    ]
  ) {
    assert.equal(
      parsePolicies(oneRule(`expr: ${JSON.stringify(expr)}`)).document.policies.length,
      1,
    );
  }
});

function deepWhen(levels: number, form: "not" | "all"): unknown {
  let when: unknown = { field: "amount", operator: "exists" };
  for (let i = 1; i < levels; i++) when = form === "not" ? { not: when } : { all: [when] };
  return when;
}

Deno.test("conditions nest at most 64 levels; deeper is one clear error at the 65th", () => {
  for (const form of ["not", "all"] as const) {
    const ok = { policies: [{ name: "r", when: deepWhen(64, form), message: "m" }] };
    assert.equal(parsePolicies(stringify(ok), "p.yaml").document.policies.length, 1, form);
    assert.equal(validatePolicies(ok).document.policies.length, 1, form);
    const deep = { policies: [{ name: "r", when: deepWhen(65, form), message: "m" }] };
    const issues = issuesOf(stringify(deep));
    assert.equal(issues.length, 1, form);
    assert.match(issues[0] ?? "", /^\d+:\d+ conditions nest more than 64 levels deep; flatten/);
    assert.deepEqual(issuesOf(stringify(deep)), issues, "the same place every run");
  }
  const lines = issuesOf(
    stringify({ policies: [{ name: "r", when: deepWhen(65, "not"), message: "m" }] }),
  );
  assert.match(lines[0] ?? "", /^67:/, "the 'not' that opens the 65th level");
});

Deno.test("a file nested 1,000 levels deep is one clear error, never a stack overflow", () => {
  for (const form of ["not", "all"] as const) {
    // Written out by hand: a YAML writer would itself recurse 1,000 levels deep.
    const lines = ["policies:", "  - name: r", "    message: m", "    when:"];
    let indent = "      ";
    lines.push(`${indent}${form}:`);
    for (let i = 1; i < 1000; i++) {
      indent += "    ";
      lines.push(form === "not" ? `${indent}not:` : `${indent}- all:`);
    }
    indent += "    ";
    const item = form === "not" ? "" : "- ";
    lines.push(`${indent}${item}field: amount`, `${indent}${item ? "  " : ""}operator: exists`);
    const text = lines.join("\n");
    const issues = issuesOf(text);
    assert.equal(issues.length, 1);
    assert.match(issues[0] ?? "", /^\d+:\d+ nested more than 200 levels deep/);
    assert.doesNotMatch(issues[0] ?? "", /stack/i);
    assert.deepEqual(issuesOf(text), issues, "the same place every run");
  }
  const flow = `policies: []\nx: ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
  assert.deepEqual(issuesOf(flow), [
    "2:203 nested more than 200 levels deep; Mirage reads at most 200",
  ]);
  try {
    validatePolicies({ policies: [{ name: "r", when: deepWhen(5000, "not"), message: "m" }] });
    assert.fail("expected a ConfigError");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.match(e.issues[0]?.message ?? "", /^policies\[0\]\.when(\.not){64}: conditions nest/);
  }
});

Deno.test("object input names the path of each issue", () => {
  try {
    validatePolicies({
      policies: [
        { name: "a", field: "x", operator: "maxx", value: 1, message: "m" },
        { name: "a", field: "y", operator: "exists", message: "m", colour: 1 },
      ],
    });
    assert.fail("expected a ConfigError");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.issues.map((i) => [i.file, i.line, i.col, i.message]), [
      ["<inline>", 1, 1, "policies[0].operator: unknown operator 'maxx' (did you mean 'max'?)"],
      ["<inline>", 1, 1, "policies[1].colour: unknown key 'colour'"],
      ["<inline>", 1, 1, "policies[1].name: duplicate policy name 'a' (first at policies[0])"],
    ]);
    assert.equal(e.code, "config_invalid");
  }
});
