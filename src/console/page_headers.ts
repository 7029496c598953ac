/**
 * What every console answer carries for the browser: a Content-Security-Policy that lets the
 * page run only its own stylesheet and live script (by hash: no inline code, no event-handler
 * attributes, nothing from elsewhere), no MIME sniffing, no referrer, no framing, no caching.
 * An exported page carries the same policy as a `<meta>` element.
 *
 * @module
 */

import { SCRIPT_HASH } from "./live_script.ts";
import { CSS_HASH } from "./styles.ts";

/**
 * The policy of served pages.
 *
 * @example
 * ```ts
 * import { SERVED_CSP } from "./page_headers.ts";
 * console.log(SERVED_CSP.startsWith("default-src 'none'")); // true
 * ```
 */
export const SERVED_CSP = [
  "default-src 'none'",
  `style-src ${CSS_HASH}`,
  `script-src ${SCRIPT_HASH}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The policy of exported pages: no script, no connection, no form.
 *
 * @example
 * ```ts
 * import { EXPORTED_CSP } from "./page_headers.ts";
 * console.log(EXPORTED_CSP.includes("script-src")); // false
 * ```
 */
export const EXPORTED_CSP = [
  "default-src 'none'",
  `style-src ${CSS_HASH}`,
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

/**
 * The headers of every console answer.
 *
 * @example
 * ```ts
 * import { pageHeaders } from "./page_headers.ts";
 * console.log(pageHeaders()["x-content-type-options"]); // nosniff
 * ```
 */
export function pageHeaders(): Record<string, string> {
  return {
    "content-security-policy": SERVED_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
  };
}
