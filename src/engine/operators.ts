/**
 * The stateless operators, compiled once per rule into predicates over one field value.
 * A value of the wrong type for its operator fails it (and its negation): rules fail closed.
 */

import { RE2JS } from "re2js";
import { type Canonical, canonicalOperator, type ValueOperator } from "../config/operators.ts";
import { compileCidrs, compileHostPatterns, isIpAddress, readHost } from "./network.ts";
import { passesLuhn } from "./checksum.ts";

/**
 * Where a predicate says why a value could not be compared at all (a URL whose host parsers
 * read differently), so that the decision can say so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePredicate, type PredicateNote } from "./operators.ts";
 * const note: PredicateNote = {};
 * const allowed = compilePredicate("host_in", ["hooks.slack.com"]);
 * assert.equal(allowed("https://hooks.slack.com\\@evil.com/x", note), false);
 * assert.equal(note.unreadable, "URL parsers read different hosts in it: a backslash in its authority");
 * ```
 */
export interface PredicateNote {
  /** Why the value could not be read; set only when the predicate fails for that reason. */
  unreadable?: string | undefined;
}

/**
 * A compiled operator: does the value satisfy it?
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePredicate, type Predicate } from "./operators.ts";
 * const euro: Predicate = compilePredicate("in", ["EUR", "CHF"]);
 * assert.equal(euro("EUR"), true);
 * assert.equal(euro("USD"), false);
 * ```
 */
export type Predicate = (actual: unknown, note?: PredicateNote) => boolean;

/**
 * What a comparison adds to its operator: a checksum the digits of a regex match must pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePredicate, type PredicateOptions } from "./operators.ts";
 * const options: PredicateOptions = { checksum: "luhn" };
 * const card = compilePredicate("regex_match", "[0-9]{4}( ?[0-9]{4}){3}", options);
 * assert.equal(card("card 4111 1111 1111 1111"), true);
 * assert.equal(card("ref 1234 5678 9012 3456"), false);
 * ```
 */
export interface PredicateOptions {
  /** Only matches whose digits pass this checksum count (regex operators). */
  readonly checksum?: "luhn";
}

/** JSON text of a value; the stable form the text operators read objects in. */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value) ?? "";
}

function isScalar(value: unknown): value is number | boolean {
  return typeof value === "number" || typeof value === "boolean";
}

/**
 * Query strings and headers only carry text, so a number or boolean equals its spelling —
 * whichever side the text is on.
 */
function equal(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (typeof actual === "string" && isScalar(expected)) return actual === String(expected);
  if (typeof expected === "string" && isScalar(actual)) return expected === String(actual);
  if (typeof actual === "object" && typeof expected === "object" && actual && expected) {
    return JSON.stringify(actual) === JSON.stringify(expected);
  }
  return false;
}

function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return NaN;
}

/** Orders a value against a bound; numbers (and numeric text) numerically, text as text. */
function ordered(bound: unknown, test: (diff: number) => boolean): Predicate {
  if (typeof bound === "string") {
    return (actual) =>
      typeof actual === "string" && test(actual < bound ? -1 : actual > bound ? 1 : 0);
  }
  const b = Number(bound);
  return (actual) => {
    const n = toNumber(actual);
    return !Number.isNaN(n) && test(n - b);
  };
}

function length(value: unknown): number {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === "object") return Object.keys(value).length;
  return NaN;
}

function contains(expected: unknown): Predicate {
  const needle = text(expected);
  return (actual) =>
    Array.isArray(actual) ? actual.some((v) => equal(v, expected)) : text(actual).includes(needle);
}

/** Below this many characters the DFA form of a pattern is the faster one (measured). */
const SHORT_TEXT = 128;

/**
 * A regex search, linear-time either way. re2js runs an anchored pattern on its one-pass engine
 * (~0.5 µs even on a few characters) and an unanchored one on its DFA (~0.07 µs, but scanning
 * the whole text). A leading `(?s:.*?)` cannot change whether a search finds a match, only
 * which engine runs it; so short texts take that form and long ones the original, which can
 * fail at the first character.
 */
function regex(pattern: unknown, options: PredicateOptions = {}): Predicate {
  const source = String(pattern);
  const original = RE2JS.compile(source);
  if (options.checksum === "luhn") return checkedRegex(original);
  const scanning = RE2JS.compile(`(?s:.*?)(?:${source})`);
  return (actual) => {
    const t = text(actual);
    return (t.length < SHORT_TEXT ? scanning : original).test(t);
  };
}

/** A search that counts only the matches whose digits pass the Luhn checksum. */
function checkedRegex(re: RE2JS): Predicate {
  return (actual) => {
    const m = re.matcher(text(actual));
    while (m.find()) {
      if (passesLuhn(m.group() ?? "")) return true;
    }
    return false;
  };
}

/**
 * `host_in` (`inside`) or `host_not_in`. A URL whose host parsers read differently fails both:
 * the host the upstream goes to cannot be known.
 */
function host(patterns: unknown, inside: boolean): Predicate {
  const match = compileHostPatterns((patterns as unknown[]).map(String));
  return (actual, note) => {
    const reading = typeof actual === "string" ? readHost(actual) : undefined;
    if (reading === undefined) return false;
    if ("ambiguous" in reading) {
      if (note) note.unreadable = `URL parsers read different hosts in it: ${reading.ambiguous}`;
      return false;
    }
    return match(reading.host) === inside;
  };
}

function cidr(ranges: unknown, inside: boolean): Predicate {
  const match = compileCidrs((ranges as unknown[]).map(String));
  return (actual) => typeof actual === "string" && isIpAddress(actual) && match(actual) === inside;
}

function not(p: Predicate): Predicate {
  return (actual) => !p(actual);
}

/**
 * The predicate builder of every value operator, by the name the table gives it. A mapped type
 * over the operator table: an operator without a builder here fails `deno check`.
 */
const BUILDERS: {
  readonly [K in Canonical<ValueOperator>]: (
    value: unknown,
    options: PredicateOptions,
  ) => Predicate;
} = {
  eq: (e) => (a) => equal(a, e),
  neq: (e) => (a) => !equal(a, e),
  in: (e) => (a) => (e as unknown[]).some((v) => equal(a, v)),
  not_in: (e) => (a) => !(e as unknown[]).some((v) => equal(a, v)),
  lt: (e) => ordered(e, (d) => d < 0),
  lte: (e) => ordered(e, (d) => d <= 0),
  gt: (e) => ordered(e, (d) => d > 0),
  gte: (e) => ordered(e, (d) => d >= 0),
  between: (e) => {
    const [lo, hi] = e as [unknown, unknown];
    const above = ordered(lo, (d) => d >= 0);
    const below = ordered(hi, (d) => d <= 0);
    return (a) => above(a) && below(a);
  },
  regex_match: regex,
  not_regex_match: (e, o) => not(regex(e, o)),
  contains,
  not_contains: (e) => not(contains(e)),
  starts_with: (e) => (a) => text(a).startsWith(String(e)),
  not_starts_with: (e) => (a) => !text(a).startsWith(String(e)),
  ends_with: (e) => (a) => text(a).endsWith(String(e)),
  not_ends_with: (e) => (a) => !text(a).endsWith(String(e)),
  length_lte: (e) => (a) => length(a) <= Number(e),
  length_gte: (e) => (a) => length(a) >= Number(e),
  host_in: (e) => host(e, true),
  host_not_in: (e) => host(e, false),
  cidr_in: (e) => cidr(e, true),
  cidr_not_in: (e) => cidr(e, false),
};

/**
 * Compiles a stateless, value-reading operator (not a presence or state operator) with its
 * operand. The operand was validated at load time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compilePredicate } from "./operators.ts";
 * const cap = compilePredicate("max", 100);
 * assert.equal(cap(100), true);
 * assert.equal(cap(101), false);
 * // Query and header text equals the number it spells.
 * assert.equal(compilePredicate("eq", 2)("2"), true);
 * const internal = compilePredicate("cidr_in", ["10.0.0.0/8"]);
 * assert.equal(internal("10.2.3.4"), true);
 * ```
 */
export function compilePredicate(
  operator: ValueOperator,
  value: unknown,
  options: PredicateOptions = {},
): Predicate {
  return BUILDERS[canonicalOperator(operator)](value, options);
}
