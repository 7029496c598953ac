/**
 * How configuration values and node paths are spelt in error messages, so that every message
 * says "got string "x"" and "policies[0].operator" the same way.
 *
 * @module
 */

const MAX_SHOWN = 60;

function clip(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/**
 * A short description of a value for "got …": `string "x"`, `number 5`, `[5]`, `a mapping`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeValue } from "./messages.ts";
 * assert.equal(describeValue("x"), 'string "x"');
 * assert.equal(describeValue([5]), "[5]");
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `string ${clip(JSON.stringify(value))}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
  if (Array.isArray(value)) return clip(JSON.stringify(value) ?? "[…]");
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * A node path as a reader would write it: `policies[0].when.all[1]`, `match.payload["a.b"]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./messages.ts";
 * assert.equal(formatPath(["policies", 0, "operator"]), "policies[0].operator");
 * ```
 */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const step of path) {
    if (typeof step === "number") out += `[${step}]`;
    else if (PLAIN_KEY.test(step)) out += out === "" ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}
