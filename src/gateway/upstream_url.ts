/**
 * Where a request goes upstream, and what the policies decide on: the upstream's origin and
 * base path, then the client's path and query. Rules read the path the client sent — the base
 * path is a deployment detail.
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import { type UpstreamOrigin, upstreamOrigin } from "./upstream_client.ts";

/**
 * Where a request is forwarded: the upstream's origin, and the path and query to ask for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ForwardTarget, Upstream } from "./upstream_url.ts";
 * const target: ForwardTarget = new Upstream(new URL("http://127.0.0.1:9000/api"))
 *   .urls(new URL("http://gw.test/v1/bids?page=2")).target;
 * assert.equal(target.path, "/api/v1/bids?page=2");
 * assert.equal(target.origin.host, "127.0.0.1:9000");
 * ```
 */
export interface ForwardTarget {
  /** The upstream's origin, as the client connects to it. */
  readonly origin: UpstreamOrigin;
  /** Path and query, the upstream's base path first. */
  readonly path: string;
}

/**
 * What one parse of a request's URL gives: where it goes, and what the policies decide on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type RequestUrls, Upstream } from "./upstream_url.ts";
 * const urls: RequestUrls = new Upstream(new URL("http://api.test/base/")).urls(new URL("http://gw/v1/x?a=1"));
 * // Rules read the client's path; the base path is a deployment detail.
 * assert.equal(urls.decided.href, "http://api.test/v1/x?a=1");
 * assert.equal(urls.target.path, "/base/v1/x?a=1");
 * ```
 */
export interface RequestUrls {
  /** Where it goes. */
  readonly target: ForwardTarget;
  /** The upstream's origin with the request's own path and query (no base path). */
  readonly decided: URL;
}

function basePath(upstream: URL): string {
  return upstream.pathname.replace(/\/+$/, "");
}

/**
 * The URL a request goes to: the upstream's origin and base path, then the request's path and
 * query. Built as text so that a path starting with `//` cannot name another host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { upstreamUrl } from "./upstream_url.ts";
 * assert.equal(upstreamUrl(new URL("http://api.test/base/"), new URL("http://gw/v1/x?a=1")).href, "http://api.test/base/v1/x?a=1");
 * // A path starting with `//` stays a path.
 * assert.equal(upstreamUrl(new URL("http://api.test"), new URL("http://gw//evil.test/x")).host, "api.test");
 * ```
 */
export function upstreamUrl(upstream: URL, requestUrl: URL): URL {
  return new URL(
    `${upstream.origin}${basePath(upstream)}${requestUrl.pathname}${requestUrl.search}`,
  );
}

/**
 * One upstream: what every request to it shares, worked out once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Upstream } from "./upstream_url.ts";
 * const up = new Upstream(new URL("http://api.test/base"));
 * const { target, decided } = up.urls(new URL("http://gw/v1/x"));
 * assert.deepEqual([target.path, decided.pathname], ["/base/v1/x", "/v1/x"]);
 * assert.throws(() => new Upstream(new URL("http://user:pw@api.test")), /credentials/);
 * ```
 */
export class Upstream {
  /** The URL as configured. */
  readonly url: URL;
  /** Its origin, as the upstream client takes it. */
  readonly origin: UpstreamOrigin;
  /** The base path without trailing slashes; "" when there is none. */
  readonly #base: string;

  /**
   * An upstream at `url` (an origin, optionally with a base path). A URL with credentials is
   * refused: requests are built from the origin, so they would be dropped, and they would show in
   * logs and health.
   */
  constructor(url: URL) {
    if (url.username || url.password) {
      throw new MirageError(
        "invalid_option",
        "an upstream URL cannot carry credentials (user:password@): they would be dropped",
      );
    }
    this.url = url;
    this.origin = upstreamOrigin(url);
    this.#base = basePath(url);
  }

  /**
   * Where a request goes and what the policies decide on. Without a base path they are the same
   * text, so one parse serves both.
   */
  urls(requestUrl: URL): RequestUrls {
    const decided = new URL(`${this.url.origin}${requestUrl.pathname}${requestUrl.search}`);
    const target = this.#base === "" ? decided : upstreamUrl(this.url, requestUrl);
    return { target: { origin: this.origin, path: `${target.pathname}${target.search}` }, decided };
  }
}
