/**
 * Encodings and look-alikes that adversarial generators use to hide a violation. Each is a
 * plain string transform, so a reader can see exactly what a rule was up against.
 */

const ENCODER = new TextEncoder();

/** Standard base64 of the UTF-8 text. */
export function base64(text: string): string {
  let binary = "";
  for (const byte of ENCODER.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Every character percent-encoded, `%41%42…`. */
export function percentAll(text: string): string {
  return [...ENCODER.encode(text)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`)
    .join("");
}

/** ASCII digits replaced by full-width digits (U+FF10…U+FF19). */
export function fullWidthDigits(text: string): string {
  return text.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
}

/** A zero-width space after every character: invisible to a reader, fatal to a regex. */
export function zeroWidth(text: string): string {
  return [...text].join("\u200b");
}

const CYRILLIC: Readonly<Record<string, string>> = { a: "\u0430", e: "\u0435", o: "\u043e" };

/** Latin a/e/o swapped for their Cyrillic look-alikes. */
export function homoglyphs(text: string): string {
  return text.replace(/[aeo]/g, (c) => CYRILLIC[c] ?? c);
}

/** Each character as a JSON `\uXXXX` escape (for raw JSON bodies). */
export function jsonUnicodeEscapes(text: string): string {
  return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
}

/** `@` as an HTML entity. */
export function htmlEntityAt(text: string): string {
  return text.replaceAll("@", "&#64;");
}

/** Each ASCII character as its invisible Unicode tag character (U+E0020…U+E007E). */
export function unicodeTags(text: string): string {
  return [...text].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("");
}

/** The UTF-8 bytes of the text in lower-case hex. */
export function hex(text: string): string {
  return [...ENCODER.encode(text)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The characters in reverse order. */
export function reversed(text: string): string {
  return [...text].reverse().join("");
}

const DIGIT_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
];

/** Every ASCII digit spelt as an English word, words separated by spaces. */
export function digitsInWords(text: string): string {
  return text.replace(/[0-9]/g, (d) => ` ${DIGIT_WORDS[Number(d)]} `).replace(/\s+/g, " ").trim();
}
