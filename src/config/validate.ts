/**
 * Runs a document schema and turns every issue into a positioned {@link ConfigIssue}, so that
 * one run reports all the mistakes of a file at once, in file order.
 *
 * @module
 */

import * as v from "valibot";
import { ConfigError, type ConfigIssue } from "../errors.ts";
import { formatPath } from "./messages.ts";
import { flattenIssues, type Schema } from "./schema_parts.ts";
import { isRecord } from "../is_record.ts";
import type { NodePath, NodeTarget } from "./yaml_source.ts";
import type { SourcePosition } from "./types.ts";

/**
 * Where the nodes of a document are: a parsed file knows, an object given in code does not.
 *
 * @example
 * ```ts
 * import type { Locator } from "./validate.ts";
 * const objects: Locator = { file: "<inline>", locate: () => undefined };
 * ```
 */
export interface Locator {
  /** File name for issues. */
  readonly file: string;
  /** Position of a node (of its key when `target` is `"key"`), or undefined when unknown. */
  locate(path: NodePath, target: NodeTarget): SourcePosition | undefined;
}

/**
 * Names that must be unique within one list of the document.
 *
 * @example
 * ```ts
 * import type { UniqueNames } from "./validate.ts";
 * const rules: UniqueNames = { list: "policies", noun: "policy" };
 * ```
 */
export interface UniqueNames {
  /** Top-level key of the list. */
  readonly list: string;
  /** What an item is called in the message ("duplicate policy name"). */
  readonly noun: string;
}

interface Finding {
  path: NodePath;
  target: NodeTarget;
  message: string;
}

function findingOf(issue: v.BaseIssue<unknown>): Finding {
  const steps = issue.path ?? [];
  const path = steps.map((s) => s.key as string | number);
  return { path, target: steps.at(-1)?.origin === "key" ? "key" : "value", message: issue.message };
}

function toIssue(finding: Finding, where: Locator): ConfigIssue {
  const at = where.locate(finding.path, finding.target);
  if (at) return { ...at, message: finding.message };
  const prefix = finding.path.length > 0 ? `${formatPath(finding.path)}: ` : "";
  return { file: where.file, line: 1, col: 1, message: `${prefix}${finding.message}` };
}

/** How a reader finds the first of two duplicates: by line in a file, by path otherwise. */
function reference(path: NodePath, where: Locator): string {
  const at = where.locate(path, "value");
  return at ? `line ${at.line}` : formatPath(path);
}

function duplicates(value: unknown, unique: UniqueNames, where: Locator): Finding[] {
  const items = isRecord(value) ? value[unique.list] : undefined;
  if (!Array.isArray(items)) return [];
  const first = new Map<string, number>();
  const found: Finding[] = [];
  items.forEach((item, i) => {
    const name = isRecord(item) ? item.name : undefined;
    if (typeof name !== "string") return;
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, i);
    else {
      const at = reference([unique.list, earlier], where);
      const message = `duplicate ${unique.noun} name '${name}' (first at ${at})`;
      found.push({ path: [unique.list, i, "name"], target: "value", message });
    }
  });
  return found;
}

function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return a.line - b.line || a.col - b.col;
}

/**
 * A check that runs before the schema, on the plain value: when it finds problems, they are
 * reported alone (the schema would not survive them, as a condition tree too deep to walk).
 *
 * @example
 * ```ts
 * import type { Precheck } from "./validate.ts";
 * const none: Precheck = () => [];
 * ```
 */
export type Precheck = (value: unknown) => readonly { path: NodePath; message: string }[];

/**
 * Validates `value` against `schema` and the uniqueness of the names in each `unique` list;
 * throws one {@link ConfigError} with every issue, sorted by position, or returns a validated
 * copy typed as `T`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { policyDocumentSchema } from "./policy_schema.ts";
 * import { validateDocument } from "./validate.ts";
 * const where = { file: "<inline>", locate: () => undefined };
 * const unique = [{ list: "policies", noun: "policy" }];
 * assert.deepEqual(validateDocument(policyDocumentSchema(), { policies: [] }, where, unique), { policies: [] });
 * const rule = { name: "a", field: "x", operator: "exists", message: "m" };
 * assert.throws(() => validateDocument(policyDocumentSchema(), { policies: [rule, rule] }, where, unique), {
 *   name: "ConfigError",
 *   message: "<inline>:1:1: policies[1].name: duplicate policy name 'a' (first at policies[0])",
 * });
 * ```
 */
export function validateDocument<T>(
  schema: Schema,
  value: unknown,
  where: Locator,
  unique: readonly UniqueNames[],
  precheck: Precheck = () => [],
): T {
  const early = precheck(value).map((p): Finding => ({ ...p, target: "key" }));
  if (early.length > 0) {
    throw new ConfigError(early.map((f) => toIssue(f, where)).sort(byPosition));
  }
  const result = v.safeParse(schema, value, { abortEarly: false, abortPipeEarly: false });
  const findings = result.success ? [] : flattenIssues(result.issues).map(findingOf);
  for (const names of unique) findings.push(...duplicates(value, names, where));
  if (findings.length > 0) {
    throw new ConfigError(findings.map((f) => toIssue(f, where)).sort(byPosition));
  }
  return result.output as T;
}
