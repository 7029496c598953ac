/**
 * The one test for "a plain mapping" that config, JSON-RPC and decide bodies all need: an
 * object that is neither `null` nor an array.
 *
 * @module
 */

/**
 * Whether `value` is a plain mapping (a JSON object).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRecord } from "./is_record.ts";
 * assert.equal(isRecord({ tool: "pay" }), true);
 * assert.equal(isRecord([1, 2]), false);
 * assert.equal(isRecord(null), false);
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
