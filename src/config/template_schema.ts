/**
 * Values whose strings may hold `{{ }}` templates (docs/language.md#mocks): every bad template
 * is reported at its own leaf. Shared by the mocks' responses, tool results and faults.
 *
 * @module
 */

import * as v from "valibot";
import {
  type AddIssue,
  checkedString,
  headerName,
  indexStep,
  type IssuePath,
  keyStep,
  mustBe,
  problemOf,
  type Schema,
} from "./schema_parts.ts";
import { isRecord } from "../is_record.ts";
import { parseTemplate, type TemplateKind } from "./template.ts";

/**
 * The problem of a template string, or undefined when it is fine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { routeTemplate, type TemplateProblem } from "./template_schema.ts";
 * const problem: TemplateProblem = routeTemplate;
 * assert.equal(problem("Q-{{ params.id }}"), undefined);
 * ```
 */
export type TemplateProblem = (text: string) => string | undefined;

function templateProblem(kind: TemplateKind): TemplateProblem {
  return (s) => problemOf(() => parseTemplate(s, kind));
}

/**
 * Templates that read a request (a route's response or fault).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { routeTemplate } from "./template_schema.ts";
 * assert.equal(routeTemplate("order {{ params.id }}"), undefined);
 * assert.equal(routeTemplate("order {{ params.id"), `invalid template "order {{ params.id": unclosed '{{'`);
 * ```
 */
export const routeTemplate: TemplateProblem = templateProblem("route");

/**
 * Templates that read a tool call (a tool mock's result or fault).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolTemplate } from "./template_schema.ts";
 * assert.equal(toolTemplate("refund {{ args.order }}"), undefined);
 * assert.equal(
 *   toolTemplate("{{ params.id }}"),
 *   `invalid template "{{ params.id }}": 'params' is not available (use args, payload, tool, run_id)`,
 * );
 * ```
 */
export const toolTemplate: TemplateProblem = templateProblem("tool");

/** Reports a bad template in every string leaf of a JSON value, at that leaf. */
function checkTemplates(
  value: unknown,
  path: IssuePath | [],
  add: AddIssue,
  problem: TemplateProblem,
): void {
  if (typeof value === "string") {
    const found = problem(value);
    if (found !== undefined) add(found, path.length ? (path as IssuePath) : undefined);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkTemplates(item, [...path, indexStep(value, i)], add, problem));
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      checkTemplates(value[key], [...path, keyStep(value, key)], add, problem);
    }
  }
}

/**
 * Any YAML value whose string leaves may hold templates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { routeTemplate, templatedJson } from "./template_schema.ts";
 * assert.equal(v.safeParse(templatedJson(routeTemplate), { id: "{{ params.id }}" }).success, true);
 * ```
 */
export function templatedJson(problem: TemplateProblem): Schema {
  return v.pipe(
    v.unknown(),
    v.rawCheck<unknown>(({ dataset, addIssue }) => {
      checkTemplates(
        dataset.value,
        [],
        (message, path) => addIssue(path ? { message, path } : { message }),
        problem,
      );
    }),
  );
}

/**
 * Headers whose values may hold request templates: a response's, or a status fault's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { templatedHeaders } from "./template_schema.ts";
 * assert.equal(v.safeParse(templatedHeaders("response", "response.headers"), { "x-id": "{{ params.id }}" }).success, true);
 * ```
 */
export function templatedHeaders(owner: string, path: string): Schema {
  return v.record(
    headerName(`a ${owner} header name`),
    checkedString(`a ${owner} header`, "a string", routeTemplate),
    mustBe(path, "a mapping of header names to strings"),
  );
}
