/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, so a proxy drops them in both
 * directions, together with every header the `Connection` header names.
 *
 * @module
 */

const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The lower-case names a `Connection` header value lists. */
export function connectionTokens(value: string | null | undefined): Set<string> {
  const out = new Set<string>();
  for (const token of (value ?? "").split(",")) {
    const name = token.trim().toLowerCase();
    if (name) out.add(name);
  }
  return out;
}

function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

/** The last `Connection` value asked about and its filter: upstreams answer the same one. */
let lastConnection: string | undefined;
let lastFilter: (name: string) => boolean = isHopByHop;

/**
 * A test for headers that must not cross the proxy: the fixed hop-by-hop list plus the names in
 * this message's `Connection` header.
 */
export function hopByHopFilter(connection: string | null | undefined): (name: string) => boolean {
  if (!connection) return isHopByHop;
  if (connection === lastConnection) return lastFilter;
  const named = connectionTokens(connection);
  for (const name of HOP_BY_HOP) named.delete(name);
  const filter = named.size === 0 ? isHopByHop : (name: string) => {
    const lower = name.toLowerCase();
    return HOP_BY_HOP.has(lower) || named.has(lower);
  };
  lastConnection = connection;
  lastFilter = filter;
  return filter;
}
