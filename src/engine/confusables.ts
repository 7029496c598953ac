/**
 * The confusable characters the `confusables` step folds: a small, documented subset of Unicode
 * TR39's confusables table, chosen for what spoofs host names and addresses in Latin text.
 *
 * Covered: the Cyrillic, Greek and Armenian letters that render like a Latin letter in common
 * fonts (lower and upper case), Latin dotless `ı`/`ȷ`, script `ɑ`/`ɡ`/`ɩ`, a few look-alike
 * punctuation marks (division and fraction slash, modifier colon) and the dash-like characters
 * (hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar, minus sign), which
 * read as `-`. Not covered: whole-script look-alikes outside these scripts (Cherokee, Lisu,
 * mathematical alphanumerics — `nfkc` folds the latter), and digit/letter swaps such as `0`/`O`
 * or `1`/`l`, which TR39 folds but which would merge digits into letters.
 */

const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Cyrillic, lower case
  "\u0430": "a",
  "\u0441": "c",
  "\u0501": "d",
  "\u0435": "e",
  "\u04bb": "h",
  "\u0456": "i",
  "\u0458": "j",
  "\u04cf": "l",
  "\u043e": "o",
  "\u0440": "p",
  "\u051b": "q",
  "\u0455": "s",
  "\u051d": "w",
  "\u0445": "x",
  "\u0443": "y",
  "\u04af": "y",
  // Cyrillic, upper case
  "\u0410": "A",
  "\u0412": "B",
  "\u0421": "C",
  "\u0415": "E",
  "\u041d": "H",
  "\u0406": "I",
  "\u04c0": "I",
  "\u0408": "J",
  "\u041a": "K",
  "\u041c": "M",
  "\u041e": "O",
  "\u0420": "P",
  "\u051a": "Q",
  "\u0405": "S",
  "\u0422": "T",
  "\u051c": "W",
  "\u0425": "X",
  "\u0423": "Y",
  "\u04ae": "Y",
  // Greek, lower case
  "\u03b1": "a",
  "\u03b9": "i",
  "\u03ba": "k",
  "\u03bd": "v",
  "\u03bf": "o",
  "\u03c1": "p",
  "\u03c5": "u",
  "\u03c7": "x",
  "\u03f2": "c",
  "\u03f3": "j",
  // Greek, upper case
  "\u0391": "A",
  "\u0392": "B",
  "\u0395": "E",
  "\u0396": "Z",
  "\u0397": "H",
  "\u0399": "I",
  "\u039a": "K",
  "\u039c": "M",
  "\u039d": "N",
  "\u039f": "O",
  "\u03a1": "P",
  "\u03a4": "T",
  "\u03a5": "Y",
  "\u03a7": "X",
  "\u03f9": "C",
  // Armenian
  "\u0570": "h",
  "\u0578": "n",
  "\u057d": "u",
  "\u0585": "o",
  "\u0566": "q",
  // Latin look-alikes of other Latin letters
  "\u0131": "i",
  "\u0237": "j",
  "\u0251": "a",
  "\u0261": "g",
  "\u0269": "i",
  // punctuation
  "\u2215": "/",
  "\u2044": "/",
  "\ua789": ":",
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "-",
  "\u2013": "-",
  "\u2014": "-",
  "\u2015": "-",
  "\u2212": "-",
};

const PATTERN = new RegExp(`[${Object.keys(LOOK_ALIKES).join("")}]`, "gu");

/**
 * `text` with every covered confusable replaced by its Latin (or ASCII) look-alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldConfusables } from "./confusables.ts";
 * // Cyrillic а, о and е, and an en dash.
 * assert.equal(foldConfusables("p\u0430ssw\u043ewd \u2013 s\u0435cret"), "passwowd - secret");
 * assert.equal(foldConfusables("plain"), "plain");
 * ```
 */
export function foldConfusables(text: string): string {
  return text.replace(PATTERN, (c) => LOOK_ALIKES[c] ?? c);
}
