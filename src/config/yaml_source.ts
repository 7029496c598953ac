/**
 * YAML text with positions: the parsed value, the syntax errors, and a way back from a path of
 * keys and indexes to the line and column it was written at.
 *
 * @module
 */

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import type { ConfigIssue } from "../errors.ts";
import type { SourcePosition } from "./types.ts";

/** A path of keys and indexes into a document. */
export type NodePath = readonly (string | number)[];

/** Which part of a mapping entry a position refers to: its key or its value. */
export type NodeTarget = "key" | "value";

/**
 * A parsed YAML file.
 *
 * @example
 * ```ts
 * import { parseYamlSource } from "./yaml_source.ts";
 * const src = parseYamlSource("a:\n  b: 1\n", "x.yaml");
 * src.locate(["a", "b"], "key"); // { file: "x.yaml", line: 2, col: 3 }
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

function syntaxIssues(doc: Document, lines: LineCounter, file: string): ConfigIssue[] {
  return doc.errors.map((e) => ({ file, ...lines.linePos(e.pos[0]), message: e.message }));
}

function toValue(doc: Document, file: string): { value: unknown; issues: ConfigIssue[] } {
  try {
    return { value: doc.toJS(), issues: [] };
  } catch (e) {
    const message = `invalid YAML: ${e instanceof Error ? e.message : String(e)}`;
    return { value: undefined, issues: [{ file, line: 1, col: 1, message }] };
  }
}

/**
 * Parses YAML (or JSON) text. Syntax errors become issues rather than exceptions, so that a
 * caller can report them together with its own.
 *
 * @example
 * ```ts
 * import { parseYamlSource } from "./yaml_source.ts";
 * parseYamlSource("a: [1\n", "x.yaml").issues.length > 0; // true
 * ```
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errors = syntaxIssues(doc, lines, file);
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
