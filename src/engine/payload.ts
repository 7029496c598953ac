/**
 * What a request body means to the rules (docs/bodies.md): the bytes as an upstream would read
 * them. JSON in UTF-8, UTF-16 or UTF-32 (found from the bytes, as Python's `json.loads(bytes)`
 * finds it), form fields, or text decoded leniently (as Node's `Buffer#toString` decodes it).
 *
 * @module
 */

import { readFormFields } from "./form_fields.ts";

/**
 * A body as the rules read it.
 *
 * @example
 * ```ts
 * import type { PayloadReading } from "@mirage/core";
 * const r: PayloadReading = { kind: "json", value: { amount: 50000 } };
 * ```
 */
export type PayloadReading =
  /** No body, or zero bytes. */
  | { readonly kind: "empty" }
  /** JSON, found in any of the encodings JSON may be sent in. */
  | { readonly kind: "json"; readonly value: unknown }
  /** `application/x-www-form-urlencoded` fields. */
  | { readonly kind: "form"; readonly value: Record<string, unknown> }
  /** Anything else, as text. */
  | { readonly kind: "text"; readonly value: string }
  /**
   * A body the rules cannot read as what it says it is: declared as JSON but not JSON, or a
   * form whose field names contradict each other. `text` is what it holds, for the record.
   */
  | { readonly kind: "uninspectable"; readonly reason: string; readonly text: string };

type Encoding = "utf-8" | "utf-16le" | "utf-16be" | "utf-32le" | "utf-32be";

/** Decoders that never throw: an invalid sequence becomes U+FFFD, as Node decodes it. */
const DECODERS = {
  "utf-8": new TextDecoder("utf-8"),
  "utf-16le": new TextDecoder("utf-16le"),
  "utf-16be": new TextDecoder("utf-16be"),
};

/** The encoding a byte-order mark names, if the body starts with one. */
function bomEncoding(b: Uint8Array): Encoding | undefined {
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0xfe && b[3] === 0xff) return "utf-32be";
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0x00 && b[3] === 0x00) return "utf-32le";
  if (b[0] === 0xfe && b[1] === 0xff) return "utf-16be";
  if (b[0] === 0xff && b[1] === 0xfe) return "utf-16le";
  return undefined;
}

/**
 * The encoding of a JSON text, as Python's `json.detect_encoding` reads it: a byte-order mark,
 * else the pattern of zero bytes that ASCII characters leave in UTF-16 and UTF-32 (RFC 4627 §3).
 */
function jsonEncoding(b: Uint8Array): Encoding {
  const bom = bomEncoding(b);
  if (bom) return bom;
  if (b.length >= 4) {
    if (b[0] === 0) return b[1] ? "utf-16be" : "utf-32be";
    if (b[1] === 0) return b[2] || b[3] ? "utf-16le" : "utf-32le";
  } else if (b.length === 2) {
    if (b[0] === 0) return "utf-16be";
    if (b[1] === 0) return "utf-16le";
  }
  return "utf-8";
}

/** UTF-32, which `TextDecoder` does not offer; an invalid code point becomes U+FFFD. */
function decodeUtf32(b: Uint8Array, littleEndian: boolean): string {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const points: number[] = [];
  let out = "";
  for (let at = 0; at + 4 <= b.length; at += 4) {
    const cp = view.getUint32(at, littleEndian);
    const valid = cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    if (!(at === 0 && cp === 0xfeff)) points.push(valid ? cp : 0xfffd);
    if (points.length === 4096) out += String.fromCodePoint(...points.splice(0));
  }
  if (b.length % 4 !== 0) points.push(0xfffd);
  return out + String.fromCodePoint(...points);
}

/** Decodes leniently; a byte-order mark is dropped. */
function decode(b: Uint8Array, encoding: Encoding): string {
  if (encoding === "utf-32le" || encoding === "utf-32be") {
    return decodeUtf32(b, encoding === "utf-32le");
  }
  return DECODERS[encoding].decode(b);
}

/**
 * Why a text is not JSON, without quoting it: V8 quotes the text around an unexpected token, and
 * the reason reaches the trace, where a secret in the body must not.
 */
function jsonError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return / is not valid JSON$/.test(message) ? "has an unexpected character" : message;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: jsonError(e) };
  }
}

/** The media type of a `content-type` value: lower case, without parameters. */
function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * Whether a `content-type` declares JSON: `application/json`, or any `json` / `+json` type
 * (`application/merge-patch+json`, `text/json`).
 *
 * @example
 * ```ts
 * import { declaresJson } from "./payload.ts";
 * declaresJson("application/problem+json; charset=utf-8"); // true
 * ```
 */
export function declaresJson(contentType: string | null | undefined): boolean {
  const subtype = mediaType(contentType).split("/")[1] ?? "";
  return subtype === "json" || subtype.endsWith("+json");
}

const FORM = "application/x-www-form-urlencoded";

/**
 * Reads a body as the rules see it. JSON wins wherever it parses; a declared form is read as
 * fields; anything else is text. A body declared as JSON that does not parse, or a form whose
 * field names contradict each other, is `uninspectable`: the upstream may read it in a way
 * Mirage cannot know. The `charset` parameter is not used: upstreams disagree on it (Node's
 * `Buffer#toString` and Python's `json.loads(bytes)` ignore it), so trusting it would let a
 * client make Mirage read other text than the upstream does.
 *
 * @example
 * ```ts
 * import { readPayload } from "@mirage/core";
 * const bytes = new Uint8Array([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"t":"\xff"}
 * readPayload(bytes, "application/json"); // { kind: "json", value: { t: "\uFFFD" } }
 * readPayload("amount=5&tags=a&tags=b", "application/x-www-form-urlencoded");
 * // { kind: "form", value: { amount: "5", tags: ["a", "b"] } }
 * ```
 */
export function readPayload(
  body: Uint8Array | string | undefined,
  contentType: string | null | undefined,
): PayloadReading {
  if (body === undefined || body.length === 0) return { kind: "empty" };
  const bytes = typeof body === "string" ? undefined : body;
  const jsonText = bytes ? decode(bytes, jsonEncoding(bytes)) : body as string;
  const json = parseJson(jsonText);
  if (json.ok) return { kind: "json", value: json.value };
  const bom = bytes ? bomEncoding(bytes) : undefined;
  const text = bytes ? decode(bytes, bom ?? "utf-8") : body as string;
  if (declaresJson(contentType)) {
    return {
      kind: "uninspectable",
      reason: `declared as JSON but is not JSON (${json.error})`,
      text,
    };
  }
  if (mediaType(contentType) === FORM) {
    const form = readFormFields(text);
    return form.ok
      ? { kind: "form", value: form.fields }
      : { kind: "uninspectable", reason: form.error, text };
  }
  return { kind: "text", value: text };
}

/**
 * The value rules read as `payload` for a reading: the JSON value, the fields, the text, or
 * `undefined` for an empty body. An uninspectable body gives its text (for the record; the
 * surfaces do not decide on it).
 *
 * @example
 * ```ts
 * import { payloadOf, readPayload } from "./payload.ts";
 * payloadOf(readPayload('{"a":1}', null)); // { a: 1 }
 * ```
 */
export function payloadOf(reading: PayloadReading): unknown {
  switch (reading.kind) {
    case "empty":
      return undefined;
    case "uninspectable":
      return reading.text;
    default:
      return reading.value;
  }
}
