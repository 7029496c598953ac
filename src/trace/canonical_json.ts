/**
 * JSON with sorted keys, so that the same value always gives the same bytes.
 */

/**
 * A copy of `value` with object keys sorted at every depth and `undefined` members dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sortKeys } from "./canonical_json.ts";
 * const sorted = sortKeys({ b: 1, a: { d: undefined, c: [{ z: 1, y: 2 }] } });
 * assert.equal(JSON.stringify(sorted), '{"a":{"c":[{"y":2,"z":1}]},"b":1}');
 * ```
 */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/**
 * Serialises with keys sorted at every depth; `indent` as in `JSON.stringify`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./canonical_json.ts";
 * assert.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }));
 * assert.equal(canonicalJson({ b: 1, a: 2 }), '{"a":2,"b":1}');
 * assert.equal(canonicalJson({ a: 2 }, 2), '{\n  "a": 2\n}');
 * ```
 */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}
