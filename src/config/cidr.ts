/**
 * IP addresses and CIDR ranges for the `cidr_in` / `cidr_not_in` operators.
 *
 * @module
 */

/**
 * A parsed IP address: 4 bytes (IPv4) or 16 bytes (IPv6).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIp } from "./cidr.ts";
 * assert.deepEqual(parseIp("10.0.0.1")?.bytes, new Uint8Array([10, 0, 0, 1]));
 * ```
 */
export interface IpAddress {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Network-order bytes. */
  readonly bytes: Uint8Array;
}

/**
 * A parsed CIDR range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCidr } from "./cidr.ts";
 * assert.equal(parseCidr("10.0.0.0/8")?.prefix, 8);
 * ```
 */
export interface CidrRange extends IpAddress {
  /** Prefix length in bits. */
  readonly prefix: number;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) {
    return undefined;
  }
  return Uint8Array.from(parts.map(Number));
}

/** Hextets of one side of `::`; an embedded IPv4 tail counts as two. */
function hextets(text: string, allowIpv4Tail: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const out: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (allowIpv4Tail && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (!v4) return undefined;
      out.push(
        ((v4[0] as number) << 8) | (v4[1] as number),
        ((v4[2] as number) << 8) | (v4[3] as number),
      );
    } else if (HEXTET.test(part)) out.push(parseInt(part, 16));
    else return undefined;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = hextets(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? hextets(halves[1] as string, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...Array(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

/**
 * Parses an IPv4 or IPv6 address (no zone, no brackets); `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIp } from "./cidr.ts";
 * assert.equal(parseIp("::1")?.family, 6);
 * assert.equal(parseIp("999.1.1.1"), undefined);
 * ```
 */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = text.includes(":") ? parseIpv6(text) : undefined;
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

/**
 * Parses `address/prefix`; a bare address is a single-host range (/32 or /128).
 * `undefined` when the text is not a valid range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCidr } from "./cidr.ts";
 * assert.equal(parseCidr("fd00::/8")?.prefix, 8);
 * assert.equal(parseCidr("10.0.0.0/33"), undefined);
 * ```
 */
export function parseCidr(text: string): CidrRange | undefined {
  const [address, prefixText, extra] = text.split("/");
  if (extra !== undefined || address === undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const bits = ip.bytes.length * 8;
  if (prefixText === undefined) return { ...ip, prefix: bits };
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) return undefined;
  return { ...ip, prefix: Number(prefixText) };
}
