/**
 * One line of an audit file, checked on its own: it is a JSON object, in canonical form, and
 * its `hash` is the hash of the rest — with the key when the line names HMAC.
 *
 * @module
 */

import { canonicalJson } from "../trace/canonical_json.ts";
import type { AuditKey } from "./audit_key.ts";
import { algorithmOf, type ChainAlgorithm, ChainHasher, lineOf } from "./chain_hash.ts";

/**
 * An entry as read: any fields, for the checks to look at.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineChecker, type ReadEntry } from "./line_check.ts";
 * const entry: ReadEntry | undefined = new LineChecker(undefined).check('{"seq":1}').entry;
 * assert.equal(entry?.seq, 1); // read, though its hash is missing
 * ```
 */
export type ReadEntry = Readonly<Record<string, unknown>>;

/**
 * A line, checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CheckedLine, LineChecker } from "./line_check.ts";
 * const checked: CheckedLine = new LineChecker(undefined).check("not json");
 * assert.deepEqual(checked, { entry: undefined, algorithm: undefined, intact: false, problem: "it is not JSON" });
 * ```
 */
export interface CheckedLine {
  /** The parsed object; `undefined` when the line is not a JSON object. */
  readonly entry: ReadEntry | undefined;
  /** The algorithm its hash names, if it names one. */
  readonly algorithm: ChainAlgorithm | undefined;
  /** True when the hash matches the content and the line is in canonical form. */
  readonly intact: boolean;
  /** Why it is not intact. */
  readonly problem?: string;
}

function parseObject(line: string): ReadEntry | undefined {
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks hashes of lines written with `key` (or without one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChainHasher } from "./chain_hash.ts";
 * import { LineChecker } from "./line_check.ts";
 * const { line } = new ChainHasher(undefined).line({
 *   seq: 1, time: "2026-12-01T00:00:00.000Z", kind: "stop", policies_digest: null, prev: null,
 * });
 * const checker = new LineChecker(undefined);
 * assert.equal(checker.check(line.trimEnd()).intact, true);
 * const edited = checker.check(line.trimEnd().replace('"seq":1', '"seq":2'));
 * assert.equal(edited.problem, "its hash does not match its content");
 * ```
 */
export class LineChecker {
  readonly #keyed: ChainHasher | undefined;
  readonly #plain = new ChainHasher(undefined);

  /** A checker that can verify HMAC lines when given the key. */
  constructor(key: AuditKey | undefined) {
    this.#keyed = key ? new ChainHasher(key) : undefined;
  }

  /** Checks one line. */
  check(line: string): CheckedLine {
    const entry = parseObject(line);
    if (!entry) return { entry, algorithm: undefined, intact: false, problem: "it is not JSON" };
    const { hash, ...rest } = entry;
    const algorithm = algorithmOf(hash);
    if (!algorithm) return { entry, algorithm, intact: false, problem: "it has no valid hash" };
    const hasher = algorithm === "sha256" ? this.#plain : this.#keyed;
    if (!hasher) return { entry, algorithm, intact: false, problem: "it needs the key" };
    const canonical = canonicalJson(rest);
    if (hasher.digest(canonical) !== hash) {
      return { entry, algorithm, intact: false, problem: "its hash does not match its content" };
    }
    if (lineOf(canonical, hash as string) !== line) {
      return { entry, algorithm, intact: false, problem: "it is not in canonical form" };
    }
    return { entry, algorithm, intact: true };
  }
}
