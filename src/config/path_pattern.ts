/**
 * Path patterns of rules and mocks: literal segments, `{param}` segments, and (in rules) a final
 * `**` that stands for any remaining segments, none included.
 *
 * @module
 */

import { MirageError } from "../errors.ts";

/**
 * One segment of a path pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePathPattern, type PathSegment } from "./path_pattern.ts";
 * const segments: readonly PathSegment[] = parsePathPattern("/v1/{id}/**").segments;
 * assert.deepEqual(segments, [{ kind: "literal", value: "v1" }, { kind: "param", name: "id" }, { kind: "rest" }]);
 * ```
 */
export type PathSegment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "rest" };

/**
 * A parsed path pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePathPattern } from "./path_pattern.ts";
 * assert.deepEqual(parsePathPattern("/v1/orders/{id}").segments[2], { kind: "param", name: "id" });
 * ```
 */
export interface PathPattern {
  /** The pattern as written. */
  readonly source: string;
  /** Segments after the leading `/` (the root `/` has one empty literal segment). */
  readonly segments: readonly PathSegment[];
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const FORBIDDEN = /[{}*?#\s]/;

function invalid(source: string, why: string): MirageError {
  return new MirageError("path_pattern_invalid", `invalid path '${source}': ${why}`);
}

function parseSegment(
  text: string,
  last: boolean,
  allowRest: boolean,
  source: string,
): PathSegment {
  if (text === "**") {
    if (!allowRest) throw invalid(source, "'**' is only allowed in policy paths");
    if (!last) throw invalid(source, "'**' is only allowed as the final segment");
    return { kind: "rest" };
  }
  const param = PARAM.exec(text);
  if (param) return { kind: "param", name: param[1] as string };
  if (text === "" && !last) throw invalid(source, "empty segment ('//')");
  if (FORBIDDEN.test(text)) {
    throw invalid(source, `segment '${text}' must be literal text or a {name} parameter`);
  }
  return { kind: "literal", value: text };
}

/**
 * Parses a path pattern; throws a {@link MirageError} (`path_pattern_invalid`) naming the mistake.
 * `allowRest` permits a final `/**` (policies); mocks declare concrete routes and do not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePathPattern } from "./path_pattern.ts";
 * assert.deepEqual(parsePathPattern("/v1/files/**").segments.at(-1), { kind: "rest" });
 * ```
 */
export function parsePathPattern(source: string, allowRest = true): PathPattern {
  if (!source.startsWith("/")) throw invalid(source, "must start with '/'");
  const texts = source.slice(1).split("/");
  const segments = texts.map((t, i) => parseSegment(t, i === texts.length - 1, allowRest, source));
  const names = segments.flatMap((s) => s.kind === "param" ? [s.name] : []);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) throw invalid(source, `parameter '{${repeated}}' appears twice`);
  return { source, segments };
}

function isRest(s: PathSegment | undefined): boolean {
  return s?.kind === "rest";
}

/**
 * Whether some concrete path matches both patterns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePathPattern, patternsOverlap } from "./path_pattern.ts";
 * assert.equal(patternsOverlap(parsePathPattern("/v1/**"), parsePathPattern("/v1/orders/{id}")), true);
 * ```
 */
export function patternsOverlap(a: PathPattern, b: PathPattern): boolean {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if (isRest(x) || isRest(y)) return true;
    if (x === undefined || y === undefined) return false;
    if (x.kind === "literal" && y.kind === "literal" && x.value !== y.value) return false;
  }
  return true;
}

/**
 * Whether every concrete path that `inner` matches is also matched by `outer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePathPattern, patternCovers } from "./path_pattern.ts";
 * assert.equal(patternCovers(parsePathPattern("/v1/{id}"), parsePathPattern("/v1/42")), true);
 * assert.equal(patternCovers(parsePathPattern("/v1/42"), parsePathPattern("/v1/{id}")), false);
 * ```
 */
export function patternCovers(outer: PathPattern, inner: PathPattern): boolean {
  const n = Math.max(outer.segments.length, inner.segments.length);
  for (let i = 0; i < n; i++) {
    const x = outer.segments[i];
    const y = inner.segments[i];
    if (isRest(x)) return true;
    if (x === undefined || y === undefined || isRest(y)) return false;
    if (x.kind === "literal" && (y.kind !== "literal" || x.value !== y.value)) return false;
  }
  return true;
}
