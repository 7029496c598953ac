/**
 * HTML character references, as the `html_decode` step reads them: numeric references in
 * decimal or hex (the `;` optional, as browsers accept them), and a short table of named
 * references — the markup characters, and the HTML5 names of the punctuation an address or a
 * number is written with (`&commat;`, `&period;`, `&hyphen;` …). Named references need their
 * `;`, so that text such as `AT&T` stays as it is.
 */

const NAMED: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  commat: "@",
  period: ".",
  comma: ",",
  colon: ":",
  semi: ";",
  sol: "/",
  bsol: "\\",
  num: "#",
  dollar: "$",
  percnt: "%",
  plus: "+",
  equals: "=",
  lowbar: "_",
  hyphen: "\u2010",
  dash: "\u2010",
  minus: "\u2212",
  ndash: "\u2013",
  mdash: "\u2014",
  lpar: "(",
  rpar: ")",
  lsqb: "[",
  rsqb: "]",
  lcub: "{",
  rcub: "}",
  excl: "!",
  quest: "?",
  ast: "*",
  verbar: "|",
  grave: "`",
  Hat: "^",
};

const REFERENCE = /&(?:#([0-9]{1,7});?|#[xX]([0-9a-fA-F]{1,6});?|([A-Za-z]{2,8});)/g;

function fromCode(code: number, original: string): string {
  const valid = code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
  return valid ? String.fromCodePoint(code) : original;
}

/**
 * One pass of decoding: each reference in `text` replaced by its character.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeHtmlEntities } from "./html_entities.ts";
 * assert.equal(decodeHtmlEntities("&lt;script&gt; &#112;&#x61;ss"), "<script> pass");
 * // One pass only: a doubly encoded reference comes out encoded once.
 * assert.equal(decodeHtmlEntities("&amp;lt;"), "&lt;");
 * ```
 */
export function decodeHtmlEntities(text: string): string {
  return text.replace(
    REFERENCE,
    (ref, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (dec !== undefined) return fromCode(parseInt(dec, 10), ref);
      if (hex !== undefined) return fromCode(parseInt(hex, 16), ref);
      return Object.hasOwn(NAMED, name as string) ? NAMED[name as string] as string : ref;
    },
  );
}
