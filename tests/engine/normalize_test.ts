/**
 * The normalisation steps one by one (every example of the step table holds), their bounds and
 * edge cases, and pipelines of several steps.
 */

import assert from "node:assert/strict";
import { compileNormalizer } from "../../src/engine/normalize.ts";
import {
  NORMALIZE_STEP_NAMES,
  NORMALIZE_STEPS,
  type NormalizeStep,
} from "../../src/config/normalize_steps.ts";

/** The texts a pipeline makes of `text` (the value itself not included). */
function forms(steps: NormalizeStep[], text: string): string[] {
  return compileNormalizer(steps)(text).map((v) => v.text);
}

Deno.test("every example of the step table is what the step does", () => {
  for (const name of NORMALIZE_STEP_NAMES) {
    const { input, output } = NORMALIZE_STEPS[name].example;
    const views = compileNormalizer([name])(input);
    const expected = NORMALIZE_STEPS[name].kind === "candidates" ? [input, output] : [output];
    const texts = views.map((v) => v.text);
    const all = NORMALIZE_STEPS[name].kind === "candidates" ? [input, ...texts] : texts;
    assert.deepEqual(all, expected, name);
    for (const view of views) assert.deepEqual(view.changed, [name], name);
  }
});

Deno.test("text no step changes gives no forms, whatever the steps", () => {
  assert.deepEqual(forms([...NORMALIZE_STEP_NAMES], "plain-words_no-digits"), []);
  assert.deepEqual(forms(["nfkc", "strip_invisible", "confusables", "digits"], "ASCII 123"), []);
});

const CASES: [string, NormalizeStep[], string, string[]][] = [
  ["url_decode: %u escapes", ["url_decode"], "a%u0040b", ["a@b"]],
  ["url_decode: invalid UTF-8 keeps its bytes, ASCII escapes decode", ["url_decode"], "%41%ff", [
    "A%ff",
  ]],
  ["url_decode: + is not a space", ["url_decode"], "a+b%21", ["a+b!"]],
  ["url_decode: at most 4 rounds", ["url_decode"], "%252525252540", ["%2540"]],
  ["html_decode: numeric without ;", ["html_decode"], "a&#64b&#x2E;c", ["a@b.c"]],
  ["html_decode: named entities need ;", ["html_decode"], "AT&T &amp x &amp;", ["AT&T &amp x &"]],
  ["html_decode: double-encoded", ["html_decode"], "a&amp;#64;b", ["a@b"]],
  ["html_decode: unknown and prototype names stay", ["html_decode"], "&constructor; &zz; &lt;", [
    "&constructor; &zz; <",
  ]],
  ["html_decode: an invalid code point stays", ["html_decode"], "&#xD800;&#99999999;&#65;", [
    "&#xD800;&#99999999;A",
  ]],
  ["base64: url-safe", ["base64"], "x aGVsbG8-d29ybGQ_IQ y", ["hello>world?!"]],
  ["base64: runs under 12 characters are not read", ["base64"], "aGVsbG8= aGk=", []],
  ["base64: what decodes to control bytes is not read", ["base64"], "AAECAwQFBgcICQoL", []],
  ["base64: a run between slashes is read piece by piece", ["base64"], "/in/aGVsbG8gd29ybGQh", [
    "hello world!",
  ]],
  [
    "base64: words that happen to be base64 decode to nothing printable",
    ["base64"],
    "internationalization",
    [],
  ],
  ["punycode: a label that does not decode stays", ["punycode"], "xn--zz--", []],
  ["digits: mathematical digits in consecutive blocks", ["digits"], "\u{1d7d9}\u{1d7f1}\u{1d7f5}", [
    "159",
  ]],
  ["digits: Thai and Bengali", ["digits"], "\u0e53\u09ef", ["39"]],
  ["case_fold: final sigma and ligatures", ["case_fold"], "ΣΑΣ ς ﬀ", ["σασ σ ff"]],
  ["number_separators: not across letters", ["number_separators"], "room 3 B 4, 5 x", [
    "room 3 B 45 x",
  ]],
  ["number_separators: at most 3 separators", ["number_separators"], "1 - 2 x 1    2", [
    "12 x 1    2",
  ]],
  [
    "strip_invisible: tag characters and variation selectors",
    ["strip_invisible"],
    "a\u{e0041}\ufe0fb",
    [
      "ab",
    ],
  ],
  [
    "confusables: upper-case look-alikes and dashes",
    ["confusables"],
    "\u0410\u0412\u0421\u2212\u2014",
    [
      "ABC--",
    ],
  ],
  ["order matters: decode then fold", ["url_decode", "case_fold"], "%4A", ["j"]],
  [
    "order matters: a fold before decoding does not see the letter",
    ["case_fold", "url_decode"],
    "%4A",
    [
      "J",
    ],
  ],
  ["steps after base64 apply to the candidates too", ["base64", "case_fold"], "SEVMTE8gV09STEQh", [
    "sevmte8gv09steqh",
    "hello world!",
  ]],
];

for (const [name, steps, input, expected] of CASES) {
  Deno.test(`normalize: ${name}`, () => assert.deepEqual(forms(steps, input), expected));
}

Deno.test("base64 reads at most 16 candidates of one value", () => {
  const many = Array.from({ length: 40 }, () => "aGVsbG8gd29ybGQh").join(" ");
  assert.equal(forms(["base64"], many).length, 16);
});

Deno.test("each form records the steps that made it, in pipeline order", () => {
  const views = compileNormalizer(["url_decode", "base64", "nfkc", "case_fold"])(
    "Ref %4D%54%49%7A%4C%54%51%31%4C%54%59%33%4F%44%6B%3D",
  );
  assert.deepEqual(views, [
    { text: "ref mtizltq1lty3odk=", changed: ["url_decode", "case_fold"] },
    { text: "123-45-6789", changed: ["url_decode", "base64"] },
  ]);
});

Deno.test("an operand is rewritten by the rewriting steps only", () => {
  const norm = compileNormalizer(["base64", "case_fold", "strip_invisible"]);
  assert.equal(norm.operand("Pass\u200bWORD aGVsbG8gd29ybGQh"), "password agvsbg8gd29ybgqh");
});
