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

const ROOT = new URL("../../", import.meta.url);
const SCHEMA_LINE =
  /^# yaml-language-server: \$schema=\.\.\/schemas\/(policies|mocks)\.schema\.json$/;

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(new URL(path, ROOT)));
}

// strictRequired would demand that `required` in `if`/`oneOf` branches repeat `properties`.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats.default(ajv);
const checkPolicies = ajv.compile(await readJson("schemas/policies.schema.json"));
const checkMocks = ajv.compile(await readJson("schemas/mocks.schema.json"));

function valibotAccepts(kind: "policies" | "mocks", value: unknown): boolean {
  try {
    (kind === "policies" ? validatePolicies : validateMocks)(value);
    return true;
  } catch (e) {
    if (e instanceof ConfigError) return false;
    throw e;
  }
}

function jsonSchemaAccepts(kind: "policies" | "mocks", value: unknown): boolean {
  return (kind === "policies" ? checkPolicies : checkMocks)(value) as boolean;
}

Deno.test("the committed JSON Schemas and language tables are what gen_schemas.ts generates", async () => {
  const files = generateFiles(await Deno.readTextFile(new URL("docs/language.md", ROOT)));
  assert.deepEqual(Object.keys(files), [...Object.keys(generateSchemas()), "docs/language.md"]);
  for (const [path, text] of Object.entries(files)) {
    assert.equal(await Deno.readTextFile(new URL(path, ROOT)), text, `${path} is stale`);
  }
});

async function yamlFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
    if (entry.isFile && /\.ya?ml$/.test(entry.name)) names.push(`${dir}${entry.name}`);
  }
  return names.sort();
}

Deno.test("every example and fixture passes valibot and the JSON Schema", async () => {
  const files = [
    ...(await yamlFiles("policies/")),
    ...(await yamlFiles("mocks/")),
    ...(await yamlFiles("tests/fixtures/python_mirage/")),
  ];
  assert.ok(files.length >= 8, files.join(", "));
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    const kind = /policies/.test(file) ? "policies" : "mocks";
    if (!file.startsWith("tests/")) {
      assert.equal(text.split("\n")[0]?.match(SCHEMA_LINE)?.[1], kind, file);
    }
    const value = parse(text);
    assert.ok(valibotAccepts(kind, value), `valibot rejects ${file}`);
    assert.ok(
      jsonSchemaAccepts(kind, value),
      `JSON Schema rejects ${file}: ${ajv.errorsText(checkPolicies.errors ?? checkMocks.errors)}`,
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

const REJECTED: [string, "policies" | "mocks", unknown][] = [
  ["unknown rule key", "policies", { policies: [{ ...rule, paths: "/x" }] }],
  ["unknown operator", "policies", { policies: [{ ...rule, operator: "maxx" }] }],
  ["between needs a pair", "policies", {
    policies: [{ ...rule, operator: "between", value: [5] }],
  }],
  ["value missing", "policies", { policies: [{ ...rule, operator: "eq" }] }],
  ["two condition forms", "policies", { policies: [{ ...rule, expr: "true" }] }],
  ["no condition", "policies", { policies: [{ name: "r", message: "m" }] }],
  ["tool with method", "policies", { policies: [{ ...rule, tool: "t", method: "GET" }] }],
  ["per without state", "policies", { policies: [{ ...rule, per: "run" }] }],
  ["field missing", "policies", {
    policies: [{ name: "r", operator: "eq", value: 1, message: "m" }],
  }],
  ["prior takes no field", "policies", {
    policies: [{ ...rule, operator: "forbids_prior", value: { tool: "t" } }],
  }],
  ["prior with tool and path", "policies", {
    policies: [{
      name: "r",
      operator: "forbids_prior",
      value: { tool: "t", path: "/a" },
      message: "m",
    }],
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
];

Deno.test("valibot and the JSON Schema both reject structural mistakes", async (t) => {
  for (const [label, kind, value] of REJECTED) {
    await t.step(label, () => {
      assert.equal(valibotAccepts(kind, value), false, "valibot accepts it");
      assert.equal(jsonSchemaAccepts(kind, value), false, "JSON Schema accepts it");
    });
  }
});
