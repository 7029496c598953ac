/**
 * The valibot schema of policy test files (`*.test.yaml`), built from the same parts as the
 * policy and mock schemas, so that its messages, strictness and suggestions are theirs.
 * `scripts/gen_schemas.ts` turns it into `schemas/policy_test.schema.json`.
 *
 * @module
 */

import * as v from "valibot";
import type { DocumentKind } from "../config/load.ts";
import { describeValue } from "../config/messages.ts";
import {
  checkedString,
  choice,
  headerName,
  keyStep,
  method,
  mustBe,
  type ObjectCheck,
  type Schema,
  strict,
  text,
} from "../config/schema_parts.ts";
import { didYouMean } from "../config/suggest.ts";
import { OUTCOMES } from "../engine/outcome.ts";

function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `url must be an absolute http or https URL, got ${describeValue(value)}`;
  }
  if (url.protocol === "http:" || url.protocol === "https:") return undefined;
  return `url must use http or https, got ${url.protocol.slice(0, -1)}`;
}

function headers(label: string): Schema {
  return v.record(
    headerName("a header name"),
    v.string(mustBe("a header value", "a string")),
    mustBe(label, "a mapping of header names to strings"),
  );
}

/** Methods whose requests carry no body (fetch refuses one). */
const BODILESS = ["GET", "HEAD"];

const checkBody: ObjectCheck = (request, add) => {
  if ("json" in request && "body" in request) {
    add("'body' cannot be combined with 'json' (a request has one body)", [
      keyStep(request, "body", "key"),
    ]);
  }
  const m = typeof request.method === "string" ? request.method.toUpperCase() : "GET";
  const body = ["json", "body"].find((k) => k in request);
  if (body !== undefined && BODILESS.includes(m)) {
    add(`a ${m} request has no body: give a method such as POST`, [keyStep(request, body, "key")]);
  }
};

const request = strict(
  {
    method: v.optional(method()),
    url: checkedString("url", "an absolute http or https URL", urlProblem),
    headers: v.optional(headers("request.headers")),
    json: v.optional(v.unknown()),
    body: v.optional(v.string(mustBe("body", "a string"))),
  },
  "request",
  {
    checks: [checkBody],
    json: {
      not: { required: ["json", "body"] },
      if: { anyOf: [{ required: ["json"] }, { required: ["body"] }] },
      then: {
        required: ["method"],
        properties: {
          method: { not: { type: "string", pattern: "^([Gg][Ee][Tt]|[Hh][Ee][Aa][Dd])$" } },
        },
      },
    },
  },
);

const tool = strict({
  name: text("tool name"),
  args: v.optional(v.unknown()),
  call_id: v.optional(text("call_id")),
  headers: v.optional(headers("tool.headers")),
}, "tool");

const outcome = choice("outcome", OUTCOMES);
const status = mustBe("status", "an integer from 100 to 599");

const expectation = strict({
  outcome,
  policy: v.optional(text("policy")),
  status: v.optional(
    v.pipe(v.number(status), v.integer(status), v.minValue(100, status), v.maxValue(599, status)),
  ),
}, "expect");

const OUTCOME_LIST = OUTCOMES.join(", ");

const expect = v.union([outcome, expectation], (issue) => {
  const x = issue.input;
  const near = typeof x === "string" ? didYouMean(x, OUTCOMES) : "";
  return `expect must be an outcome (${OUTCOME_LIST}) or { outcome, policy?, status? }, got ${
    describeValue(x)
  }${near}`;
});

const checkStepKind: ObjectCheck = (step, add) => {
  const kinds = ["request", "tool"].filter((k) => k in step);
  if (kinds.length === 0) add("a step needs 'request' or 'tool'");
  if (kinds.length === 2) {
    add("'tool' cannot be combined with 'request' (a step is one action)", [
      keyStep(step, "tool", "key"),
    ]);
  }
  const e = step.expect;
  if ("tool" in step && typeof e === "object" && e !== null && "status" in e) {
    add("'status' applies to request steps only (a tool call has no HTTP status)", [
      keyStep(step, "expect"),
    ]);
  }
};

const afterSeconds = mustBe("after_seconds", "a number of seconds, 0 or more");

const step = strict(
  {
    request: v.optional(request),
    tool: v.optional(tool),
    expect,
    after_seconds: v.optional(v.pipe(v.number(afterSeconds), v.minValue(0, afterSeconds))),
  },
  "a step",
  {
    checks: [checkStepKind],
    json: {
      oneOf: [{ required: ["request"] }, { required: ["tool"] }],
      not: {
        required: ["tool", "expect"],
        properties: { expect: { type: "object", required: ["status"] } },
      },
    },
  },
);

function nonEmptyList(item: Schema, label: string, need: string): Schema {
  return v.pipe(v.array(item, mustBe(label, need)), v.minLength(1, mustBe(label, need)));
}

const testCase = strict({
  name: text("name"),
  run_id: v.optional(text("run_id")),
  steps: nonEmptyList(step, "steps", "a non-empty list of steps"),
}, "a case");

const document: Schema = strict({
  policies: text("policies"),
  mocks: v.optional(text("mocks")),
  cases: nonEmptyList(testCase, "cases", "a non-empty list of cases"),
}, "the test file");

/**
 * The schema of a whole test file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { policyTestSchema } from "./test_schema.ts";
 * assert.equal(v.safeParse(policyTestSchema(), { policies: "p.yaml", cases: [] }).success, false); // no cases
 * ```
 */
export function policyTestSchema(): Schema {
  return document;
}

/**
 * Test files as the loaders see them: the schema, and case names unique in a file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { POLICY_TEST } from "./test_schema.ts";
 * assert.equal(POLICY_TEST.noun, "test");
 * ```
 */
export const POLICY_TEST: DocumentKind = {
  schema: document,
  unique: [{ list: "cases", noun: "case" }],
  noun: "test",
};
