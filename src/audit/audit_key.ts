/**
 * The audit key (`MIRAGE_AUDIT_KEY`): a secret that turns the hash chain into an HMAC chain, so
 * that someone who can write the files cannot recompute it. The secret is held in a private field
 * and never printed: not by `String()`, `JSON.stringify`, `Deno.inspect` or an error message.
 * Entries name the key only by its id, an HMAC of a fixed text, which says nothing about it.
 *
 * @module
 */

import { createHmac } from "node:crypto";
import { MirageError } from "../errors.ts";

/**
 * The environment variable the CLI reads the key from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AUDIT_KEY_ENV } from "./audit_key.ts";
 * assert.equal(AUDIT_KEY_ENV, "MIRAGE_AUDIT_KEY");
 * ```
 */
export const AUDIT_KEY_ENV = "MIRAGE_AUDIT_KEY";

/** Shorter secrets are refused: an HMAC key has to be guessed to be forged. */
const MIN_BYTES = 16;

const encoder = new TextEncoder();

/**
 * A secret for the audit chain's HMAC-SHA256.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditKey } from "./audit_key.ts";
 * const key = AuditKey.fromSecret("0123456789abcdef0123456789abcdef");
 * assert.match(key.id, /^[0-9a-f]{16}$/);
 * assert.equal(String(key), `[AuditKey ${key.id}]`); // never the secret
 * assert.equal(JSON.stringify({ key }), `{"key":"[AuditKey ${key.id}]"}`);
 * ```
 */
export class AuditKey {
  readonly #secret: Uint8Array;
  /** 16 hex digits that name the key in start entries, so that a wrong key is told apart. */
  readonly id: string;

  private constructor(secret: Uint8Array) {
    this.#secret = secret;
    this.id = this.hmacHex("mirage audit key id").slice(0, 16);
  }

  /**
   * A key from a secret of at least 16 bytes (UTF-8); throws `audit_key_invalid` otherwise. The
   * message never quotes the secret.
   */
  static fromSecret(secret: string): AuditKey {
    const bytes = encoder.encode(secret);
    if (bytes.length < MIN_BYTES) {
      throw new MirageError(
        "audit_key_invalid",
        `${AUDIT_KEY_ENV} must be at least ${MIN_BYTES} bytes (it has ${bytes.length}); ` +
          "use 32 random bytes, e.g. `openssl rand -hex 32`",
      );
    }
    return new AuditKey(bytes);
  }

  /** The key in `MIRAGE_AUDIT_KEY`, or `undefined` when it is unset or empty. */
  static fromEnv(): AuditKey | undefined {
    let secret: string | undefined;
    try {
      secret = Deno.env.get(AUDIT_KEY_ENV);
    } catch {
      return undefined;
    }
    return secret ? AuditKey.fromSecret(secret) : undefined;
  }

  /** Hex HMAC-SHA256 of `text` under this key. */
  hmacHex(text: string): string {
    return createHmac("sha256", this.#secret).update(text).digest("hex");
  }

  /** Names the key by its id only. */
  toString(): string {
    return `[AuditKey ${this.id}]`;
  }

  /** Names the key by its id only. */
  toJSON(): string {
    return this.toString();
  }

  /** Names the key by its id only. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }
}
