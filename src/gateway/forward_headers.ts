/**
 * The headers of a forwarded exchange: what goes upstream (end-to-end headers, the upstream's
 * host, `x-forwarded-*`, no `x-mirage-*`) and what comes back (everything but hop-by-hop).
 *
 * @module
 */

import { HopByHopFilters } from "./hop_by_hop.ts";
import type { UpstreamResponse } from "./upstream_client.ts";

/**
 * What the gateway adds and removes on the way up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ForwardedFor, upstreamHeaderRecord } from "./forward_headers.ts";
 * const via: ForwardedFor = { clientIp: "10.0.0.7", proto: "https" };
 * const h = upstreamHeaderRecord({ host: "gw.test", "x-forwarded-for": "192.0.2.1" }, "api.test", via, 0);
 * assert.equal(h["x-forwarded-for"], "192.0.2.1, 10.0.0.7");
 * assert.equal(h["x-forwarded-proto"], "https");
 * ```
 */
export interface ForwardedFor {
  /** The client's address, appended to `x-forwarded-for`. */
  readonly clientIp: string;
  /** The scheme the client used to reach the gateway. */
  readonly proto: string;
}

/**
 * The headers sent upstream, from the request's headers by name (as `Headers.forEach` gives
 * them): end-to-end ones, no `x-mirage-*`, the upstream's host, `x-forwarded-*`; in name order,
 * as `Headers` would list them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { upstreamHeaderRecord } from "./forward_headers.ts";
 * const h = upstreamHeaderRecord({ host: "gw", "x-mirage-run-id": "r" }, "api.test", { clientIp: "::1", proto: "https" }, 0);
 * assert.deepEqual([h.host, h["x-forwarded-host"], h["x-mirage-run-id"]], ["api.test", "gw", undefined]);
 * ```
 */
export function upstreamHeaderRecord(
  incoming: Readonly<Record<string, string>>,
  host: string,
  via: ForwardedFor,
  bodyLength: number | undefined,
  filters: HopByHopFilters = new HopByHopFilters(),
): Record<string, string> {
  const drop = filters.of(incoming["connection"]);
  const clientHost = incoming["host"];
  const names: string[] = [];
  for (const name in incoming) {
    if (drop(name) || name.startsWith("x-mirage-") || name === "host") continue;
    if (name === "content-length" && bodyLength !== undefined) continue;
    // Set below whatever the client sent (x-forwarded-host only when the client named a host).
    if (name === "x-forwarded-for" || name === "x-forwarded-proto") continue;
    if (name === "x-forwarded-host" && clientHost) continue;
    names.push(name);
  }
  if (bodyLength !== undefined) names.push("content-length");
  names.push("host", "x-forwarded-for", "x-forwarded-proto");
  if (clientHost) names.push("x-forwarded-host");
  names.sort();
  const prior = incoming["x-forwarded-for"];
  const out: Record<string, string> = {};
  for (const name of names) {
    switch (name) {
      case "content-length":
        out[name] = bodyLength === undefined ? incoming[name] as string : String(bodyLength);
        break;
      case "host":
        out[name] = host;
        break;
      case "x-forwarded-for":
        out[name] = prior ? `${prior}, ${via.clientIp}` : via.clientIp;
        break;
      case "x-forwarded-proto":
        out[name] = via.proto;
        break;
      case "x-forwarded-host":
        out[name] = clientHost || incoming[name] as string;
        break;
      default:
        out[name] = incoming[name] as string;
    }
  }
  return out;
}

/**
 * The headers sent upstream: end-to-end ones, no `x-mirage-*`, the upstream's host, `x-forwarded-*`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { upstreamHeaders } from "./forward_headers.ts";
 * const h = upstreamHeaders(new Headers({ connection: "x-hop", "x-hop": "1", accept: "*\/*" }), new URL("http://api.test"), { clientIp: "10.0.0.1", proto: "http" }, undefined);
 * assert.deepEqual([h.has("x-hop"), h.get("x-forwarded-for"), h.get("accept")], [false, "10.0.0.1", "*\/*"]);
 * ```
 */
export function upstreamHeaders(
  incoming: Headers,
  target: URL,
  via: ForwardedFor,
  bodyLength: number | undefined,
): Headers {
  const byName: Record<string, string> = {};
  incoming.forEach((value, name) => (byName[name] = value));
  return new Headers(upstreamHeaderRecord(byName, target.host, via, bodyLength));
}

/**
 * The upstream's response headers minus hop-by-hop ones; repeated names stay repeated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerHeaders } from "./forward_headers.ts";
 * const h = answerHeaders([["Set-Cookie", "a=1"], ["set-cookie", "b=2"], ["Keep-Alive", "timeout=5"]]);
 * assert.deepEqual(h.getSetCookie(), ["a=1", "b=2"]);
 * assert.equal(h.has("keep-alive"), false);
 * ```
 */
export function answerHeaders(
  upstream: UpstreamResponse["headers"],
  filters: HopByHopFilters = new HopByHopFilters(),
): Headers {
  let connection: string | undefined;
  for (const [name, value] of upstream) {
    if (name.toLowerCase() === "connection") {
      connection = connection === undefined ? value : `${connection},${value}`;
    }
  }
  const drop = filters.of(connection);
  const out = new Headers();
  for (const [name, value] of upstream) if (!drop(name)) out.append(name, value);
  return out;
}
