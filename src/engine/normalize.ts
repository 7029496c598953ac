/**
 * The normalisation steps (`config/normalize_steps.ts`), compiled once per condition into a
 * pipeline that turns the text a rule reads into the other forms it must also hold for.
 *
 * A pipeline never replaces the value: it returns the forms the steps made of it (the rewritten
 * text, and decoded candidates), and a condition holds only when it holds for the value as sent
 * and for every one of them. Normalisation can therefore only make a rule stricter.
 *
 * Plain text costs little: every step first checks whether it can change anything (`%` for
 * `url_decode`, `&` for `html_decode`, a non-ASCII character for the Unicode steps) and returns
 * the same string when not.
 */

import { domainToUnicode } from "node:url";
import type { NormalizeStep } from "../config/normalize_steps.ts";
import { foldConfusables } from "./confusables.ts";
import { decodeHtmlEntities } from "./html_entities.ts";

/**
 * One form of the text, and the steps that made it differ from the value as sent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileNormalizer, type NormalizedView } from "./normalize.ts";
 * const views: readonly NormalizedView[] = compileNormalizer(["html_decode"])("&lt;b&gt;");
 * assert.deepEqual(views, [{ text: "<b>", changed: ["html_decode"] }]);
 * ```
 */
export interface NormalizedView {
  /** The text the operator reads. */
  readonly text: string;
  /** The steps that changed it, in pipeline order. */
  readonly changed: readonly NormalizeStep[];
}

/**
 * A compiled pipeline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileNormalizer, type Normalizer } from "./normalize.ts";
 * const fold: Normalizer = compileNormalizer(["case_fold"]);
 * assert.deepEqual(fold("PassWord"), [{ text: "password", changed: ["case_fold"] }]);
 * assert.deepEqual(fold("plain"), []);
 * assert.equal(fold.operand("Password"), "password");
 * ```
 */
export interface Normalizer {
  /** The forms of `text` that differ from it; empty when no step changed anything. */
  (text: string): readonly NormalizedView[];
  /** An operand (`contains: Password`) rewritten by the same steps, without candidates. */
  readonly operand: (text: string) => string;
}

interface Step {
  /** Only non-ASCII text can change. */
  readonly unicode?: boolean;
  readonly rewrite?: (text: string) => string;
  readonly candidates?: (text: string) => string[];
}

const NON_ASCII = /\P{ASCII}/u;
const ROUNDS = 4;

/** Applies `once` until the text stops changing, at most {@link ROUNDS} times. */
function untilStable(text: string, once: (t: string) => string): string {
  let out = text;
  for (let i = 0; i < ROUNDS; i++) {
    const next = once(out);
    if (next === out) break;
    out = next;
  }
  return out;
}

const PERCENT_RUN = /(?:%[0-9a-fA-F]{2})+|%[uU][0-9a-fA-F]{4}/g;

/** A run of `%XX` escapes as UTF-8; escapes that are not valid UTF-8 stay, except ASCII ones. */
function decodePercentRun(run: string): string {
  if (run[1] === "u" || run[1] === "U") return String.fromCharCode(parseInt(run.slice(2), 16));
  try {
    return decodeURIComponent(run);
  } catch {
    return run.replace(
      /%([0-7][0-9a-fA-F])/g,
      (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
    );
  }
}

function urlDecode(text: string): string {
  if (!text.includes("%")) return text;
  return untilStable(text, (t) => t.replace(PERCENT_RUN, decodePercentRun));
}

function htmlDecode(text: string): string {
  if (!text.includes("&")) return text;
  return untilStable(text, decodeHtmlEntities);
}

const MIN_RUN = 12;
/** Which char codes belong to the base64 and base64url alphabets. */
const ALPHABET = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") {
  ALPHABET[c.charCodeAt(0)] = 1;
}

/** The runs of 12+ alphabet characters (with their `=` padding), in one pass over the text. */
function base64Runs(text: string): string[] {
  const runs: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0;
    if (code < 128 && ALPHABET[code] === 1) {
      if (start === -1) start = i;
      continue;
    }
    if (start !== -1 && i - start >= MIN_RUN) {
      let end = i;
      while (end < text.length && end - i < 2 && text[end] === "=") end++;
      runs.push(text.slice(start, end));
    }
    start = -1;
  }
  return runs;
}

const MAX_CANDIDATES = 16;
const UTF8 = new TextDecoder("utf-8");
/** C1 control characters and the replacement character (what invalid UTF-8 decodes to). */
const UNPRINTABLE = /[\u0080-\u009f\ufffd]/;

/** Whether a byte (as a char code of atob's output) is a control byte other than tab or a line break. */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 9 && code !== 10 && code !== 13) || code === 0x7f;
}

/**
 * The text a base64 (or base64url) run decodes to, if it is printable UTF-8. Nothing here
 * throws: the alphabet was checked by the scan, and most runs that are not base64 decode to a
 * control byte, which is checked before any UTF-8 decoding.
 */
function decodeBase64(run: string): string | undefined {
  const bare = run.replace(/=+$/, "");
  const standard = /[+/]/.test(bare);
  if ((standard && /[-_]/.test(bare)) || bare.length % 4 === 1) return undefined;
  const b64 = standard ? bare : bare.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, "="));
  let ascii = true;
  for (let i = 0; i < binary.length; i++) {
    const code = binary.charCodeAt(i);
    if (isControl(code)) return undefined;
    if (code > 0x7f) ascii = false;
  }
  if (ascii) return binary;
  const text = UTF8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  return UNPRINTABLE.test(text) ? undefined : text;
}

/**
 * Base64 runs and what they decode to. A run that does not decode as a whole (a path such as
 * `/in/QUtJQ…` is one run of the alphabet) is tried piece by piece between its slashes.
 */
function base64Candidates(text: string): string[] {
  const out: string[] = [];
  if (text.length < MIN_RUN) return out;
  for (const run of base64Runs(text)) {
    const whole = decodeBase64(run);
    const pieces = whole !== undefined
      ? [whole]
      : run.split("/").filter((p) => p.length >= MIN_RUN).map(decodeBase64);
    for (const decoded of pieces) {
      if (decoded === undefined || decoded === "") continue;
      out.push(decoded);
      if (out.length >= MAX_CANDIDATES) return out;
    }
  }
  return out;
}

const ACE_LABEL = /\bxn--[a-z0-9-]+/gi;

/** A label that is not valid punycode decodes to nothing or to U+FFFD; it is kept as written. */
function decodeLabel(label: string): string {
  const decoded = domainToUnicode(label);
  return decoded === "" || decoded.includes("\ufffd") ? label : decoded;
}

function punycode(text: string): string {
  if (!/xn--/i.test(text)) return text;
  return text.replace(ACE_LABEL, decodeLabel);
}

/**
 * Full case folding as far as JavaScript's case mappings reach: upper then lower case folds
 * `ß` to `ss` and ligatures to letters; a final `ς` folds to `σ` as Unicode's folding does.
 */
function caseFold(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return text.toUpperCase().toLowerCase().replaceAll("\u03c2", "\u03c3");
}

const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const DIGIT = /\p{Nd}/u;
const DIGITS = /\p{Nd}/gu;

/**
 * The ASCII digit of a Unicode decimal digit. Decimal digits come in runs of ten from zero
 * (some blocks hold several runs back to back), so the value is the distance from the start
 * of the run, modulo ten.
 */
function asciiDigit(c: string): string {
  if (c <= "9") return c;
  const code = c.codePointAt(0) as number;
  let start = code;
  while (DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return String((code - start) % 10);
}

const BETWEEN_DIGITS = /([0-9])[\s.,'\u2019_\u2010-\u2015\u2212-]{1,3}(?=[0-9])/g;

/**
 * Every step, by the name the table gives it. A mapped type over the step table: a step
 * without an implementation here fails `deno check`.
 */
const STEPS: { readonly [K in NormalizeStep]: Step } = {
  url_decode: { rewrite: urlDecode },
  html_decode: { rewrite: htmlDecode },
  base64: { candidates: base64Candidates },
  punycode: { rewrite: punycode },
  nfkc: { unicode: true, rewrite: (t) => t.normalize("NFKC") },
  strip_invisible: { unicode: true, rewrite: (t) => t.replace(INVISIBLE, "") },
  confusables: { unicode: true, rewrite: foldConfusables },
  digits: { unicode: true, rewrite: (t) => t.replace(DIGITS, asciiDigit) },
  case_fold: { rewrite: caseFold },
  number_separators: { rewrite: (t) => t.replace(BETWEEN_DIGITS, "$1") },
  remove_whitespace: { rewrite: (t) => t.replace(/\s+/g, "") },
};

interface Work {
  text: string;
  changed: readonly NormalizeStep[];
}

function rewriteAll(views: Work[], name: NormalizeStep, step: Step): void {
  const rewrite = step.rewrite as (text: string) => string;
  for (const view of views) {
    if (step.unicode && !NON_ASCII.test(view.text)) continue;
    const next = rewrite(view.text);
    if (next !== view.text) {
      view.text = next;
      view.changed = [...view.changed, name];
    }
  }
}

function expandAll(views: Work[], name: NormalizeStep, step: Step): void {
  const expand = step.candidates as (text: string) => string[];
  for (const view of views.slice()) {
    for (const text of expand(view.text)) {
      if (views.length > MAX_CANDIDATES) return;
      views.push({ text, changed: [...view.changed, name] });
    }
  }
}

const NONE: readonly NormalizedView[] = Object.freeze([]);

/**
 * Compiles a list of steps, applied in the order given. The pipeline remembers its last input:
 * rules that read the same field with the same steps normalise it once per decision.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileNormalizer } from "./normalize.ts";
 * const views = compileNormalizer(["url_decode", "case_fold"])("Jane%40Example.com");
 * assert.deepEqual(views[views.length - 1], {
 *   text: "jane@example.com",
 *   changed: ["url_decode", "case_fold"],
 * });
 * ```
 */
export function compileNormalizer(steps: readonly NormalizeStep[]): Normalizer {
  const pipeline = steps.map((name) => [name, STEPS[name]] as const);
  const rewrites = pipeline.filter(([, step]) => step.rewrite);
  let lastText: string | undefined;
  let lastViews: readonly NormalizedView[] = NONE;
  const normalize = (text: string): readonly NormalizedView[] => {
    if (text === lastText) return lastViews;
    const views: Work[] = [{ text, changed: [] }];
    for (const [name, step] of pipeline) {
      if (step.rewrite) rewriteAll(views, name, step);
      else expandAll(views, name, step);
    }
    const only = views.length === 1 && (views[0] as Work).text === text;
    lastText = text;
    lastViews = only ? NONE : Object.freeze(views.filter((v) => v.text !== text));
    return lastViews;
  };
  const operand = (text: string): string => {
    const views: Work[] = [{ text, changed: [] }];
    for (const [name, step] of rewrites) rewriteAll(views, name, step);
    return (views[0] as Work).text;
  };
  return Object.assign(normalize, { operand });
}

/**
 * The pipelines of one compiled policy set, one per list of steps, so that every rule with the
 * same steps shares one (and its memory of the last text it read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NormalizerPool } from "./normalize.ts";
 * const pool = new NormalizerPool();
 * assert.equal(pool.get(["nfkc"]), pool.get(["nfkc"]));
 * assert.notEqual(pool.get(["nfkc"]), pool.get(["case_fold"]));
 * ```
 */
export class NormalizerPool {
  readonly #bySteps = new Map<string, Normalizer>();

  /** The pipeline of `steps`, compiled on first use. */
  get(steps: readonly NormalizeStep[]): Normalizer {
    const key = steps.join(",");
    let found = this.#bySteps.get(key);
    if (!found) this.#bySteps.set(key, found = compileNormalizer(steps));
    return found;
  }
}
