/**
 * Host patterns and CIDR ranges, compiled once into matchers. Parsing is the language's
 * (`config/cidr.ts`), so that what the validator accepts is exactly what the engine reads.
 */

import { type CidrRange, parseCidr, parseIp } from "../config/cidr.ts";

/** Reads a host out of a URL or a bare host (with or without port), lower-cased, no trailing dot. */
export function hostOf(value: string): string | undefined {
  const text = value.trim();
  if (text === "") return undefined;
  try {
    const url = new URL(text.includes("://") ? text : `http://${text}`);
    return normaliseHost(url.hostname);
  } catch {
    return undefined;
  }
}

/**
 * The form hosts are compared in: lower case, no trailing dot, no IPv6 brackets (URLs keep them,
 * actions do not).
 */
export function normaliseHost(host: string): string {
  const lower = host.toLowerCase().replace(/\.$/, "");
  return lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower;
}

/** Compiles host patterns (`api.example.com`, `*.example.com`) into one matcher. */
export function compileHostPatterns(patterns: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const p of patterns) {
    const lower = normaliseHost(p);
    if (lower.startsWith("*.")) suffixes.push(lower.slice(1));
    else exact.add(lower);
  }
  return (host) => exact.has(host) || suffixes.some((s) => host.endsWith(s));
}

/**
 * Reads an address for matching: brackets and an IPv6 zone are dropped, and an IPv4-mapped
 * IPv6 address (`::ffff:10.0.0.1`) reads as its IPv4 address, so that a range written in IPv4
 * also covers it.
 */
function addressBytes(text: string): Uint8Array | undefined {
  const bare = text.trim().replace(/^\[(.*)\]$/, "$1").split("%")[0] as string;
  const ip = parseIp(bare);
  return ip && (isMapped(ip.bytes) ? ip.bytes.slice(12) : ip.bytes);
}

function isMapped(b: Uint8Array): boolean {
  return b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff &&
    b[11] === 0xff;
}

/** A range written in IPv4-mapped form (`::ffff:10.0.0.0/104`) is read as its IPv4 range. */
function rangeOf(text: string): CidrRange | undefined {
  const r = parseCidr(text.trim());
  if (!r || !isMapped(r.bytes) || r.prefix < 96) return r;
  return { family: 4, bytes: r.bytes.slice(12), prefix: r.prefix - 96 };
}

function inRange(ip: Uint8Array, range: CidrRange): boolean {
  if (ip.length !== range.bytes.length) return false;
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (ip[i] !== range.bytes[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((ip[full] as number) & mask) === ((range.bytes[full] as number) & mask);
}

/** True when the text is an IP address. */
export function isIpAddress(text: string): boolean {
  return addressBytes(text) !== undefined;
}

/** Compiles CIDR ranges into a matcher over address text; a non-address matches nothing. */
export function compileCidrs(cidrs: readonly string[]): (address: string) => boolean {
  const ranges = cidrs.map(rangeOf).filter((r) => r !== undefined);
  return (address) => {
    const ip = addressBytes(address);
    return ip !== undefined && ranges.some((r) => inRange(ip, r));
  };
}
