/**
 * How a value an action read becomes part of a state key or a prior-action member: a digest of
 * its canonical JSON, never the value itself, so that a store (a Redis that persists, a
 * `MONITOR`, a key listing) holds no token, card number or address a rule keyed on.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { isRecord } from "../is_record.ts";

/** Objects with their keys in one order, so that `{a, b}` and `{b, a}` are one value. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (!isRecord(value)) return value;
  const keys = Object.keys(value).sort();
  return Object.fromEntries(keys.map((k) => [k, value[k]]));
}

/**
 * A value's canonical JSON text: objects' keys sorted at every depth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalText } from "./state_value.ts";
 * assert.equal(canonicalText({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
 * ```
 */
export function canonicalText(value: unknown): string {
  return JSON.stringify(value, sortedKeys);
}

/**
 * The digest of a value: 128 bits of SHA-256 of its canonical JSON text, base64url. Equal
 * values give equal digests, however their objects' keys are ordered, so counts and marks keyed
 * on them behave as with the values; the value cannot be read back from the store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateValue } from "./state_value.ts";
 * const key = stateValue("Bearer sk-live-123");
 * assert.equal(key, stateValue("Bearer sk-live-123"));
 * assert.equal(key.length, 22);
 * assert.ok(!key.includes("sk-live"));
 * assert.equal(stateValue({ number: "4111", exp: "12/30" }), stateValue({ exp: "12/30", number: "4111" }));
 * ```
 */
export function stateValue(value: unknown): string {
  return textDigest(canonicalText(value));
}

/**
 * The digest of a canonical JSON text ({@link canonicalText}): what {@link stateValue} gives for
 * the value, for a caller that already holds the text (to remember digests by it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalText, stateValue, textDigest } from "./state_value.ts";
 * const value = ["S-1", { b: 2, a: 1 }];
 * assert.equal(textDigest(canonicalText(value)), stateValue(value));
 * ```
 */
export function textDigest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}
