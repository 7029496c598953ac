/**
 * How an entry is hashed and written. The hash is taken over the entry's canonical JSON without
 * `hash` — keys sorted, no whitespace, strings escaped as `JSON.stringify` does (Python:
 * `json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`) — with SHA-256, or
 * HMAC-SHA256 under the audit key. The line on disk is that same canonical JSON with `"hash"`
 * appended last, so a verifier can also check that nothing was re-encoded.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { canonicalJson } from "../trace/canonical_json.ts";
import type { AuditKey } from "./audit_key.ts";
import type { AuditEntry } from "./entry.ts";

/**
 * The two hash algorithms, as they prefix a hash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ChainAlgorithm, ChainHasher } from "./chain_hash.ts";
 * const algorithm: ChainAlgorithm = new ChainHasher(undefined).algorithm;
 * assert.equal(algorithm, "sha256"); // without a key; `hmac-sha256` with one
 * ```
 */
export type ChainAlgorithm = "sha256" | "hmac-sha256";

/**
 * The algorithm a hash names, or `undefined` for a value that is not a hash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { algorithmOf } from "./chain_hash.ts";
 * assert.equal(algorithmOf(`hmac-sha256:${"0".repeat(64)}`), "hmac-sha256");
 * assert.equal(algorithmOf("md5:00"), undefined);
 * ```
 */
export function algorithmOf(hash: unknown): ChainAlgorithm | undefined {
  if (typeof hash !== "string") return undefined;
  const m = /^(sha256|hmac-sha256):[0-9a-f]{64}$/.exec(hash);
  return m ? m[1] as ChainAlgorithm : undefined;
}

/**
 * Hashes entries and payloads, with or without a key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChainHasher } from "./chain_hash.ts";
 * const hasher = new ChainHasher(undefined); // no key: plain SHA-256
 * assert.equal(hasher.digest("text"), "sha256:982d9e3eb996f559e633f4d194def3761d909f5a3b647d1a851fead67c32c9d1");
 * ```
 */
export class ChainHasher {
  readonly #key: AuditKey | undefined;
  /** `hmac-sha256` with a key, else `sha256`. */
  readonly algorithm: ChainAlgorithm;

  /** A hasher for a chain written with `key` (or without one). */
  constructor(key: AuditKey | undefined) {
    this.#key = key;
    this.algorithm = key ? "hmac-sha256" : "sha256";
  }

  /** The key's id, or `null` without a key. */
  get keyId(): string | null {
    return this.#key?.id ?? null;
  }

  /** `<algorithm>:<hex>` of `text` (after `prefix`, when given). */
  digest(text: string, prefix = ""): string {
    const hex = this.#key
      ? this.#key.hmacHex(prefix + text)
      : createHash("sha256").update(prefix).update(text).digest("hex");
    return `${this.algorithm}:${hex}`;
  }

  /** The entry's line (with its newline) and hash. */
  line(fields: Omit<AuditEntry, "hash">): { line: string; hash: string } {
    const canonical = canonicalJson(fields);
    const hash = this.digest(canonical);
    return { line: `${lineOf(canonical, hash)}\n`, hash };
  }
}

/**
 * The line of an entry whose canonical JSON without `hash` is `canonical`: `hash` goes last.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineOf } from "./chain_hash.ts";
 * assert.equal(lineOf('{"kind":"stop","seq":3}', "sha256:ab"), '{"kind":"stop","seq":3,"hash":"sha256:ab"}');
 * ```
 */
export function lineOf(canonical: string, hash: string): string {
  return `${canonical.slice(0, -1)},"hash":${JSON.stringify(hash)}}`;
}
