import assert from "node:assert/strict";
// A second, independent validator for the generated JSON Schema; test-only, so not in deno.json.
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { ConfigError } from "../../src/errors.ts";
import { validateMocks, validatePolicies } from "../../src/config/load.ts";
import { generateFiles, generateSchemas } from "../../scripts/gen_schemas.ts";
import { OPERATOR_NAMES } from "../../src/config/operators.ts";
import { SCOPES, VALID } from "./valid_rules.ts";
import { validateDocument } from "../../src/config/validate.ts";
import { POLICY_TEST } from "../../src/policy_test/test_schema.ts";
import { scenarioPacks } from "../support/examples.ts";

const ROOT = new URL("../../", import.meta.url);
const SCHEMA_LINE =
  /^# yaml-language-server: \$schema=(?:\.\.\/)+schemas\/(policies|mocks|policy_test)\.schema\.json$/;

type Kind = "policies" | "mocks" | "tests";

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(new URL(path, ROOT)));
}

// strictRequired would demand that `required` in `if`/`oneOf` branches repeat `properties`.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats.default(ajv);
const checkPolicies = ajv.compile(await readJson("schemas/policies.schema.json"));
const checkMocks = ajv.compile(await readJson("schemas/mocks.schema.json"));
const checkTests = ajv.compile(await readJson("schemas/policy_test.schema.json"));
const JSON_SCHEMAS = { policies: checkPolicies, mocks: checkMocks, tests: checkTests };

function validateTests(value: unknown): void {
  validateDocument(POLICY_TEST.schema, value, { file: "<inline>", locate: () => undefined }, [
    ...POLICY_TEST.unique,
  ]);
}

function valibotAccepts(kind: Kind, value: unknown): boolean {
  try {
    ({ policies: validatePolicies, mocks: validateMocks, tests: validateTests })[kind](value);
    return true;
  } catch (e) {
    if (e instanceof ConfigError) return false;
    throw e;
  }
}

function jsonSchemaAccepts(kind: Kind, value: unknown): boolean {
  return JSON_SCHEMAS[kind](value) as boolean;
}

Deno.test("the committed JSON Schemas and language tables are what gen_schemas.ts generates", async () => {
  const files = generateFiles(await Deno.readTextFile(new URL("docs/language.md", ROOT)));
  assert.deepEqual(Object.keys(files), [...Object.keys(generateSchemas()), "docs/language.md"]);
  for (const [path, text] of Object.entries(files)) {
    assert.equal(await Deno.readTextFile(new URL(path, ROOT)), text, `${path} is stale`);
  }
});

function kindOf(file: string): Kind {
  return /\.test\.ya?ml$/.test(file) ? "tests" : /policies/.test(file) ? "policies" : "mocks";
}

async function yamlFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
    if (entry.isFile && /\.ya?ml$/.test(entry.name)) names.push(`${dir}${entry.name}`);
  }
  return names.sort();
}

Deno.test("every example, scenario, policy test and fixture passes valibot and the JSON Schema", async () => {
  const scenarios = await Promise.all(
    (await scenarioPacks()).map((pack) => yamlFiles(`scenarios/${pack}/`)),
  );
  const files = [
    ...(await yamlFiles("policies/")),
    ...(await yamlFiles("mocks/")),
    ...scenarios.flat(),
    ...(await yamlFiles("tests/fixtures/python_mirage/")),
  ];
  assert.ok(files.filter((f) => kindOf(f) === "tests").length >= 4, files.join(", "));
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    const kind = kindOf(file);
    if (!file.startsWith("tests/")) {
      const schema = text.split("\n")[0]?.match(SCHEMA_LINE)?.[1];
      assert.equal(schema === "policy_test" ? "tests" : schema, kind, file);
    }
    const value = parse(text);
    assert.ok(valibotAccepts(kind, value), `valibot rejects ${file}`);
    assert.ok(
      jsonSchemaAccepts(kind, value),
      `JSON Schema rejects ${file}: ${ajv.errorsText(JSON_SCHEMAS[kind].errors)}`,
    );
  }
});

Deno.test("every operator and scope form passes both validators", () => {
  const rules = [
    ...OPERATOR_NAMES.map((op) => ({ name: op, ...VALID[op], message: "m" })),
    ...Object.entries(SCOPES).map(([name, scope]) => ({
      name,
      ...scope,
      field: "a",
      operator: "exists",
      message: "m",
    })),
  ];
  for (const r of rules) {
    const doc = { policies: [r] };
    assert.ok(valibotAccepts("policies", doc), `valibot rejects ${r.name}`);
    assert.ok(
      jsonSchemaAccepts("policies", doc),
      `JSON Schema rejects ${r.name}: ${ajv.errorsText(checkPolicies.errors)}`,
    );
  }
});

const rule = { name: "r", field: "a", operator: "exists", message: "m" };
const mock = { name: "m", method: "GET", path: "/m" };

const step = { tool: { name: "t" }, expect: "allowed" };
const test = (steps: unknown[]) => ({ policies: "p.yaml", cases: [{ name: "c", steps }] });

const REJECTED: [string, Kind, unknown][] = [
  ["unknown rule key", "policies", { policies: [{ ...rule, paths: "/x" }] }],
  ["unknown operator", "policies", { policies: [{ ...rule, operator: "maxx" }] }],
  ["between needs a pair", "policies", {
    policies: [{ ...rule, operator: "between", value: [5] }],
  }],
  ["value missing", "policies", { policies: [{ ...rule, operator: "eq" }] }],
  ["two condition forms", "policies", { policies: [{ ...rule, expr: "true" }] }],
  ["no condition", "policies", { policies: [{ name: "r", message: "m" }] }],
  ["unknown normalize step", "policies", {
    policies: [{ ...rule, operator: "contains", value: "x", normalize: ["nfkd"] }],
  }],
  ["unknown file normalize step", "policies", { normalize: ["nfkd"], policies: [] }],
  ["bad path_case", "policies", { path_case: "ignore", policies: [] }],
  ["bad checksum", "policies", {
    policies: [{ ...rule, operator: "regex_match", value: "x", checksum: "crc" }],
  }],
  ["per without state", "policies", { policies: [{ ...rule, per: "run" }] }],
  ["field missing", "policies", {
    policies: [{ name: "r", operator: "eq", value: 1, message: "m" }],
  }],
  ["prior takes no field", "policies", {
    policies: [{ ...rule, operator: "forbids_prior", value: { tool: "t" } }],
  }],
  ["prior needs a scope", "policies", {
    policies: [{ name: "r", operator: "forbids_prior", value: {}, message: "m" }],
  }],
  ["state operator in when", "policies", {
    policies: [{ name: "r", when: { field: "a", operator: "count_lte", value: 1 }, message: "m" }],
  }],
  ["version 2", "policies", { version: 2, policies: [] }],
  ["json and body", "mocks", { mocks: [{ ...mock, response: { json: {}, body: "" } }] }],
  ["status 700", "mocks", { mocks: [{ ...mock, response: { status_code: 700 } }] }],
  ["two match operators", "mocks", {
    mocks: [{ ...mock, match: { query: { a: { gt: 1, lt: 2 } } } }],
  }],
  ["state operator in match", "mocks", {
    mocks: [{ ...mock, match: { query: { a: { count_lte: 1 } } } }],
  }],
  ["match value list", "mocks", { mocks: [{ ...mock, match: { query: { a: [1] } } }] }],
  ["mock without path", "mocks", { mocks: [{ name: "m", method: "GET" }] }],
  ["tool mock without result", "mocks", { tools: [{ name: "t" }] }],
  ["two tool results", "mocks", { tools: [{ name: "t", result: { text: "a", error: "b" } }] }],
  ["empty tool result", "mocks", { tools: [{ name: "t", result: {} }] }],
  ["tool match on headers", "mocks", {
    tools: [{ name: "t", result: { text: "a" }, match: { headers: { a: "b" } } }],
  }],
  ["tool input_schema of type array", "mocks", {
    tools: [{ name: "t", result: { text: "a" }, input_schema: { type: "array" } }],
  }],
  ["tool input_schema a list", "mocks", {
    tools: [{ name: "t", result: { text: "a" }, input_schema: [] }],
  }],
  ["strict_tools not a boolean", "mocks", { strict_tools: "yes" }],
  ["unknown fault kind", "mocks", { mocks: [{ ...mock, faults: [{ fault: "rest" }] }] }],
  ["a key of another fault kind", "mocks", {
    mocks: [{ ...mock, faults: [{ fault: "reset", status: 503 }] }],
  }],
  ["a delay fault without delay_ms", "mocks", {
    mocks: [{ ...mock, faults: [{ fault: "delay" }] }],
  }],
  ["fault rate 0", "mocks", { mocks: [{ ...mock, faults: [{ fault: "reset", rate: 0 }] }] }],
  ["a route fault on a tool", "mocks", {
    tools: [{ name: "t", result: { text: "a" }, faults: [{ fault: "status" }] }],
  }],
  ["a chaos fault without a target", "mocks", { chaos: { p: [{ fault: "reset" }] } }],
  ["a chaos fault on a route and a tool", "mocks", {
    mocks: [mock],
    tools: [{ name: "t", result: { text: "a" } }],
    chaos: { p: [{ route: "m", tool: "t", fault: "delay", delay_ms: 1 }] },
  }],
  ["a route kind aimed at a tool", "mocks", {
    tools: [{ name: "t", result: { text: "a" } }],
    chaos: { p: [{ tool: "t", fault: "reset" }] },
  }],
  ["a chaos profile named by a number", "mocks", { chaos: { "7": [] } }],
  ["test without cases", "tests", { policies: "p.yaml", cases: [] }],
  ["unknown test key", "tests", { ...test([step]), mock: "m.yaml" }],
  ["unknown outcome", "tests", test([{ ...step, expect: "allowd" }])],
  ["unknown expect key", "tests", test([{ ...step, expect: { outcom: "allowed" } }])],
  ["step with request and tool", "tests", test([{ ...step, request: { url: "http://x.test/" } }])],
  ["step without an action", "tests", test([{ expect: "allowed" }])],
  [
    "status on a tool step",
    "tests",
    test([{ ...step, expect: { outcome: "allowed", status: 200 } }]),
  ],
  ["request without url", "tests", test([{ request: { method: "GET" }, expect: "allowed" }])],
  [
    "GET with a body",
    "tests",
    test([{ request: { url: "http://x.test/", json: {} }, expect: "allowed" }]),
  ],
  [
    "json and body",
    "tests",
    test([{
      request: { method: "POST", url: "http://x.test/", json: {}, body: "" },
      expect: "allowed",
    }]),
  ],
  ["negative after_seconds", "tests", test([{ ...step, after_seconds: -1 }])],
];

Deno.test("valibot and the JSON Schema both reject structural mistakes", async (t) => {
  for (const [label, kind, value] of REJECTED) {
    await t.step(label, () => {
      assert.equal(valibotAccepts(kind, value), false, "valibot accepts it");
      assert.equal(jsonSchemaAccepts(kind, value), false, "JSON Schema accepts it");
    });
  }
});

Deno.test("normalize, checksum, per lists and path_case pass both validators", () => {
  const doc = {
    normalize: ["url_decode", "nfkc", "case_fold"],
    path_case: "insensitive",
    policies: [
      { ...rule, name: "off", operator: "not_contains", value: "x", normalize: [] },
      {
        ...rule,
        name: "card",
        operator: "not_regex_match",
        value: "(?:[0-9][ -]?){12,18}[0-9]",
        checksum: "luhn",
        normalize: ["digits"],
      },
      {
        name: "tree",
        normalize: ["html_decode"],
        when: {
          any: [{ field: "a", operator: "contains", value: "x", normalize: ["base64"] }],
          normalize: ["nfkc"],
        },
        message: "m",
      },
      {
        name: "budget",
        operator: "sum_lte",
        value: { field: "amount", limit: 10 },
        per: ["run", "payload.supplier_id"],
        path: "/v1/Bids",
        path_case: "sensitive",
        message: "m",
      },
    ],
  };
  assert.ok(valibotAccepts("policies", doc), "valibot rejects it");
  assert.ok(jsonSchemaAccepts("policies", doc), ajv.errorsText(checkPolicies.errors));
});
