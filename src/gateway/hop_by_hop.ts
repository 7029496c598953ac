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

/**
 * A test for headers that must not cross the proxy: the fixed hop-by-hop list plus the names in
 * this message's `Connection` header.
 */
export function hopByHopFilter(connection: string | null | undefined): (name: string) => boolean {
  const named = connectionTokens(connection);
  return (name) => {
    const lower = name.toLowerCase();
    return HOP_BY_HOP.has(lower) || named.has(lower);
  };
}
