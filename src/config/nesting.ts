/**
 * Limits on nesting, checked before anything recursive reads a file: the YAML parser, the schema
 * and the compiler would otherwise exhaust the stack on a deep file and report V8's "Maximum call
 * stack size exceeded" at a place that changes from run to run. Both limits are far above what a
 * policy needs, and both are reported where the file first goes past them.
 *
 * @module
 */

import type { NodePath } from "./yaml_source.ts";
import { isRecord } from "../is_record.ts";

/**
 * Levels of nesting (mappings, lists, flow brackets) a configuration file may have.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_NESTING } from "./nesting.ts";
 * assert.equal(MAX_NESTING, 200);
 * ```
 */
export const MAX_NESTING = 200;

/** Levels of `when` conditions (`all`, `any`, `not`) a rule may have. */
const MAX_CONDITION_DEPTH = 64;

/**
 * Where a text first goes past {@link MAX_NESTING}, as a 1-based line and column.
 *
 * @example
 * ```ts
 * import type { NestingPosition } from "./nesting.ts";
 * const at: NestingPosition = { line: 202, col: 401 };
 * ```
 */
export interface NestingPosition {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
}

/** A scanner of one line's flow brackets and quotes, carrying its state across lines. */
class FlowDepth {
  depth = 0;
  #quote: string | undefined;

  /** Scans `line` from `from`; returns the column (0-based) where `limit` is passed, if it is. */
  scan(line: string, from: number, base: number, limit: number): number | undefined {
    for (let i = from; i < line.length; i++) {
      const c = line[i] as string;
      if (this.#quote) {
        if (c === "\\" && this.#quote === '"') i++;
        else if (c === this.#quote) this.#quote = undefined;
        continue;
      }
      if (c === "#" && (i === 0 || line[i - 1] === " ")) return undefined;
      if (c === '"' || (c === "'" && (i === 0 || /[\s[{,:]/.test(line[i - 1] as string)))) {
        this.#quote = c;
      } else if (c === "[" || c === "{") {
        if (base + ++this.depth > limit) return i;
      } else if ((c === "]" || c === "}") && this.depth > 0) this.depth--;
    }
    return undefined;
  }
}

const BLOCK_SCALAR = /(?:^|[:\-]\s+)[|>][-+0-9]*\s*(?:#.*)?$/;

/**
 * Where a YAML (or JSON) text nests deeper than `limit`, estimated from its indentation, its
 * `- ` markers and its flow brackets without parsing it; `undefined` when it does not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nestingTooDeep } from "./nesting.ts";
 * assert.deepEqual(nestingTooDeep("a: [[[1]]]\n", 2), { line: 1, col: 5 });
 * ```
 */
export function nestingTooDeep(text: string, limit = MAX_NESTING): NestingPosition | undefined {
  const indents: number[] = [];
  const flow = new FlowDepth();
  let blockScalar: number | undefined;
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    const indent = line.length - line.trimStart().length;
    const rest = line.slice(indent);
    if (rest === "" || (flow.depth === 0 && rest.startsWith("#"))) continue;
    if (blockScalar !== undefined && indent > blockScalar) continue;
    blockScalar = undefined;
    let at = indent;
    let base = 0;
    if (flow.depth === 0) {
      while (indents.length && (indents.at(-1) as number) >= indent) indents.pop();
      indents.push(indent);
      base = indents.length;
      // Each `- ` on the line opens one more level: `- - x` is a list in a list.
      for (; line.startsWith("- ", at); at += 2) base++;
      if (base > limit) return { line: n + 1, col: indent + 1 };
      if (BLOCK_SCALAR.test(rest)) blockScalar = indent;
    }
    const passed = flow.scan(line, at, base, limit);
    if (passed !== undefined) return { line: n + 1, col: passed + 1 };
  }
  return undefined;
}

/**
 * A place in a document that nests too deeply, and what to say there.
 *
 * @example
 * ```ts
 * import type { NestingProblem } from "./nesting.ts";
 * const p: NestingProblem = { path: ["policies", 0, "when"], message: "too deep" };
 * ```
 */
export interface NestingProblem {
  /** Path of the node. */
  readonly path: NodePath;
  /** What is wrong. */
  readonly message: string;
}

/** The first condition of a `when` tree deeper than the limit, found without recursion. */
function deepCondition(when: unknown, path: NodePath): NodePath | undefined {
  const stack: [unknown, NodePath, number][] = [[when, path, 1]];
  while (stack.length) {
    const [node, at, depth] = stack.pop() as [unknown, NodePath, number];
    if (!isRecord(node)) continue;
    if (depth > MAX_CONDITION_DEPTH) return at;
    if (node.not !== undefined) stack.push([node.not, [...at, "not"], depth + 1]);
    for (const key of ["any", "all"]) {
      const list = node[key];
      if (!Array.isArray(list)) continue;
      for (let i = list.length - 1; i >= 0; i--) stack.push([list[i], [...at, key, i], depth + 1]);
    }
  }
  return undefined;
}

/**
 * Rules whose `when` nests more than 64 levels deep, one problem per rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { conditionsTooDeep } from "./nesting.ts";
 * let when: unknown = { field: "a", operator: "exists" };
 * for (let i = 0; i < 70; i++) when = { not: when };
 * assert.equal(conditionsTooDeep({ policies: [{ name: "deep", when, message: "m" }] })[0]?.path.length, 67);
 * ```
 */
export function conditionsTooDeep(document: unknown): NestingProblem[] {
  const rules = isRecord(document) ? document.policies : undefined;
  if (!Array.isArray(rules)) return [];
  return rules.flatMap((rule, i) => {
    const at = isRecord(rule) ? deepCondition(rule.when, ["policies", i, "when"]) : undefined;
    if (!at) return [];
    return [{
      path: at,
      message: `conditions nest more than ${MAX_CONDITION_DEPTH} levels deep; flatten them ` +
        "('all' inside 'all' is one 'all', 'not' of 'not' is the condition itself)",
    }];
  });
}
