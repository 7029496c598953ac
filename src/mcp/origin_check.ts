/**
 * The `Origin` check the MCP spec asks of a Streamable HTTP server (against DNS rebinding): a
 * request without `Origin` (not a browser) is accepted; one from a browser page is accepted
 * only when its origin is allowed — by default the loopback origins (`http(s)://localhost`,
 * `127.0.0.0/8`, `[::1]`, any port), else exactly the `--allow-origin` list (`*` allows any).
 *
 * @module
 */

import { isLoopback } from "../http/admin_guard.ts";

function loopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return host === "localhost" || isLoopback(host);
}

/** An origin as browsers send it: scheme, host and port, lower case, without a trailing `/`. */
function normalised(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin.trim().toLowerCase();
  }
}

/**
 * Which origins may talk to the MCP endpoint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OriginCheck } from "./origin_check.ts";
 * const loopback = new OriginCheck();
 * assert.equal(loopback.allows(null), true); // no Origin header: not a browser
 * assert.equal(loopback.allows("http://localhost:6274"), true);
 * assert.equal(loopback.allows("https://evil.example"), false);
 * const listed = new OriginCheck(["https://app.example"]);
 * assert.equal(listed.allows("https://app.example"), true);
 * assert.equal(listed.allows("http://localhost"), false);
 * ```
 */
export class OriginCheck {
  readonly #allowed: ReadonlySet<string> | undefined;
  readonly #any: boolean;

  /** Loopback origins by default; else exactly `allowed` (`*` for any). */
  constructor(allowed?: readonly string[]) {
    this.#allowed = allowed && allowed.length > 0 ? new Set(allowed.map(normalised)) : undefined;
    this.#any = allowed?.includes("*") ?? false;
  }

  /** Whether a request with this `Origin` header (or none) is accepted. */
  allows(origin: string | null): boolean {
    if (origin === null || this.#any) return true;
    return this.#allowed ? this.#allowed.has(normalised(origin)) : loopbackOrigin(origin);
  }
}
