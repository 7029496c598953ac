/**
 * YAML text with positions: the parsed value, the syntax errors, and a way back from a path of
 * keys and indexes to the line and column it was written at.
 *
 * @module
 */

import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
  visit,
} from "yaml";
import type { ConfigIssue } from "../errors.ts";
import { jsonSyntaxError } from "./json_syntax.ts";
import type { SourcePosition } from "./types.ts";

/**
 * A path of keys and indexes into a document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type NodePath, parseYamlSource } from "./yaml_source.ts";
 * const path: NodePath = ["policies", 0, "name"];
 * const src = parseYamlSource("policies:\n  - name: cap\n", "p.yaml");
 * assert.deepEqual(src.locate(path), { file: "p.yaml", line: 2, col: 11 });
 * ```
 */
export type NodePath = readonly (string | number)[];

/**
 * Which part of a mapping entry a position refers to: its key or its value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type NodeTarget, parseYamlSource } from "./yaml_source.ts";
 * const src = parseYamlSource("max: 5\n", "p.yaml");
 * const at = (target: NodeTarget) => src.locate(["max"], target).col;
 * assert.deepEqual([at("key"), at("value")], [1, 6]);
 * ```
 */
export type NodeTarget = "key" | "value";

/**
 * A parsed YAML file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYamlSource } from "./yaml_source.ts";
 * const src = parseYamlSource("a:\n  b: 1\n", "x.yaml");
 * assert.deepEqual(src.locate(["a", "b"], "key"), { file: "x.yaml", line: 2, col: 3 });
 * ```
 */
export interface YamlSource {
  /** File name used in positions. */
  readonly file: string;
  /** The plain value (`undefined` when there were syntax errors). */
  readonly value: unknown;
  /** Syntax errors, in file order. */
  readonly issues: readonly ConfigIssue[];
  /**
   * Position of the node at `path` (of its key when `target` is `"key"` and the node is a mapping
   * entry). A path that is not in the file gives the position of its nearest enclosing node.
   */
  locate(path: NodePath, target?: NodeTarget): SourcePosition;
}

type Step = { node: Node | null; key: Node | null };

function child(doc: Document, node: Node | null, segment: string | number): Step | undefined {
  const resolved = node && isAlias(node) ? node.resolve(doc) ?? null : node;
  if (isMap(resolved)) {
    const pair = resolved.items.find((p) =>
      isScalar(p.key) && String(p.key.value) === String(segment)
    );
    return pair && { node: pair.value as Node | null, key: pair.key as Node };
  }
  if (isSeq(resolved) && typeof segment === "number") {
    const item = resolved.items[segment] as Node | undefined;
    return item === undefined ? undefined : { node: item, key: null };
  }
  return undefined;
}

function offsetOf(doc: Document, path: NodePath, target: NodeTarget): number {
  let current: Step = { node: doc.contents as Node | null, key: null };
  let offset = current.node?.range?.[0] ?? 0;
  for (const segment of path) {
    const next = child(doc, current.node, segment);
    if (!next) return offset;
    current = next;
    offset = current.node?.range?.[0] ?? current.key?.range?.[0] ?? offset;
  }
  const keyOffset = target === "key" ? current.key?.range?.[0] : undefined;
  return keyOffset ?? offset;
}

/**
 * Options of {@link parseYamlSource}.
 *
 * @example
 * ```ts
 * import type { SourceOptions } from "./yaml_source.ts";
 * const o: SourceOptions = { noun: "policies" };
 * ```
 */
export interface SourceOptions {
  /** What the file holds, for messages ("a policies file holds one YAML document"). */
  readonly noun?: string;
}

/** The parser's message, or one a user can act on where the parser speaks of its own API. */
function messageOf(code: string, message: string, text: string, noun: string): string {
  if (code !== "MULTIPLE_DOCS") return message;
  const found = parseAllDocuments(text);
  const count = Array.isArray(found) ? found.length : 1;
  return `a ${noun} file holds one YAML document; found ${count} (remove the '---' lines)`;
}

/** The parser's errors, once each: it can report one mistake twice at the same place. */
function syntaxIssues(doc: Document, lines: LineCounter, source: Source): ConfigIssue[] {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const e of doc.errors) {
    const message = messageOf(e.code, e.message, source.text, source.noun);
    const issue = { file: source.file, ...lines.linePos(e.pos[0]), message };
    const key = `${issue.line}:${issue.col}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

/** Keys that are mappings or lists, which no Mirage file uses and JSON objects cannot hold. */
function collectionKeys(doc: Document, lines: LineCounter, file: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (!isCollection(pair.key)) return;
      const at = lines.linePos((pair.key as Node).range?.[0] ?? 0);
      issues.push({
        file,
        ...at,
        message: "a key must be text or a number, not a mapping or list",
      });
    },
  });
  return issues;
}

interface Source {
  readonly text: string;
  readonly file: string;
  readonly noun: string;
}

/** A `.json` file is JSON: its first syntax error, at its position. */
function jsonIssues(text: string, file: string): ConfigIssue[] {
  const error = jsonSyntaxError(text);
  if (!error) return [];
  const lines = text.slice(0, error.offset).split("\n");
  const col = (lines.at(-1) ?? "").length + 1;
  return [{ file, line: lines.length, col, message: `invalid JSON: ${error.message}` }];
}

/**
 * The value with strings of its own. The parser's strings are slices of the file's text, which
 * V8's `JSON.stringify` serialises far more slowly than flat strings, and rule names, messages
 * and values go into every trace line and answer. A string read back from its JSON text is flat.
 */
function ownStrings(value: unknown, seen = new Set<object>()): unknown {
  if (typeof value === "string") return JSON.parse(JSON.stringify(value));
  if (typeof value !== "object" || value === null || seen.has(value)) return value;
  seen.add(value);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = ownStrings(record[key], seen);
  return value;
}

function toValue(doc: Document, file: string): { value: unknown; issues: ConfigIssue[] } {
  try {
    return { value: ownStrings(doc.toJS()), issues: [] };
  } catch (e) {
    const message = `invalid YAML: ${e instanceof Error ? e.message : String(e)}`;
    return { value: undefined, issues: [{ file, line: 1, col: 1, message }] };
  }
}

/**
 * Parses YAML text, or JSON when the file name ends in `.json` (strict: a trailing comma is an
 * error, not YAML). Syntax errors become issues rather than exceptions, so that a caller can
 * report them together with its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYamlSource } from "./yaml_source.ts";
 * assert.ok(parseYamlSource("a: [1\n", "x.yaml").issues.length > 0);
 * assert.equal(parseYamlSource('{"a": 1,}', "x.json").issues[0]?.message, "invalid JSON: a trailing comma before '}' (JSON allows none)");
 * ```
 */
export function parseYamlSource(
  text: string,
  file: string,
  options: SourceOptions = {},
): YamlSource {
  const lines = new LineCounter();
  const json = /\.json$/i.test(file) ? jsonIssues(text, file) : [];
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const source: Source = { text, file, noun: options.noun ?? "configuration" };
  const errors = json.length ? json : syntaxIssues(doc, lines, source);
  if (errors.length === 0) errors.push(...collectionKeys(doc, lines, file));
  const { value, issues } = errors.length > 0
    ? { value: undefined, issues: errors }
    : toValue(doc, file);
  return {
    file,
    value,
    issues,
    locate(path: NodePath, target: NodeTarget = "value"): SourcePosition {
      return { file, ...lines.linePos(offsetOf(doc, path, target)) };
    },
  };
}
