/**
 * How a value an action read becomes part of a state key or a prior-action member: a digest,
 * never the value itself, so that a store (a Redis that persists, a `MONITOR`, a key listing)
 * holds no token, card number or address a rule keyed on.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * The digest of a value's canonical JSON text: 128 bits of SHA-256, base64url. Equal values give
 * equal digests, so counts and marks keyed on them behave as before; the value cannot be read
 * back from the store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateValue } from "./state_value.ts";
 * const key = stateValue(JSON.stringify("Bearer sk-live-123"));
 * assert.equal(key, stateValue(JSON.stringify("Bearer sk-live-123")));
 * assert.equal(key.length, 22);
 * assert.ok(!key.includes("sk-live"));
 * ```
 */
export function stateValue(json: string): string {
  return createHash("sha256").update(json).digest("base64url").slice(0, 22);
}
