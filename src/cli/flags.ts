/**
 * Flag values the server commands share: integers in a range, an upstream URL, and an
 * environment variable that may be unreadable (permissions).
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import { didYouMean } from "../config/suggest.ts";

/**
 * An environment variable's non-empty value; `undefined` when unset, empty or not readable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { env } from "./flags.ts";
 * const token = env("MIRAGE_ADMIN_TOKEN");
 * assert.equal(env("MIRAGE_NO_SUCH_VARIABLE"), undefined);
 * ```
 */
export function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Throws one `MirageError` code `usage` naming every flag of `names` that has no value, so a
 * bare `mirage gateway` lists all it needs at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireFlags } from "./flags.ts";
 * requireFlags({ mode: "enforce" }, ["mode"]);
 * assert.throws(() => requireFlags({}, ["upstream", "mode"]), {
 *   message: "--upstream and --mode are required",
 * });
 * ```
 */
export function requireFlags(values: Record<string, unknown>, names: readonly string[]): void {
  const missing = names.filter((name) => typeof values[name] !== "string").map((n) => `--${n}`);
  if (missing.length === 0) return;
  const list = missing.length === 1
    ? missing[0]
    : `${missing.slice(0, -1).join(", ")} and ${missing.at(-1)}`;
  throw new MirageError("usage", `${list} ${missing.length === 1 ? "is" : "are"} required`);
}

const MODES = ["enforce", "passthrough"] as const;

/**
 * A `--mode` value; throws `MirageError` code `usage`, with a suggestion, otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modeOf } from "./flags.ts";
 * assert.equal(modeOf("passthrough"), "passthrough");
 * assert.throws(() => modeOf("enforc"), {
 *   message: "--mode must be enforce or passthrough, got 'enforc' (did you mean 'enforce'?)",
 * });
 * ```
 */
export function modeOf(text: string | undefined): "enforce" | "passthrough" {
  if (text === "enforce" || text === "passthrough") return text;
  const got = text === undefined ? "" : `, got '${text}'${didYouMean(text, MODES)}`;
  throw new MirageError("usage", `--mode must be enforce or passthrough${got}`);
}

/**
 * A decimal integer flag from `min` to `max`; throws `MirageError` code `usage` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { integer } from "./flags.ts";
 * assert.equal(integer("8080", "port", 0, 65535), 8080);
 * assert.throws(() => integer("70000", "port", 0, 65535), {
 *   code: "usage",
 *   message: "--port must be an integer from 0 to 65535",
 * });
 * ```
 */
export function integer(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new MirageError("usage", `--${flag} must be an integer from ${min} to ${max}`);
  }
  return n;
}

/**
 * An `--upstream` URL: http(s), without query or fragment; throws `MirageError` code `usage`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { upstreamOf } from "./flags.ts";
 * assert.equal(upstreamOf("http://127.0.0.1:9000/base").pathname, "/base");
 * assert.throws(() => upstreamOf("http://127.0.0.1:9000/?a=1"), { code: "usage" });
 * assert.throws(() => upstreamOf("http://svc:pw@127.0.0.1:9000/"), /cannot carry credentials/);
 * ```
 */
export function upstreamOf(text: string | undefined): URL {
  if (text === undefined) throw new MirageError("usage", "--upstream is required");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MirageError(
      "usage",
      `--upstream is not a URL: ${text.replace(/\/\/[^/@]*@/, "//***@")}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new MirageError("usage", `--upstream must be http:// or https://, got ${url.protocol}`);
  }
  if (url.search || url.hash) {
    throw new MirageError("usage", "--upstream cannot carry a query or fragment");
  }
  if (url.username || url.password) {
    throw new MirageError(
      "usage",
      "--upstream cannot carry credentials (user:password@): Mirage forwards the client's own " +
        "headers and would drop them; give the upstream's credentials to the agent instead",
    );
  }
  return url;
}
