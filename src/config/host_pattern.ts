/**
 * Host patterns of rules, mocks and the `host_in` operators: an exact host name (or IP literal),
 * or `*.suffix`, which matches any host below the suffix but not the suffix itself.
 *
 * @module
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;

/**
 * Whether `text` is a host name: dot-separated labels of letters, digits and hyphens (an IPv4
 * address is one), or a bracketed IPv6 literal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isHostname } from "./host_pattern.ts";
 * assert.equal(isHostname("api.acme.internal"), true);
 * assert.equal(isHostname("-bad-.com"), false);
 * ```
 */
export function isHostname(text: string): boolean {
  const host = text.toLowerCase();
  if (IPV6_LITERAL.test(host)) return true;
  if (host.length === 0 || host.length > 253) return false;
  return host.split(".").every((label) => LABEL.test(label));
}

/**
 * Whether `text` is a host pattern: a host name, or `*.` followed by a host name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isHostPattern } from "./host_pattern.ts";
 * assert.equal(isHostPattern("*.example.com"), true);
 * assert.equal(isHostPattern("api.*.com"), false);
 * ```
 */
export function isHostPattern(text: string): boolean {
  return isHostname(text.startsWith("*.") ? text.slice(2) : text);
}

/** The suffix of a wildcard pattern (`*.example.com` → `.example.com`), or undefined. */
function wildcardSuffix(pattern: string): string | undefined {
  return pattern.startsWith("*.") ? pattern.slice(1).toLowerCase() : undefined;
}

/**
 * Whether a concrete host matches a host pattern (case-insensitively).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostMatches } from "./host_pattern.ts";
 * assert.equal(hostMatches("*.example.com", "a.example.com"), true);
 * assert.equal(hostMatches("*.example.com", "example.com"), false);
 * ```
 */
export function hostMatches(pattern: string, host: string): boolean {
  const suffix = wildcardSuffix(pattern);
  const h = host.toLowerCase();
  return suffix === undefined ? h === pattern.toLowerCase() : h.endsWith(suffix);
}

/**
 * Whether every host that `inner` matches is also matched by `outer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostPatternCovers } from "./host_pattern.ts";
 * assert.equal(hostPatternCovers("*.example.com", "*.api.example.com"), true);
 * ```
 */
export function hostPatternCovers(outer: string, inner: string): boolean {
  const outerSuffix = wildcardSuffix(outer);
  const innerSuffix = wildcardSuffix(inner);
  if (innerSuffix === undefined) return hostMatches(outer, inner);
  return outerSuffix !== undefined && innerSuffix.endsWith(outerSuffix);
}

/**
 * Whether some concrete host matches both patterns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostPatternsOverlap } from "./host_pattern.ts";
 * assert.equal(hostPatternsOverlap("*.example.com", "api.example.com"), true);
 * ```
 */
export function hostPatternsOverlap(a: string, b: string): boolean {
  return hostPatternCovers(a, b) || hostPatternCovers(b, a);
}
