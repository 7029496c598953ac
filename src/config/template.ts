/**
 * `{{ field.path }}` templates in mock responses (docs/language.md#mocks). Parsing happens once, at load time,
 * so that a mistake is reported with its position instead of when the mock is first served.
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import {
  type FieldPath,
  FieldPathSyntaxError,
  type FieldRoot,
  parseFieldPath,
} from "./field_path.ts";

/**
 * One piece of a template: literal text, or a field of the request to insert.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTemplate, type TemplatePart } from "./template.ts";
 * const parts: TemplatePart[] = parseTemplate("Q-{{ params.id }}");
 * assert.deepEqual(parts.map((p) => typeof p === "string" ? p : p.source), ["Q-", "params.id"]);
 * ```
 */
export type TemplatePart = string | FieldPath;

/**
 * The request fields a mock response can insert.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TEMPLATE_ROOTS } from "./template.ts";
 * assert.equal(TEMPLATE_ROOTS.includes("params"), true);
 * assert.equal(TEMPLATE_ROOTS.includes("tool"), false);
 * ```
 */
export const TEMPLATE_ROOTS: readonly FieldRoot[] = [
  "params",
  "query",
  "headers",
  "payload",
  "method",
  "path",
  "host",
  "run_id",
];

/** The call fields a tool mock's result can insert; `args` reads as `payload`. */
const TOOL_TEMPLATE_ROOTS: readonly FieldRoot[] = ["payload", "tool", "run_id"];

/**
 * What a template is written for: a route's response or a tool mock's result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTemplate, type TemplateKind } from "./template.ts";
 * const kind: TemplateKind = "tool";
 * const [field] = parseTemplate("{{ args.id }}", kind); // a tool's arguments, read as payload
 * assert.ok(typeof field === "object");
 * assert.equal(field.source, "payload.id");
 * ```
 */
export type TemplateKind = "route" | "tool";

/** `args`, `args.x`, `args[0]`: a tool's arguments, which rules call `payload`. */
const ARGS = /^args(?=$|[.[])/;

function invalid(template: string, why: string): MirageError {
  return new MirageError(
    "template_invalid",
    `invalid template ${JSON.stringify(template)}: ${why}`,
  );
}

function parseExpression(expression: string, template: string, kind: TemplateKind): FieldPath {
  const written = expression.trim();
  if (written === "") throw invalid(template, "empty '{{ }}'");
  const source = kind === "tool" ? written.replace(ARGS, "payload") : written;
  let path: FieldPath;
  try {
    path = parseFieldPath(source);
  } catch (e) {
    if (e instanceof FieldPathSyntaxError) throw invalid(template, e.message);
    throw e;
  }
  const roots = kind === "tool" ? TOOL_TEMPLATE_ROOTS : TEMPLATE_ROOTS;
  if (!roots.includes(path.root)) {
    const names = kind === "tool" ? ["args", ...roots] : roots;
    throw invalid(template, `'${path.root}' is not available (use ${names.join(", ")})`);
  }
  return path;
}

/**
 * Splits a template into literal text and field paths. Throws a {@link MirageError}
 * (`template_invalid`) for an unclosed `{{`, an empty `{{ }}`, an invalid path or a root that a
 * mock response (or, with `kind: "tool"`, a tool mock's result) cannot read. Text without `{{`
 * is one literal part (none when empty).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTemplate } from "./template.ts";
 * const [text, field] = parseTemplate("order {{payload.id}}");
 * assert.equal(text, "order ");
 * assert.ok(typeof field === "object");
 * assert.equal(field.root, "payload");
 * assert.throws(() => parseTemplate("order {{payload.id"), {
 *   code: "template_invalid",
 *   message: `invalid template "order {{payload.id": unclosed '{{'`,
 * });
 * ```
 */
export function parseTemplate(template: string, kind: TemplateKind = "route"): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = template;
  for (let open = rest.indexOf("{{"); open !== -1; open = rest.indexOf("{{")) {
    const close = rest.indexOf("}}", open + 2);
    if (close === -1) throw invalid(template, "unclosed '{{'");
    if (open > 0) parts.push(rest.slice(0, open));
    parts.push(parseExpression(rest.slice(open + 2, close), template, kind));
    rest = rest.slice(close + 2);
  }
  if (rest !== "") parts.push(rest);
  return parts;
}
