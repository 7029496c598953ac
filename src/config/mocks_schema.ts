/**
 * The valibot schema of `mocks.yaml`, its routes and its `tools:` (docs/language.md#mocks,
 * docs/tool-calls.md). Private to the package: callers use the loaders
 * in `load.ts`; `scripts/gen_schemas.ts` turns it into JSON Schema.
 *
 * @module
 */

import * as v from "valibot";
import { parseFieldPath } from "./field_path.ts";
import { describeValue } from "./messages.ts";
import { operatorValueSchema, PLAIN_OPERATORS } from "./operator_values.ts";
import {
  type ConditionOperator,
  isOperatorName,
  isPresenceOperator,
  isStateOperator,
} from "./operators.ts";
import {
  checkedString,
  headerName,
  hostPattern,
  keyStep,
  methods,
  mustBe,
  type ObjectCheck,
  pathPattern,
  problemOf,
  prose,
  type Schema,
  strict,
  type StringSchema,
  text,
} from "./schema_parts.ts";
import { isRecord } from "../is_record.ts";
import { chaosProfiles, checkChaosTargets, routeFaults, toolFaults } from "./faults_schema.ts";
import { didYouMean } from "./suggest.ts";
import { routeTemplate, templatedHeaders, templatedJson, toolTemplate } from "./template_schema.ts";

function unknownMatchOperator(key: string): string {
  if (isOperatorName(key) && isStateOperator(key)) {
    return `state operator '${key}' cannot be used in a mock match`;
  }
  return `unknown operator '${key}'${didYouMean(key, PLAIN_OPERATORS)}`;
}

const checkSingleOperator: ObjectCheck = (node, add) => {
  const keys = Object.keys(node).sort().map((k) => `'${k}'`);
  if (keys.length === 0) {
    add("a match operator needs exactly one operator, e.g. { regex_match: '^SKU-' }");
  }
  if (keys.length > 1) add(`a match value takes one operator, got ${keys.join(", ")}`);
};

/** In a match, `{exists: true}` reads naturally; `null` is accepted as in policies. */
function matchOperand(op: ConditionOperator): Schema {
  if (!isPresenceOperator(op)) return operatorValueSchema(op);
  return v.union([v.null(), v.literal(true)], mustBe(`operator '${op}'`, "true or empty"));
}

const matchOperator = strict(
  Object.fromEntries(PLAIN_OPERATORS.map((op) => [op, v.optional(matchOperand(op))])),
  "a match operator",
  {
    unknownKey: unknownMatchOperator,
    checks: [checkSingleOperator],
    json: { minProperties: 1, maxProperties: 1 },
  },
);

const matchValue: Schema = v.union(
  [v.string(), v.number(), v.boolean(), v.null(), matchOperator],
  mustBe("a match value", "a string, number, boolean, null or { operator: value }"),
);

function matchMap(label: string, key: StringSchema): Schema {
  return v.record(key, matchValue, mustBe(label, "a mapping of names to values"));
}

const payloadMatch = v.optional(
  matchMap(
    "match.payload",
    checkedString("a payload key", "a field path", (s) => problemOf(() => parseFieldPath(s))),
  ),
);

const match = strict({
  query: v.optional(
    matchMap("match.query", v.pipe(v.string(), v.minLength(1, "a query name must not be empty"))),
  ),
  headers: v.optional(matchMap("match.headers", headerName("a header name"))),
  payload: payloadMatch,
}, "match");

const checkOneBody: ObjectCheck = (response, add) => {
  if ("json" in response && "body" in response) {
    add("'body' cannot be combined with 'json' (a response has one body)", [
      keyStep(response, "body", "key"),
    ]);
  }
};

const statusCode = mustBe("status_code", "an integer from 100 to 599");
const delay = mustBe("delay_ms", "an integer from 0 to 60000");
const delayMs = v.optional(
  v.pipe(v.number(delay), v.integer(delay), v.minValue(0, delay), v.maxValue(60000, delay)),
);

const response = strict(
  {
    status_code: v.optional(
      v.pipe(
        v.number(statusCode),
        v.integer(statusCode),
        v.minValue(100, statusCode),
        v.maxValue(599, statusCode),
      ),
    ),
    headers: v.optional(templatedHeaders("response", "response.headers")),
    json: v.optional(templatedJson(routeTemplate)),
    // Text, or any value served as JSON: the Python Mirage's `body` is an alias of `json`.
    body: v.optional(templatedJson(routeTemplate)),
    delay_ms: delayMs,
  },
  "response",
  { checks: [checkOneBody], json: { not: { required: ["json", "body"] } } },
);

const route = strict({
  name: text("name"),
  method: methods(),
  path: pathPattern(false),
  host: v.optional(hostPattern()),
  match: v.optional(match),
  response: v.optional(response),
  faults: routeFaults,
}, "a mock");

const RESULTS = ["json", "text", "error"] as const;

const checkOneResult: ObjectCheck = (result, add) => {
  const given = RESULTS.filter((k) => k in result);
  // An unknown key is reported as such (with a suggestion); "needs one" would repeat it.
  if (Object.keys(result).length === 0) {
    add("a tool mock's result needs one of 'json', 'text' or 'error'");
  }
  if (given.length > 1) {
    add(`a tool mock's result is one of 'json', 'text' or 'error', got ${given.join(", ")}`);
  }
};

const toolResult = strict(
  {
    json: v.optional(templatedJson(toolTemplate)),
    text: v.optional(checkedString("text", "a string", toolTemplate)),
    error: v.optional(checkedString("error", "a string", toolTemplate)),
  },
  "result",
  { checks: [checkOneResult], json: { minProperties: 1, maxProperties: 1 } },
);

const inputSchemaNeed = mustBe("input_schema", "a JSON Schema mapping of type object");

/** The arguments' JSON Schema, as an MCP `tools/list` shows it: an object schema. */
const inputSchema = v.pipe(
  // Arrays are objects to valibot; rejecting them first keeps a list from passing as a record.
  v.custom<Record<string, unknown>>(isRecord, inputSchemaNeed),
  v.record(v.string(), v.unknown(), inputSchemaNeed),
  v.check<Record<string, unknown>, (i: v.BaseIssue<unknown>) => string>(
    (s) => s.type === undefined || s.type === "object",
    (i) =>
      `input_schema must have type: object (tool arguments are an object), got type ${
        describeValue((i.input as Record<string, unknown>).type)
      }`,
  ),
  v.metadata({ properties: { type: { const: "object" } } }),
);

const toolMock = strict({
  name: text("name"),
  tool: v.optional(text("tool")),
  description: v.optional(prose("description")),
  input_schema: v.optional(inputSchema),
  match: v.optional(strict({ payload: payloadMatch }, "match")),
  result: toolResult,
  delay_ms: delayMs,
  faults: toolFaults,
}, "a tool mock");

const document: Schema = strict(
  {
    mocks: v.optional(
      v.array(route, (i) => `mocks must be a list of routes, got ${describeValue(i.input)}`),
      [],
    ),
    tools: v.optional(
      v.array(toolMock, (i) => `tools must be a list of tool mocks, got ${describeValue(i.input)}`),
    ),
    strict_tools: v.optional(v.boolean(mustBe("strict_tools", "true or false"))),
    chaos: chaosProfiles,
  },
  "the mocks file",
  { checks: [checkChaosTargets] },
);

/**
 * The schema of a whole `mocks.yaml`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { mocksDocumentSchema } from "./mocks_schema.ts";
 * assert.equal(v.safeParse(mocksDocumentSchema(), { mocks: [] }).success, true);
 * ```
 */
export function mocksDocumentSchema(): Schema {
  return document;
}
