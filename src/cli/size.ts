/**
 * Byte sizes as people write them on a command line: `1000`, `512KiB`, `1MiB`, `2MB`.
 *
 * @module
 */

import { MirageError } from "../errors.ts";

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i;

/**
 * Parses a size into bytes. Decimal units (`KB`, `MB`) are powers of 1000, binary units
 * (`KiB`, `MiB`) powers of 1024. Throws a {@link MirageError} `invalid_size` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSize } from "./size.ts";
 * assert.equal(parseSize("1MiB"), 1_048_576);
 * assert.equal(parseSize("1MB"), 1_000_000);
 * ```
 */
export function parseSize(text: string): number {
  const m = SIZE.exec(text);
  const factor = m ? UNITS[(m[2] as string).toLowerCase()] : undefined;
  if (!m || factor === undefined) {
    throw new MirageError("invalid_size", `not a size: '${text}' (use e.g. 1000, 512KiB, 1MiB)`);
  }
  const bytes = Math.floor(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes)) {
    throw new MirageError("invalid_size", `size too large: '${text}'`);
  }
  return bytes;
}
