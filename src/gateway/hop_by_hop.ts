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

/**
 * A test for a header name: true when it must not cross the proxy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type HeaderFilter, HopByHopFilters } from "./hop_by_hop.ts";
 * const drop: HeaderFilter = new HopByHopFilters().of("x-trace");
 * assert.deepEqual(["X-Trace", "Upgrade", "accept"].filter(drop), ["X-Trace", "Upgrade"]);
 * ```
 */
export type HeaderFilter = (name: string) => boolean;

/**
 * The lower-case names a `Connection` header value lists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionTokens } from "./hop_by_hop.ts";
 * assert.deepEqual([...connectionTokens("keep-alive, X-Trace")], ["keep-alive", "x-trace"]);
 * assert.equal(connectionTokens(null).size, 0);
 * ```
 */
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

/**
 * Builds the filter of each message's `Connection` header, remembering the last one: an
 * upstream sends the same `Connection` value on every answer, so most messages reuse it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HopByHopFilters } from "./hop_by_hop.ts";
 * const filters = new HopByHopFilters();
 * const drop = filters.of("close, x-secret");
 * assert.deepEqual([drop("x-secret"), drop("transfer-encoding"), drop("content-type")], [true, true, false]);
 * assert.equal(filters.of("close, x-secret"), drop);
 * ```
 */
export class HopByHopFilters {
  #lastConnection: string | undefined;
  #lastFilter: HeaderFilter = isHopByHop;

  /** The filter for a message whose `Connection` header is `connection`. */
  of(connection: string | null | undefined): HeaderFilter {
    if (!connection) return isHopByHop;
    if (connection === this.#lastConnection) return this.#lastFilter;
    const named = connectionTokens(connection);
    for (const name of HOP_BY_HOP) named.delete(name);
    const filter = named.size === 0 ? isHopByHop : (name: string) => {
      const lower = name.toLowerCase();
      return HOP_BY_HOP.has(lower) || named.has(lower);
    };
    this.#lastConnection = connection;
    this.#lastFilter = filter;
    return filter;
  }
}
