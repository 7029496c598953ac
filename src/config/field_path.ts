/**
 * Field paths (docs/language.md#fields): dot segments, `[n]` indexes and `[*]` wildcards, under a namespace.
 * A path whose first segment is not a namespace is read as `payload.<path>`, which keeps the
 * Python Mirage's bare paths (`amount`) working unchanged.
 */

import { FIELDS } from "./fields.ts";

/**
 * A top-level name of a field path: a row of the field table.
 *
 * @example
 * ```ts
 * import type { FieldRoot } from "./field_path.ts";
 * const root: FieldRoot = "headers";
 * ```
 */
export type FieldRoot = keyof typeof FIELDS;

/**
 * One step below the root: an object key, an array index, or every element.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FieldStep, parseFieldPath } from "./field_path.ts";
 * const steps: readonly FieldStep[] = parseFieldPath("items[0].sku").steps;
 * assert.deepEqual(steps, [{ kind: "key", key: "items" }, { kind: "index", index: 0 }, { kind: "key", key: "sku" }]);
 * ```
 */
export type FieldStep =
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "all" };

/**
 * A parsed field path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FieldPath, parseFieldPath } from "./field_path.ts";
 * const path: FieldPath = parseFieldPath("items[*].sku");
 * assert.equal(path.root, "payload");
 * assert.equal(path.wildcard, true);
 * ```
 */
export interface FieldPath {
  /** The namespace. */
  readonly root: FieldRoot;
  /** Steps below the namespace. */
  readonly steps: readonly FieldStep[];
  /** True when a `[*]` step can select several values. */
  readonly wildcard: boolean;
  /** The path as written. */
  readonly source: string;
}

/**
 * Thrown by {@link parseFieldPath} with a message that names the mistake.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FieldPathSyntaxError, parseFieldPath } from "./field_path.ts";
 * assert.throws(() => parseFieldPath("a..b"), FieldPathSyntaxError);
 * ```
 */
export class FieldPathSyntaxError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "FieldPathSyntaxError";
  }
}

const ROOTS: ReadonlySet<string> = new Set(Object.keys(FIELDS));
const SEGMENT = /^([^.[\]]+)((?:\[(?:\d+|\*)\])*)$/;
const BRACKET = /\[(\d+|\*)\]/g;

/** What is wrong with a segment that is not `name`, `name[0]` or `name[*]`. */
function segmentProblem(segment: string): string {
  if (segment === "") return "an empty segment (two dots in a row, or a dot at the start or end)";
  if (segment.startsWith("[")) return `'${segment}' has no name before its brackets (write a[0])`;
  const bad = [...segment.matchAll(/\[([^\]]*)\]/g)].find((b) => !/^(\d+|\*)$/.test(b[1] ?? ""));
  if (bad) {
    return `'[${bad[1]}]' in '${segment}': brackets hold an index ([0]) or [*]; ` +
      `a key is a dot segment (a.${bad[1] || "key"})`;
  }
  return `'${segment}' has unbalanced or misplaced brackets`;
}

function parseSegment(segment: string, source: string): FieldStep[] {
  const m = SEGMENT.exec(segment);
  if (!m) {
    throw new FieldPathSyntaxError(`invalid field path '${source}': ${segmentProblem(segment)}`);
  }
  const steps: FieldStep[] = [{ kind: "key", key: m[1] as string }];
  for (const b of (m[2] ?? "").matchAll(BRACKET)) {
    steps.push(b[1] === "*" ? { kind: "all" } : { kind: "index", index: Number(b[1]) });
  }
  return steps;
}

/**
 * Parses a field path. Header names are lower-cased, since HTTP header names are
 * case-insensitive and actions carry them in lower case.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFieldPath } from "./field_path.ts";
 * const path = parseFieldPath("headers.X-Agent");
 * assert.equal(path.root, "headers");
 * assert.deepEqual(path.steps, [{ kind: "key", key: "x-agent" }]);
 * assert.equal(parseFieldPath("amount").root, "payload"); // a bare path reads the payload
 * ```
 */
export function parseFieldPath(source: string): FieldPath {
  if (source.trim() === "") throw new FieldPathSyntaxError("field path is empty");
  const steps = source.split(".").flatMap((s) => parseSegment(s, source));
  const first = steps[0] as FieldStep;
  const head = first.kind === "key" && ROOTS.has(first.key) ? first.key as FieldRoot : undefined;
  const root: FieldRoot = head ?? "payload";
  const rest = head ? steps.slice(1) : steps;
  const normalised = root === "headers"
    ? rest.map((s) => s.kind === "key" ? { kind: "key" as const, key: s.key.toLowerCase() } : s)
    : rest;
  return {
    root,
    steps: normalised,
    wildcard: normalised.some((s) => s.kind === "all"),
    source,
  };
}
