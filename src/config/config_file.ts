/**
 * Reading a configuration file from disk, the one way every loader does: a regular file, at most
 * {@link MAX_CONFIG_BYTES}, UTF-8. `/dev/zero`, a directory or a pipe is refused with its name,
 * never read without end; an invalid byte is reported at its line and column.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { ConfigError, MirageError } from "../errors.ts";

/**
 * The largest configuration file read: 10 MiB, far above any policy or mocks file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_CONFIG_BYTES } from "./config_file.ts";
 * assert.equal(MAX_CONFIG_BYTES, 10485760);
 * ```
 */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function notFound(noun: string, file: string, cause?: unknown): MirageError {
  return new MirageError("file_not_found", `${noun} file not found: ${file}`, { cause });
}

function tooLarge(noun: string, file: string): MirageError {
  return new MirageError(
    "file_too_large",
    `${noun} file ${file} is larger than ${
      MAX_CONFIG_BYTES / 1024 / 1024
    } MiB; is it the right file?`,
  );
}

/**
 * Checks that `file` is a regular file, before anything reads it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertRegularFile } from "./config_file.ts";
 * const info = await assertRegularFile("policies/procurement.yaml", "policies");
 * assert.equal(info.isFile, true);
 * await assert.rejects(assertRegularFile("policies", "policies"), {
 *   code: "file_not_regular",
 *   message: "policies file policies is a directory",
 * });
 * ```
 */
export async function assertRegularFile(file: string, noun: string): Promise<Deno.FileInfo> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw notFound(noun, file, e);
    throw new MirageError("file_unreadable", `cannot read ${noun} file ${file}: ${String(e)}`, {
      cause: e,
    });
  }
  if (!info.isFile) {
    const what = info.isDirectory ? "a directory" : "not a regular file (a device, pipe or socket)";
    throw new MirageError("file_not_regular", `${noun} file ${file} is ${what}`);
  }
  return info;
}

/** Reads at most `limit + 1` bytes: a file that grows, or whose size is not what stat says, stops there. */
async function readAtMost(file: string, limit: number): Promise<Uint8Array> {
  using handle = await Deno.open(file);
  const out = new Uint8Array(limit + 1);
  let at = 0;
  while (at < out.length) {
    const n = await handle.read(out.subarray(at));
    if (n === null) break;
    at += n;
  }
  return out.subarray(0, at);
}

/** The length of the UTF-8 sequence a lead byte starts, or 0 when it starts none. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The offset of the first byte that is not part of a valid UTF-8 sequence (RFC 3629 §4). */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const lead = b[i] as number;
    const n = sequenceLength(lead);
    if (n === 0) return i;
    // The second byte's range excludes overlong forms and surrogates.
    const lo = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const hi = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < n; k++) {
      const c = b[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n;
  }
  return i;
}

/** The error for a file that is not UTF-8: the first bad byte, at its line and column. */
function invalidUtf8(bytes: Uint8Array, file: string): ConfigError {
  const at = firstInvalidByte(bytes);
  const lines = new TextDecoder().decode(bytes.subarray(0, at)).split("\n");
  const col = [...(lines.at(-1) ?? "")].length + 1;
  const hex = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, "0");
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff);
  const hint = utf16 ? "the file looks like UTF-16: save it as UTF-8" : "save the file as UTF-8";
  return new ConfigError([{
    file,
    line: lines.length,
    col,
    message: `invalid UTF-8: byte 0x${hex} at offset ${at}; ${hint}`,
  }]);
}

/**
 * `sha256:<hex>` of a file's bytes or of a text's UTF-8: the digest an auditor recomputes with
 * `sha256sum` (docs/audit.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configDigest } from "./config_file.ts";
 * assert.equal(configDigest("policies: []\n"), "sha256:d7c801e1e51d5e2754b96acda71180afb3378b0e8350ca9a714d490c9f1fb7be");
 * ```
 */
export function configDigest(content: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(content).digest("hex")}`;
}

/**
 * A configuration file read once: its text, and the digest of exactly the bytes decoded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConfigText, readConfigFile } from "./config_file.ts";
 * const read: ConfigText = await readConfigFile("policies/procurement.yaml", "policies");
 * assert.match(read.digest, /^sha256:[0-9a-f]{64}$/);
 * ```
 */
export interface ConfigText {
  /** The file's text. */
  readonly text: string;
  /** {@link configDigest} of its bytes. */
  readonly digest: string;
}

/**
 * Reads a configuration file as text. Throws a `MirageError` (`file_not_found`,
 * `file_not_regular`, `file_too_large`, `file_unreadable`) naming the file, or a
 * `ConfigError` at the position of a byte that is not UTF-8.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configDigest, readConfigFile } from "./config_file.ts";
 * const { text, digest } = await readConfigFile("policies/procurement.yaml", "policies");
 * assert.match(text, /^policies:/m);
 * assert.equal(digest, configDigest(text)); // the digest of the bytes read
 * ```
 */
export async function readConfigFile(file: string, noun: string): Promise<ConfigText> {
  const info = await assertRegularFile(file, noun);
  if (info.size > MAX_CONFIG_BYTES) throw tooLarge(noun, file);
  let bytes: Uint8Array;
  try {
    bytes = await readAtMost(file, MAX_CONFIG_BYTES);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw notFound(noun, file, e);
    throw new MirageError("file_unreadable", `cannot read ${noun} file ${file}: ${String(e)}`, {
      cause: e,
    });
  }
  if (bytes.length > MAX_CONFIG_BYTES) throw tooLarge(noun, file);
  try {
    return { text: UTF8.decode(bytes), digest: configDigest(bytes) };
  } catch {
    throw invalidUtf8(bytes, file);
  }
}
