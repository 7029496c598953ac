/**
 * Host patterns and CIDR ranges, parsed once into matchers.
 */

/** Reads a host out of a URL or a bare host (with or without port), lower-cased, no trailing dot. */
export function hostOf(value: string): string | undefined {
  const text = value.trim();
  if (text === "") return undefined;
  try {
    const url = new URL(text.includes("://") ? text : `http://${text}`);
    const host = url.hostname.toLowerCase().replace(/\.$/, "");
    return host.startsWith("[") ? host.slice(1, -1) : host;
  } catch {
    return undefined;
  }
}

/** Compiles host patterns (`api.example.com`, `*.example.com`) into one matcher. */
export function compileHostPatterns(patterns: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const p of patterns) {
    const lower = p.toLowerCase().replace(/\.$/, "");
    if (lower.startsWith("*.")) suffixes.push(lower.slice(1));
    else exact.add(lower);
  }
  return (host) => exact.has(host) || suffixes.some((s) => host.endsWith(s));
}

interface Range {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    bytes[i] = Number(p);
  }
  return bytes;
}

function parseIPv6Groups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups = text.split(":");
  const last = groups[groups.length - 1] as string;
  const tail: number[] = [];
  if (last.includes(".")) {
    const v4 = parseIPv4(last);
    if (!v4) return undefined;
    groups.pop();
    tail.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
  }
  const out: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.push(parseInt(g, 16));
  }
  return [...out, ...tail];
}

function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = parseIPv6Groups(halves[0] as string);
  const tail = halves.length === 2 ? parseIPv6Groups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/**
 * Parses an IP address; an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) reads as its IPv4
 * address, so that a range written in IPv4 also covers it.
 */
export function parseIp(text: string): Uint8Array | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v4 = parseIPv4(bare);
  if (v4) return v4;
  const v6 = parseIPv6(bare.split("%")[0] as string);
  if (v6 && v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) {
    return v6.slice(12);
  }
  return v6;
}

/** Parses `10.0.0.0/8`, `fd00::/8` or a bare address; `undefined` when invalid. */
export function parseCidr(text: string): Range | undefined {
  const [addr, bits, extra] = text.trim().split("/");
  if (extra !== undefined || addr === undefined) return undefined;
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  const prefix = bits === undefined ? max : /^\d+$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { bytes, prefix };
}

function inRange(ip: Uint8Array, range: Range): boolean {
  if (ip.length !== range.bytes.length) return false;
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (ip[i] !== range.bytes[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((ip[full] as number) & mask) === ((range.bytes[full] as number) & mask);
}

/** Compiles CIDR ranges into a matcher over address text; a non-address matches nothing. */
export function compileCidrs(cidrs: readonly string[]): (address: string) => boolean {
  const ranges = cidrs.map((c) => parseCidr(c)).filter((r): r is Range => r !== undefined);
  return (address) => {
    const ip = parseIp(address.trim());
    return ip !== undefined && ranges.some((r) => inRange(ip, r));
  };
}
