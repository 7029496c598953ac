/**
 * Host patterns and CIDR ranges, compiled once into matchers. Parsing is the language's
 * (`config/cidr.ts`), so that what the validator accepts is exactly what the engine reads.
 */

import { type CidrRange, parseCidr, parseIp } from "../config/cidr.ts";

/**
 * What a URL or a bare host (with or without port) names: its host — lower-cased, no trailing
 * dot, no IPv6 brackets — or, where URL parsers would read different hosts out of it, why no
 * one host can be known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HostReading } from "./network.ts";
 * const readings: HostReading[] = [
 *   { host: "hooks.slack.com" },
 *   { ambiguous: "a backslash in its authority" },
 * ];
 * assert.deepEqual(readings.map((r) => "host" in r), [true, false]);
 * ```
 */
export type HostReading = { readonly host: string } | { readonly ambiguous: string };

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
/** What follows `host:` in a bare host with a port (`api.test:8443/x`), not a scheme's rest. */
const PORT_ONLY = /^(?:[0-9]+(?:[/?#]|$)|$)/;
const CONTROL_OR_SPACE = /[\p{Cc}\s]/u;
const NON_ASCII = /\P{ASCII}/u;

/** The RFC 3986 authority of what follows `//`: up to the first `/`, `?` or `#`. */
function authorityOf(rest: string): string {
  const end = rest.search(/[/?#]/);
  return end === -1 ? rest : rest.slice(0, end);
}

/** The host of an authority as RFC 3986 parsers split it (Python's urlsplit, Go's url.Parse). */
function rfcHost(authority: string): string {
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  if (hostPort.startsWith("[")) return hostPort.slice(0, hostPort.indexOf("]") + 1);
  const colon = hostPort.indexOf(":");
  return colon === -1 ? hostPort : hostPort.slice(0, colon);
}

/** A host as the WHATWG URL parser reads it, normalised; undefined when it reads none. */
function whatwgHost(url: string): string | undefined {
  try {
    const host = normaliseHost(new URL(url).hostname);
    return host === "" ? undefined : host;
  } catch {
    return undefined;
  }
}

/** Why an authority reads differently in different parsers, or undefined when it does not. */
function authorityProblem(authority: string): string | undefined {
  if (authority.includes("\\")) return "a backslash in its authority";
  if (CONTROL_OR_SPACE.test(authority)) return "a control character or space in its authority";
  if (authority.indexOf("@") !== authority.lastIndexOf("@")) {
    return "more than one '@' in its authority";
  }
  if (
    NON_ASCII.test(authority) && delimiters(authority.normalize("NFKC")) !== delimiters(authority)
  ) {
    return "a character in its authority that Unicode NFKC turns into a delimiter";
  }
  return undefined;
}

/** The URL delimiters of a text, in order: what NFKC (`／` → `/`, `＠` → `@`) must not change. */
function delimiters(text: string): string {
  return text.replace(/[^/?#@:\\[\]]/g, "");
}

/**
 * Reads the host of a URL or a bare host. WHATWG parsers (browsers, `fetch`, Deno, Node) and
 * RFC 3986 parsers (Python's `urlsplit`, Go's `url.Parse`) disagree on some URLs —
 * `https://hooks.slack.com\@evil.com/x` is `hooks.slack.com` to the first, `evil.com` to Python
 * — and a rule cannot know which one the upstream uses: such a URL is `ambiguous`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readHost } from "./network.ts";
 * assert.deepEqual(readHost("https://API.test./v1?q=1"), { host: "api.test" });
 * assert.deepEqual(readHost("api.test:8443"), { host: "api.test" });
 * assert.deepEqual(readHost("https://hooks.slack.com\\@evil.com/x"), {
 *   ambiguous: "a backslash in its authority",
 * });
 * assert.equal(readHost("not a url"), undefined);
 * ```
 */
export function readHost(value: string): HostReading | undefined {
  const text = value.trim();
  if (text === "") return undefined;
  const scheme = SCHEME.exec(text)?.[0];
  const isUrl = scheme !== undefined && !PORT_ONLY.test(text.slice(scheme.length));
  const rest = isUrl ? text.slice(scheme.length) : text.replace(/^\/\//, "");
  const whatwg = whatwgHost(isUrl ? text : `http://${rest}`);
  if (isUrl && !rest.startsWith("//")) {
    return whatwg === undefined ? undefined : { ambiguous: "a host without '//' before it" };
  }
  // A bare text no parser reads as a host is no host, whatever it holds ("not a url").
  if (whatwg === undefined && !isUrl && !text.startsWith("//")) return undefined;
  const authority = authorityOf(isUrl ? rest.slice(2) : rest);
  const problem = authorityProblem(authority);
  if (problem !== undefined) return { ambiguous: problem };
  if (whatwg === undefined) return undefined;
  const other = rfcHost(authority);
  if (normaliseHost(other) !== whatwg && whatwgHost(`http://${other}`) !== whatwg) {
    return { ambiguous: "its host reads differently in WHATWG and RFC 3986 parsers" };
  }
  return { host: whatwg };
}

/**
 * The form hosts are compared in: lower case, no trailing dot, no IPv6 brackets (URLs keep them,
 * actions do not).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normaliseHost } from "./network.ts";
 * assert.equal(normaliseHost("API.Example.COM."), "api.example.com");
 * assert.equal(normaliseHost("[::1]"), "::1");
 * ```
 */
export function normaliseHost(host: string): string {
  const lower = host.toLowerCase().replace(/\.$/, "");
  return lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower;
}

/**
 * Compiles host patterns (`api.example.com`, `*.example.com`) into one matcher.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileHostPatterns } from "./network.ts";
 * const allowed = compileHostPatterns(["api.example.com", "*.slack.com"]);
 * assert.equal(allowed("api.example.com"), true);
 * assert.equal(allowed("hooks.slack.com"), true);
 * assert.equal(allowed("slack.com.evil.test"), false);
 * ```
 */
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

/**
 * True when the text is an IP address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIpAddress } from "./network.ts";
 * assert.equal(isIpAddress("10.0.0.1"), true);
 * assert.equal(isIpAddress("[::1]"), true);
 * assert.equal(isIpAddress("api.example.com"), false);
 * ```
 */
export function isIpAddress(text: string): boolean {
  return addressBytes(text) !== undefined;
}

/**
 * Compiles CIDR ranges into a matcher over address text; a non-address matches nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileCidrs } from "./network.ts";
 * const internal = compileCidrs(["10.0.0.0/8", "fd00::/8"]);
 * assert.equal(internal("10.1.2.3"), true);
 * assert.equal(internal("::ffff:10.1.2.3"), true);
 * assert.equal(internal("fd12::1"), true);
 * assert.equal(internal("8.8.8.8"), false);
 * assert.equal(internal("intranet.test"), false);
 * ```
 */
export function compileCidrs(cidrs: readonly string[]): (address: string) => boolean {
  const ranges = cidrs.map(rangeOf).filter((r) => r !== undefined);
  return (address) => {
    const ip = addressBytes(address);
    return ip !== undefined && ranges.some((r) => inRange(ip, r));
  };
}
