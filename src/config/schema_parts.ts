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

/** Any schema of these documents. */
export type Schema = v.GenericSchema;

/** A schema of a string (usable as a record key). */
export type StringSchema = v.GenericSchema<string, string>;

/** A non-empty issue path, as valibot wants it. */
export type IssuePath = [v.IssuePathItem, ...v.IssuePathItem[]];

/** Reports one issue, at `path` below the checked value (at the value itself when omitted). */
export type AddIssue = (message: string, path?: IssuePath) => void;

/** A cross-key check of one object; runs even when some of its keys are invalid. */
export type ObjectCheck = (value: Record<string, unknown>, add: AddIssue) => void;

/** The issue path step to `key` of `input`; origin `"key"` points at the key itself. */
export function keyStep(
  input: Record<string, unknown>,
  key: string,
  origin: "key" | "value" = "value",
): v.ObjectPathItem {
  return { type: "object", origin, input, key, value: input[key] };
}

/** The issue path step to item `index` of `input`. */
export function indexStep(input: unknown[], index: number): v.ArrayPathItem {
  return { type: "array", origin: "value", input, key: index, value: input[index] };
}

/** A message function: `<label> must be <need>, got <value>`. */
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

/** One of a few words, with a suggestion for a near miss. */
export function choice(label: string, options: readonly [string, ...string[]]): Schema {
  const listed = options.map((o) => `'${o}'`).join(" or ");
  return v.picklist(options, (issue) => {
    const near = typeof issue.input === "string" ? didYouMean(issue.input, options) : "";
    return `${label} must be ${listed}, got ${describeValue(issue.input)}${near}`;
  });
}

/** Runs a parser that throws a typed error, and returns its message (or undefined when fine). */
export function problemOf(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (e) {
    if (e instanceof MirageError || e instanceof FieldPathSyntaxError) return e.message;
    throw e;
  }
}

/** A string that `problem` accepts; `problem` returns the message for a bad one. */
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

/** A non-empty, single-line string. */
export function text(label: string): Schema {
  const need = "a non-empty single-line string";
  return v.pipe(
    v.string(mustBe(label, need)),
    v.regex(/^\S(?:[^\r\n]*\S)?$/, mustBe(label, need)),
  );
}

/** A non-empty string (line breaks allowed). */
export function prose(label: string): Schema {
  const need = "a non-empty string";
  return v.pipe(v.string(mustBe(label, need)), v.regex(/\S/, mustBe(label, need)));
}

/** One item, or a non-empty list of items. */
export function oneOrMore(item: Schema, label: string, need: string): Schema {
  const many = v.pipe(
    v.array(item, mustBe(label, need)),
    v.minLength(1, mustBe(label, need)),
  );
  return v.union([item, many], mustBe(label, need));
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const METHOD = "an HTTP method name";

/** One HTTP method, case-insensitive. */
export function method(label = "method"): Schema {
  return v.pipe(v.string(mustBe(label, METHOD)), v.regex(TOKEN, mustBe(label, METHOD)));
}

/** HTTP method(s), case-insensitive. */
export function methods(label = "method"): Schema {
  return oneOrMore(method(label), label, `${METHOD} or a list of them`);
}

/** Tool name(s). */
export function tools(label = "tool"): Schema {
  const need = "a tool name";
  const one = v.pipe(v.string(mustBe(label, need)), v.minLength(1, mustBe(label, need)));
  return oneOrMore(one, label, `${need} or a list of them`);
}

/** A path pattern; `allowRest` permits a final `/**`. */
export function pathPattern(allowRest: boolean, label = "path"): Schema {
  return checkedString(
    label,
    "a path starting with '/'",
    (s) => problemOf(() => parsePathPattern(s, allowRest)),
  );
}

/** A host name or `*.suffix` pattern. */
export function hostPattern(label = "host"): Schema {
  const need = "a host name or a *.suffix pattern";
  return v.pipe(v.string(mustBe(label, need)), v.check(isHostPattern, mustBe(label, need)));
}

/** A field path (docs/language.md#fields). */
export function fieldPath(label: string): Schema {
  return checkedString(label, "a field path", (s) => problemOf(() => parseFieldPath(s)));
}

/** A header name (an HTTP token). */
export function headerName(label: string): StringSchema {
  const need = "a header name";
  return v.pipe(v.string(mustBe(label, need)), v.regex(TOKEN, mustBe(label, need)));
}

/**
 * Replaces a union's own vague issue by the issues of the option whose shape matched, when one
 * did: `method: [GET, 5]` is reported at the `5`, not as "not a string or a list".
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
