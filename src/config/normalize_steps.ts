/**
 * The normalisation steps of the language: the one place where they are named and documented.
 * `normalize: [...]` on a rule, a condition or the whole file lists steps by these names; the
 * engine's implementations (`engine/normalize.ts`) are a mapped type over this table, and the
 * step table of `docs/language.md` is generated from it.
 *
 * @module
 */

/**
 * How a step changes what the operator reads: it rewrites the text, or it adds decoded
 * candidates found inside it (the text itself is still read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NORMALIZE_STEPS, type StepKind } from "./normalize_steps.ts";
 * const kind: StepKind = NORMALIZE_STEPS.base64.kind;
 * assert.equal(kind, "candidates");
 * ```
 */
export type StepKind = "rewrite" | "candidates";

/**
 * One row of the step table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NORMALIZE_STEPS, type NormalizeStepSpec } from "./normalize_steps.ts";
 * const row: NormalizeStepSpec = NORMALIZE_STEPS.case_fold;
 * assert.equal(row.kind, "rewrite");
 * assert.match(row.like, /lowercase/);
 * ```
 */
export interface NormalizeStepSpec {
  /** Rewrites the text, or adds candidates. */
  readonly kind: StepKind;
  /** One line of documentation. */
  readonly doc: string;
  /** What the step does to one text; for a `candidates` step, `output` is the candidate. */
  readonly example: { readonly input: string; readonly output: string };
  /** The transformation of a comparable tool that the step corresponds to. */
  readonly like: string;
}

/**
 * A normalisation step as `normalize:` names it (the rows of {@link NORMALIZE_STEPS}).
 *
 * @example
 * ```ts
 * import type { NormalizeStep } from "@mirage/core";
 * const steps: NormalizeStep[] = ["url_decode", "nfkc", "case_fold"];
 * ```
 */
export type NormalizeStep =
  | "url_decode"
  | "html_decode"
  | "base64"
  | "punycode"
  | "nfkc"
  | "strip_invisible"
  | "confusables"
  | "digits"
  | "case_fold"
  | "number_separators"
  | "remove_whitespace";

/**
 * The steps, in the order a pipeline usually lists them: undo encodings first, then fold
 * characters, then strip what only separates. A step named in {@link NormalizeStep} without a
 * row here (or a row without a name there) fails `deno check`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NORMALIZE_STEPS } from "./normalize_steps.ts";
 * assert.deepEqual(NORMALIZE_STEPS.url_decode.example, { input: "jane%2540example.com", output: "jane@example.com" });
 * ```
 */
export const NORMALIZE_STEPS: { readonly [K in NormalizeStep]: NormalizeStepSpec } = {
  url_decode: {
    kind: "rewrite",
    doc:
      "Decodes `%XX` (UTF-8) and `%uXXXX` escapes, again until nothing changes (at most 4 rounds); `+` stays.",
    example: { input: "jane%2540example.com", output: "jane@example.com" },
    like: "OWASP CRS `t:urlDecodeUni`",
  },
  html_decode: {
    kind: "rewrite",
    doc:
      "Decodes `&#NN;`, `&#xHH;` (`;` optional) and common named entities, again until nothing changes (at most 4 rounds).",
    example: { input: "jane&#64;example&period;com", output: "jane@example.com" },
    like: "OWASP CRS `t:htmlEntityDecode`",
  },
  base64: {
    kind: "candidates",
    doc:
      "Also reads each base64 or base64url run of 12+ characters that decodes to printable UTF-8 (at most 16 per value).",
    example: { input: "ref MTIzLTQ1LTY3ODk=", output: "123-45-6789" },
    like: "OWASP CRS `t:base64Decode`, on candidate substrings",
  },
  punycode: {
    kind: "rewrite",
    doc: "Decodes IDNA `xn--` labels to the Unicode letters they stand for.",
    example: { input: "https://xn--pypl-53dc.com/", output: "https://p\u0430yp\u0430l.com/" },
    like: "IDNA ToUnicode (UTS #46)",
  },
  nfkc: {
    kind: "rewrite",
    doc:
      "Unicode NFKC: full-width and other compatibility forms (`＠`, `１`, `①`, ligatures) become their plain characters.",
    example: {
      input: "jane\uff20example\uff0ecom \uff11\uff12\uff13",
      output: "jane@example.com 123",
    },
    like: "Unicode UAX #15 NFKC",
  },
  strip_invisible: {
    kind: "rewrite",
    doc:
      "Removes default-ignorable code points: zero-width characters, bidi controls, soft hyphens, variation selectors, tag characters.",
    example: { input: "123\u200b-\u200b45-\u200d6789\u00ad", output: "123-45-6789" },
    like: "Unicode `Default_Ignorable_Code_Point`; TR39 skeleton input",
  },
  confusables: {
    kind: "rewrite",
    doc:
      "Folds Cyrillic, Greek and Armenian letters that look like Latin ones, dotless `ı`, and dash-like characters to their Latin (or `-`) look-alike.",
    example: {
      input: "p\u0430yp\u0430l.c\u043em \u2013 \u0391\u0392\u0421",
      output: "paypal.com - ABC",
    },
    like: "Unicode TR39 confusables (a documented subset)",
  },
  digits: {
    kind: "rewrite",
    doc:
      "Every Unicode decimal digit (Arabic-Indic, Devanagari, full-width, mathematical …) becomes its ASCII digit.",
    example: {
      input: "\u0661\u0662\u0663-\u0664\u0665-\u0966\u0967\u0968\u0969",
      output: "123-45-0123",
    },
    like: "Unicode `Nd` numeric values",
  },
  case_fold: {
    kind: "rewrite",
    doc: "Folds case (`ß` → `ss`): compare with patterns and operands written in lower case.",
    example: { input: "Jane.DOE@Example.COM Straße", output: "jane.doe@example.com strasse" },
    like: "OWASP CRS `t:lowercase`; Unicode full case folding",
  },
  number_separators: {
    kind: "rewrite",
    doc:
      "Removes spaces, `.`, `,`, `'`, `_` and dashes (up to 3) between two digits, so that a number reads as one run of digits.",
    example: {
      input: "SSN 123.45.6789, card 4111 1111-1111 1111",
      output: "SSN 123456789, card 4111111111111111",
    },
    like: "DLP digit-run matching",
  },
  remove_whitespace: {
    kind: "rewrite",
    doc: "Removes every white-space character.",
    example: { input: "j a n e @ example . com", output: "jane@example.com" },
    like: "OWASP CRS `t:removeWhitespace`",
  },
};

/**
 * Every step name, in table order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NORMALIZE_STEP_NAMES } from "./normalize_steps.ts";
 * assert.equal(NORMALIZE_STEP_NAMES[0], "url_decode");
 * ```
 */
export const NORMALIZE_STEP_NAMES: readonly NormalizeStep[] = Object.keys(
  NORMALIZE_STEPS,
) as NormalizeStep[];
