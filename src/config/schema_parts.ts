/**
 * Building blocks shared by the policy and mock schemas. Every schema carries a message written
 * for a person ("method must be …, got number 5"), so that issues need no rewording later.
 *
 * Objects are "strict": a loose object plus a check that reports every unknown key (valibot's
 * own strict object stops at the first one), with `additionalProperties: false` for JSON Schema.
 *
 * @module
 */

import * as v from "valibot";
import { MirageError } from "../errors.ts";
import { FieldPathSyntaxError, parseFieldPath } from "./field_path.ts";
import { isHostPattern } from "./host_pattern.ts";
import { describeValue } from "./messages.ts";
import { parsePathPattern } from "./path_pattern.ts";
import { didYouMean } from "./suggest.ts";
import { isRecord } from "../is_record.ts";

/**
 * Any schema of these documents.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { type Schema, text } from "./schema_parts.ts";
 * const name: Schema = text("name");
 * assert.equal(v.is(name, "cap"), true);
 * ```
 */
export type Schema = v.GenericSchema;

/**
 * A schema of a string (usable as a record key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { headerName, type StringSchema } from "./schema_parts.ts";
 * const header: StringSchema = headerName("header");
 * assert.equal(v.is(v.record(header, v.string()), { "x-agent": "a7" }), true);
 * ```
 */
export type StringSchema = v.GenericSchema<string, string>;

/**
 * A non-empty issue path, as valibot wants it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexStep, type IssuePath, keyStep } from "./schema_parts.ts";
 * const rule = { method: ["GET", 5] };
 * const path: IssuePath = [keyStep(rule, "method"), indexStep(rule.method, 1)];
 * assert.deepEqual(path.map((s) => s.key), ["method", 1]);
 * ```
 */
export type IssuePath = [v.IssuePathItem, ...v.IssuePathItem[]];

/**
 * Reports one issue, at `path` below the checked value (at the value itself when omitted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AddIssue } from "./schema_parts.ts";
 * const issues: string[] = [];
 * const add: AddIssue = (message) => issues.push(message);
 * add("a delay fault needs 'delay_ms'");
 * assert.deepEqual(issues, ["a delay fault needs 'delay_ms'"]);
 * ```
 */
export type AddIssue = (message: string, path?: IssuePath) => void;

/**
 * A cross-key check of one object; runs even when some of its keys are invalid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { type ObjectCheck, strict } from "./schema_parts.ts";
 * const oneOf: ObjectCheck = (value, add) => {
 *   if ("a" in value && "b" in value) add("'a' or 'b', not both");
 * };
 * const pair = strict({ a: v.optional(v.number()), b: v.optional(v.number()) }, "a pair", { checks: [oneOf] });
 * assert.deepEqual(v.safeParse(pair, { a: 1, b: 2 }).issues?.map((i) => i.message), ["'a' or 'b', not both"]);
 * ```
 */
export type ObjectCheck = (value: Record<string, unknown>, add: AddIssue) => void;

/**
 * The issue path step to `key` of `input`; origin `"key"` points at the key itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyStep } from "./schema_parts.ts";
 * const rule = { name: "cap", max: 5 };
 * assert.deepEqual(keyStep(rule, "max"), { type: "object", origin: "value", input: rule, key: "max", value: 5 });
 * assert.equal(keyStep(rule, "max", "key").origin, "key");
 * ```
 */
export function keyStep(
  input: Record<string, unknown>,
  key: string,
  origin: "key" | "value" = "value",
): v.ObjectPathItem {
  return { type: "object", origin, input, key, value: input[key] };
}

/**
 * The issue path step to item `index` of `input`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexStep } from "./schema_parts.ts";
 * const list = ["GET", 5];
 * assert.deepEqual(indexStep(list, 1), { type: "array", origin: "value", input: list, key: 1, value: 5 });
 * ```
 */
export function indexStep(input: unknown[], index: number): v.ArrayPathItem {
  return { type: "array", origin: "value", input, key: index, value: input[index] };
}

/**
 * A message function: `<label> must be <need>, got <value>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { mustBe } from "./schema_parts.ts";
 * const amount = v.number(mustBe("amount", "a number"));
 * assert.deepEqual(v.safeParse(amount, "x").issues?.map((i) => i.message), ['amount must be a number, got string "x"']);
 * ```
 */
export function mustBe(label: string, need: string): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => `${label} must be ${need}, got ${describeValue(issue.input)}`;
}

function rawCheck(check: (value: unknown, add: AddIssue) => void): v.GenericValidation {
  return v.rawCheck<unknown>(({ dataset, addIssue }) => {
    check(dataset.value, (message, path) => addIssue(path ? { message, path } : { message }));
  });
}

interface StrictOptions {
  /** The message for an unknown key (default: `unknown key 'x'` with a suggestion). */
  unknownKey?: (key: string, known: readonly string[]) => string;
  /** Cross-key checks. */
  checks?: readonly ObjectCheck[];
  /** Extra JSON Schema keywords that express the checks for editors. */
  json?: Record<string, unknown>;
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  return `unknown key '${key}'${didYouMean(key, known)}`;
}

/**
 * An object that accepts only `entries`. `label` names it in "must be a mapping" messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { strict, text } from "./schema_parts.ts";
 * const rule = strict({ name: text("name") }, "a rule");
 * const messages = (x: unknown) => v.safeParse(rule, x, { abortEarly: false }).issues?.map((i) => i.message);
 * assert.deepEqual(messages({ name: "cap", nmae: 1 }), ["unknown key 'nmae' (did you mean 'name'?)"]);
 * assert.deepEqual(messages({}), ["missing required key 'name'"]);
 * assert.deepEqual(messages([1]), ["a rule must be a mapping, got [1]"]);
 * ```
 */
export function strict(
  entries: v.ObjectEntries,
  label: string,
  options: StrictOptions = {},
): Schema {
  const known = Object.keys(entries);
  const unknownKey = options.unknownKey ?? unknownKeyMessage;
  const message = (issue: v.BaseIssue<unknown>): string => {
    const step = issue.path?.at(-1);
    if (step?.origin === "key") return `missing required key '${String(step.key)}'`;
    return `${label} must be a mapping, got ${describeValue(issue.input)}`;
  };
  const checks = options.checks ?? [];
  return v.pipe(
    // Arrays are objects to valibot; rejecting them first avoids a "missing key" for each entry.
    v.custom<Record<string, unknown>>(isRecord, message),
    v.looseObject(entries, message),
    rawCheck((value, add) => {
      if (!isRecord(value)) return;
      for (const key of Object.keys(value)) {
        if (!known.includes(key)) add(unknownKey(key, known), [keyStep(value, key, "key")]);
      }
      for (const check of checks) check(value, add);
    }),
    v.metadata({ additionalProperties: false, ...options.json }),
  );
}

/**
 * One of a few words, with a suggestion for a near miss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { choice } from "./schema_parts.ts";
 * const mode = choice("mode", ["ci", "enforce"]);
 * assert.deepEqual(v.safeParse(mode, "enforec").issues?.map((i) => i.message), [
 *   `mode must be 'ci' or 'enforce', got string "enforec" (did you mean 'enforce'?)`,
 * ]);
 * ```
 */
export function choice(label: string, options: readonly [string, ...string[]]): Schema {
  const listed = options.map((o) => `'${o}'`).join(" or ");
  return v.picklist(options, (issue) => {
    const near = typeof issue.input === "string" ? didYouMean(issue.input, options) : "";
    return `${label} must be ${listed}, got ${describeValue(issue.input)}${near}`;
  });
}

/**
 * Runs a parser that throws a typed error, and returns its message (or undefined when fine).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePathPattern } from "./path_pattern.ts";
 * import { problemOf } from "./schema_parts.ts";
 * assert.equal(problemOf(() => parsePathPattern("/v1/{id}")), undefined);
 * assert.equal(problemOf(() => parsePathPattern("v1")), "invalid path 'v1': must start with '/'");
 * ```
 */
export function problemOf(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (e) {
    if (e instanceof MirageError || e instanceof FieldPathSyntaxError) return e.message;
    throw e;
  }
}

/**
 * A string that `problem` accepts; `problem` returns the message for a bad one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { checkedString } from "./schema_parts.ts";
 * const code = checkedString("code", "a currency code", (s) => s.length === 3 ? undefined : "a currency code has 3 letters");
 * assert.equal(v.is(code, "EUR"), true);
 * assert.deepEqual(v.safeParse(code, "EURO").issues?.map((i) => i.message), ["a currency code has 3 letters"]);
 * ```
 */
export function checkedString(
  label: string,
  need: string,
  problem: (text: string) => string | undefined,
): StringSchema {
  return v.pipe(
    v.string(mustBe(label, need)),
    rawCheck((value, add) => {
      const found = typeof value === "string" ? problem(value) : undefined;
      if (found !== undefined) add(found);
    }),
  );
}

/**
 * A non-empty, single-line string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { text } from "./schema_parts.ts";
 * assert.equal(v.is(text("name"), "enforce_bid_limit"), true);
 * assert.deepEqual(v.safeParse(text("name"), "two\nlines").issues?.map((i) => i.message), [
 *   'name must be a non-empty single-line string, got string "two\\nlines"',
 * ]);
 * ```
 */
export function text(label: string): Schema {
  const need = "a non-empty single-line string";
  return v.pipe(
    v.string(mustBe(label, need)),
    v.regex(/^\S(?:[^\r\n]*\S)?$/, mustBe(label, need)),
  );
}

/**
 * A non-empty string (line breaks allowed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { prose } from "./schema_parts.ts";
 * assert.equal(v.is(prose("message"), "two\nlines"), true);
 * assert.equal(v.is(prose("message"), "  "), false);
 * ```
 */
export function prose(label: string): Schema {
  const need = "a non-empty string";
  return v.pipe(v.string(mustBe(label, need)), v.regex(/\S/, mustBe(label, need)));
}

/**
 * One item, or a non-empty list of items.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { oneOrMore, text } from "./schema_parts.ts";
 * const tags = oneOrMore(text("tag"), "tags", "a tag or a list of them");
 * assert.equal(v.is(tags, "a"), true);
 * assert.equal(v.is(tags, ["a", "b"]), true);
 * assert.equal(v.is(tags, []), false);
 * ```
 */
export function oneOrMore(item: Schema, label: string, need: string): Schema {
  const many = v.pipe(
    v.array(item, mustBe(label, need)),
    v.minLength(1, mustBe(label, need)),
  );
  return v.union([item, many], mustBe(label, need));
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const METHOD = "an HTTP method name";

/**
 * One HTTP method, case-insensitive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { method } from "./schema_parts.ts";
 * assert.equal(v.is(method(), "post"), true);
 * assert.equal(v.is(method(), "GE T"), false);
 * ```
 */
export function method(label = "method"): Schema {
  return v.pipe(v.string(mustBe(label, METHOD)), v.regex(TOKEN, mustBe(label, METHOD)));
}

/**
 * HTTP method(s), case-insensitive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { methods } from "./schema_parts.ts";
 * assert.equal(v.is(methods(), "GET"), true);
 * assert.equal(v.is(methods(), ["GET", "POST"]), true);
 * assert.equal(v.is(methods(), ["GET", 5]), false);
 * ```
 */
export function methods(label = "method"): Schema {
  return oneOrMore(method(label), label, `${METHOD} or a list of them`);
}

/**
 * Tool name(s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { tools } from "./schema_parts.ts";
 * assert.equal(v.is(tools(), ["search", "issue_refund"]), true);
 * assert.equal(v.is(tools(), ""), false);
 * ```
 */
export function tools(label = "tool"): Schema {
  const need = "a tool name";
  const one = v.pipe(v.string(mustBe(label, need)), v.minLength(1, mustBe(label, need)));
  return oneOrMore(one, label, `${need} or a list of them`);
}

/**
 * A path pattern; `allowRest` permits a final `/**`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { pathPattern } from "./schema_parts.ts";
 * assert.equal(v.is(pathPattern(true), "/v1/**"), true);
 * assert.deepEqual(v.safeParse(pathPattern(false), "/v1/**").issues?.map((i) => i.message), [
 *   "invalid path '/v1/**': '**' is only allowed in policy paths",
 * ]);
 * ```
 */
export function pathPattern(allowRest: boolean, label = "path"): Schema {
  return checkedString(
    label,
    "a path starting with '/'",
    (s) => problemOf(() => parsePathPattern(s, allowRest)),
  );
}

/**
 * A host name or `*.suffix` pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { hostPattern } from "./schema_parts.ts";
 * assert.equal(v.is(hostPattern(), "*.example.com"), true);
 * assert.equal(v.is(hostPattern(), "http://example.com"), false);
 * ```
 */
export function hostPattern(label = "host"): Schema {
  const need = "a host name or a *.suffix pattern";
  return v.pipe(v.string(mustBe(label, need)), v.check(isHostPattern, mustBe(label, need)));
}

/**
 * A field path (docs/language.md#fields).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { fieldPath } from "./schema_parts.ts";
 * assert.equal(v.is(fieldPath("field"), "payload.items[*].sku"), true);
 * assert.equal(v.is(fieldPath("field"), "a..b"), false);
 * ```
 */
export function fieldPath(label: string): Schema {
  return checkedString(label, "a field path", (s) => problemOf(() => parseFieldPath(s)));
}

/**
 * A header name (an HTTP token).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { headerName } from "./schema_parts.ts";
 * assert.equal(v.is(headerName("header"), "x-agent"), true);
 * assert.equal(v.is(headerName("header"), "x agent"), false);
 * ```
 */
export function headerName(label: string): StringSchema {
  const need = "a header name";
  return v.pipe(v.string(mustBe(label, need)), v.regex(TOKEN, mustBe(label, need)));
}

/**
 * Replaces a union's own vague issue by the issues of the option whose shape matched, when one
 * did: `method: [GET, 5]` is reported at the `5`, not as "not a string or a list".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { flattenIssues, methods } from "./schema_parts.ts";
 * const result = v.safeParse(methods(), ["GET", 5]);
 * assert.equal(result.success, false);
 * const issues = flattenIssues(result.issues ?? []);
 * assert.deepEqual(issues.map((i) => [i.message, i.path?.map((s) => s.key)]), [
 *   ["method must be an HTTP method name, got number 5", [1]],
 * ]);
 * ```
 */
export function flattenIssues(issues: readonly v.BaseIssue<unknown>[]): v.BaseIssue<unknown>[] {
  return issues.flatMap((issue) => {
    const deeper = issue.type === "union" ? (issue.issues ?? []).filter((s) => s.path?.length) : [];
    if (deeper.length === 0) return [issue];
    const prefixed = deeper.map((s) => ({
      ...s,
      path: [...(issue.path ?? []), ...(s.path ?? [])],
    }));
    return flattenIssues(prefixed as v.BaseIssue<unknown>[]);
  });
}
