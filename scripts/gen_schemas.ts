/**
 * Writes `schemas/policies.schema.json`, `schemas/mocks.schema.json` and
 * `schemas/policy_test.schema.json` from the valibot schemas,
 * so that editors (yaml-language-server) check the same language as the loader, and the operator
 * and field tables of `docs/language.md` from the tables they are built from.
 *
 *   deno run -A scripts/gen_schemas.ts           write the files
 *   deno run -A scripts/gen_schemas.ts --check   exit 1 when the committed files are stale
 *
 * valibot checks written as code (regex compilation, CEL parsing, cross-key rules) do not
 * convert; the cross-key rules travel as `metadata` next to their checks, and the per-operator
 * value shapes are added here as `if`/`then` blocks generated from the same operator schemas.
 *
 * @module
 */

import { type ConversionConfig, toJsonSchema } from "@valibot/to-json-schema";
import { mocksDocumentSchema } from "../src/config/mocks_schema.ts";
import { needsValue, operatorValueSchema } from "../src/config/operator_values.ts";
import { policyDefinitions, policyDocumentSchema } from "../src/config/policy_schema.ts";
import { policyTestSchema } from "../src/policy_test/test_schema.ts";
import type { Schema } from "../src/config/schema_parts.ts";
import type { OperatorName } from "../src/config/types.ts";
import { generateLanguageDoc } from "./language_tables.ts";

type Json = Record<string, unknown>;

const CONVERSION: ConversionConfig = {
  // Strict objects start their pipe with a guard against arrays; the object schema is the type.
  typeMode: "output",
  ignoreActions: ["raw_check", "check"],
};

function convert(schema: Schema, definitions: Record<string, Schema> = {}): Json {
  const { $schema: _, ...json } = toJsonSchema(schema, { ...CONVERSION, definitions }) as Json;
  return json;
}

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `if operator is X then value has X's shape`, for every operator an object accepts. */
function operatorValueRules(operators: readonly OperatorName[]): Json[] {
  return operators.map((op) => ({
    if: { required: ["operator"], properties: { operator: { const: op } } },
    then: {
      ...(needsValue(op) ? { required: ["value"] } : {}),
      properties: { value: convert(operatorValueSchema(op)) },
    },
  }));
}

/** Adds the operator value rules to every object schema with `operator` and `value`. */
function addOperatorValues(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(addOperatorValues);
  if (!isJson(node)) return;
  for (const child of Object.values(node)) addOperatorValues(child);
  const properties = node.properties;
  if (!isJson(properties) || !isJson(properties.operator) || !("value" in properties)) return;
  const operators = properties.operator.enum as OperatorName[];
  const allOf = Array.isArray(node.allOf) ? node.allOf : [];
  node.allOf = [...allOf, ...operatorValueRules(operators)];
}

function document(
  schema: Schema,
  definitions: Record<string, Schema>,
  title: string,
  description: string,
): string {
  const json = convert(schema, definitions);
  addOperatorValues(json);
  const out = { $schema: "http://json-schema.org/draft-07/schema#", title, description, ...json };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/**
 * The generated files, by path relative to the repository root.
 *
 * @example
 * ```ts
 * import { generateSchemas } from "./gen_schemas.ts";
 * Object.keys(generateSchemas()); // ["schemas/policies.schema.json", "schemas/mocks.schema.json", "schemas/policy_test.schema.json"]
 * ```
 */
export function generateSchemas(): Record<string, string> {
  return {
    "schemas/policies.schema.json": document(
      policyDocumentSchema(),
      policyDefinitions(),
      "Mirage policies",
      "Rules every agent action must satisfy (policies.yaml).",
    ),
    "schemas/mocks.schema.json": document(
      mocksDocumentSchema(),
      {},
      "Mirage mocks",
      "The declared surface: routes and their mock responses (mocks.yaml).",
    ),
    "schemas/policy_test.schema.json": document(
      policyTestSchema(),
      {},
      "Mirage policy tests",
      "Cases of requests and tool calls with the outcomes they must come to (*.test.yaml).",
    ),
  };
}

/** The page whose reference tables are generated. */
const LANGUAGE_DOC = "docs/language.md";

/**
 * Every generated file, by path: the JSON Schemas, and `docs/language.md` (given its current
 * text, whose hand-written parts are kept) with its tables rendered afresh.
 *
 * @example
 * ```ts
 * import { generateFiles } from "./gen_schemas.ts";
 * const page = await Deno.readTextFile(new URL("../docs/language.md", import.meta.url));
 * Object.keys(generateFiles(page)).includes("docs/language.md"); // true
 * ```
 */
export function generateFiles(languageDoc: string): Record<string, string> {
  return { ...generateSchemas(), [LANGUAGE_DOC]: generateLanguageDoc(languageDoc, LANGUAGE_DOC) };
}

async function main(args: string[]): Promise<number> {
  const root = new URL("../", import.meta.url);
  const check = args.includes("--check");
  const languageDoc = await Deno.readTextFile(new URL(LANGUAGE_DOC, root));
  let stale = 0;
  for (const [path, text] of Object.entries(generateFiles(languageDoc))) {
    const url = new URL(path, root);
    if (!check) {
      await Deno.writeTextFile(url, text);
      console.log(`wrote ${path}`);
      continue;
    }
    const current = await Deno.readTextFile(url).catch(() => "");
    if (current !== text) {
      console.error(`${path} is stale: run deno run -A scripts/gen_schemas.ts`);
      stale++;
    }
  }
  return stale === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
