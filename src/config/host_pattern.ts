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
 * isHostname("api.acme.internal"); // true
 * isHostname("-bad-.com"); // false
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
 * isHostPattern("*.example.com"); // true
 * isHostPattern("api.*.com"); // false
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
 * hostMatches("*.example.com", "a.example.com"); // true
 * hostMatches("*.example.com", "example.com"); // false
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
 * hostPatternCovers("*.example.com", "*.api.example.com"); // true
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
 * hostPatternsOverlap("*.example.com", "api.example.com"); // true
 * ```
 */
export function hostPatternsOverlap(a: string, b: string): boolean {
  return hostPatternCovers(a, b) || hostPatternCovers(b, a);
}
