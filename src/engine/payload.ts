/**
 * What a request body means to the rules (docs/bodies.md): the bytes as an upstream would read
 * them. JSON in UTF-8, UTF-16 or UTF-32 (found from the bytes, as Python's `json.loads(bytes)`
 * finds it), form fields, the parts of a multipart body, or text decoded leniently (as Node's
 * `Buffer#toString` decodes it).
 *
 * @module
 */

import {
  type FieldValue,
  formFields,
  readFormFields,
  readFormFieldsLeniently,
  readsAsForm,
} from "./form_fields.ts";
import { boundaryOf, type MultipartPart, readMultipart } from "./multipart.ts";
import { mediaType } from "../media_type.ts";

/**
 * A body as the rules read it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type PayloadReading, readPayload } from "@mirage/core";
 * const r: PayloadReading = readPayload('{"amount":50000}', "application/json");
 * assert.deepEqual(r, { kind: "json", value: { amount: 50000 } });
 * assert.deepEqual(readPayload(undefined, null), { kind: "empty" });
 * assert.equal(readPayload("{not json", "application/json").kind, "uninspectable");

 * ```
 */
export type PayloadReading =
  /** No body, or zero bytes. */
  | { readonly kind: "empty" }
  /** JSON, found in any of the encodings JSON may be sent in. */
  | { readonly kind: "json"; readonly value: unknown }
  /** `application/x-www-form-urlencoded` fields. */
  | { readonly kind: "form"; readonly value: Record<string, unknown> }
  /**
   * `multipart/form-data` fields: a text part's text, a file part as
   * `{filename, content_type, size, text}`.
   */
  | { readonly kind: "multipart"; readonly value: Record<string, unknown> }
  /** Anything else, as text. */
  | { readonly kind: "text"; readonly value: string }
  /**
   * A body the rules cannot read as what it says it is, or that reads as fields one way and
   * another way: declared as JSON but not JSON, a form whose field names contradict each other,
   * a multipart body that does not parse, a body of no stated type that reads as a form and as
   * something else. `text` is what it holds, for the record.
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

/**
 * Whether a `content-type` declares JSON: `application/json`, or any `json` / `+json` type
 * (`application/merge-patch+json`, `text/json`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { declaresJson } from "./payload.ts";
 * assert.equal(declaresJson("application/problem+json; charset=utf-8"), true);
 * assert.equal(declaresJson("text/plain"), false);
 * ```
 */
export function declaresJson(contentType: string | null | undefined): boolean {
  const subtype = mediaType(contentType).split("/")[1] ?? "";
  return subtype === "json" || subtype.endsWith("+json");
}

const FORM = "application/x-www-form-urlencoded";
const MULTIPART = "multipart/form-data";

/** Types that do not say how to read a body: none, `text/plain`, `application/octet-stream`. */
function isGeneric(type: string): boolean {
  return type === "" || !type.includes("/") || type === "text/plain" ||
    type === "application/octet-stream";
}

/**
 * Where a multipart body's file texts are, on its fields: `redact:` withholds them as it
 * withholds a text body (docs/bodies.md#secrets-in-bodies-the-rules-cannot-read-as-fields).
 * Not enumerable: the rules, the trace and comparisons see only the fields.
 */
const FILE_TEXTS: unique symbol = Symbol("mirage.fileTexts");

/** A path of keys and indexes from a body's fields to one value. */
type ValuePath = readonly (string | number)[];

/**
 * The paths of the file parts' `text` in a payload read from a multipart body; none for any
 * other payload.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileTextPaths, payloadOf, readPayload } from "./payload.ts";
 * const body = '--B\r\nContent-Disposition: form-data; name="doc"; filename="a.txt"\r\n\r\nhi\r\n--B--';
 * const payload = payloadOf(readPayload(body, "multipart/form-data; boundary=B"));
 * assert.deepEqual(payload, { doc: { filename: "a.txt", content_type: "text/plain", size: 2, text: "hi" } });
 * assert.deepEqual(fileTextPaths(payload), [["doc", "text"]]);
 * assert.deepEqual(fileTextPaths({ doc: "hi" }), []);
 * ```
 */
export function fileTextPaths(payload: unknown): readonly ValuePath[] {
  if (typeof payload !== "object" || payload === null) return [];
  return (payload as { [FILE_TEXTS]?: readonly ValuePath[] })[FILE_TEXTS] ?? [];
}

/** Text decoded leniently as UTF-8, as Node's `Buffer#toString`, Python and werkzeug read it. */
function textOf(body: Uint8Array | string): string {
  return typeof body === "string" ? body : decode(body, "utf-8");
}

/**
 * Why text that starts with a UTF-16 or UTF-32 byte-order mark cannot be read as one text:
 * Node, Python and werkzeug read it as UTF-8 (the mark as two U+FFFD, the ASCII after it as
 * written), .NET's readers and WHATWG's decode by the mark (other characters altogether).
 * Undefined for any other text.
 */
function wideMarkProblem(bytes: Uint8Array | string, what: string): string | undefined {
  if (typeof bytes === "string" || bomEncoding(bytes) === undefined) return undefined;
  return `${what} starts with a UTF-16/32 byte-order mark: upstreams read it as UTF-8 or by the ` +
    "mark, as other text; send UTF-8 (or declare application/json)";
}

/** A file part as the rules read it: its name, type and size, and its content as text. */
function filePart(part: MultipartPart): FieldValue {
  return {
    filename: part.filename as string,
    // RFC 7578 §4.4: a part without a content-type is text/plain.
    content_type: part.contentType ?? "text/plain",
    size: part.content.length,
    text: textOf(part.content),
  };
}

/** The paths to the values in `files`, depth first. */
function pathsTo(value: unknown, files: ReadonlySet<unknown>, at: ValuePath, out: ValuePath[]) {
  if (files.has(value)) out.push([...at, "text"]);
  else if (Array.isArray(value)) value.forEach((v, i) => pathsTo(v, files, [...at, i], out));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) pathsTo(v, files, [...at, k], out);
  }
}

function uninspectable(reason: string, body: Uint8Array | string): PayloadReading {
  return { kind: "uninspectable", reason, text: textOf(body) };
}

function multipartReading(body: Uint8Array | string, contentType: string): PayloadReading {
  const boundary = boundaryOf(contentType);
  if (!boundary.ok) return uninspectable(`multipart body: ${boundary.error}`, body);
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const read = readMultipart(bytes, boundary.boundary);
  if (!read.ok) return uninspectable(read.error, body);
  for (const p of read.parts) {
    const problem = wideMarkProblem(p.content, `multipart part '${p.name}'`);
    if (problem) return uninspectable(problem, body);
  }
  const files = new Set<FieldValue>();
  const entries = read.parts.map((p): [string, FieldValue] => {
    if (p.filename === undefined) return [p.name, textOf(p.content)];
    const file = filePart(p);
    files.add(file);
    return [p.name, file];
  });
  const form = formFields(entries);
  if (!form.ok) return uninspectable(form.error, body);
  if (files.size > 0) {
    const paths: ValuePath[] = [];
    pathsTo(form.fields, files, [], paths);
    Object.defineProperty(form.fields, FILE_TEXTS, { value: paths });
  }
  return { kind: "multipart", value: form.fields };
}

/**
 * A declared form's fields. Where `;` or blanks after `&` would make other fields (Python before
 * 3.9.2 and Django before 3.2 end a field at `;`, Rack drops blanks after `&`), upstreams
 * disagree on the form: it is not read.
 */
function formReading(body: Uint8Array | string): PayloadReading {
  const problem = wideMarkProblem(body, "the form");
  if (problem) return uninspectable(problem, body);
  const text = textOf(body);
  const form = readFormFields(text);
  if (!form.ok) return uninspectable(form.error, body);
  if (/;|&[ \t]/.test(text)) {
    const lenient = readFormFieldsLeniently(text);
    if (!lenient.ok || JSON.stringify(lenient.fields) !== JSON.stringify(form.fields)) {
      return uninspectable(
        "form reads as other fields where ';' also ends a field or blanks after '&' are dropped " +
          "(Python before 3.9.2, Django before 3.2, Rack)",
        body,
      );
    }
  }
  return { kind: "form", value: form.fields };
}

/**
 * Reads a body as the rules see it, by its declared type (the reading an upstream that declared
 * it takes): a form is read as fields, a multipart body as its parts, JSON as JSON. A body whose
 * type does not say how to read it (none, `text/plain`, `application/octet-stream`) is JSON
 * where it parses, else text — unless it also reads as form fields: then the readings give
 * different fields and Mirage cannot know which one the upstream takes, so it is
 * `uninspectable` (declaring the type resolves it). A body of another type is JSON where it
 * parses, else text. Declared JSON that does not parse, a form whose names contradict each
 * other and a multipart body that does not parse are `uninspectable` too. The `charset`
 * parameter is not used: upstreams disagree on it (Node's `Buffer#toString` and Python's
 * `json.loads(bytes)` ignore it), so trusting it would let a client make Mirage read other text
 * than the upstream does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPayload } from "@mirage/core";
 * const bytes = new Uint8Array([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"t":"\xff"}
 * assert.deepEqual(readPayload(bytes, "application/json"), { kind: "json", value: { t: "\uFFFD" } });
 * assert.deepEqual(readPayload("amount=5&tags=a&tags=b", "application/x-www-form-urlencoded"), {
 *   kind: "form",
 *   value: { amount: "5", tags: ["a", "b"] },
 * });
 * const both = '["x","&destination_url=https://pastebin.com/raw/x&"]';
 * assert.deepEqual(readPayload(both, "application/x-www-form-urlencoded"), {
 *   kind: "form",
 *   value: { '["x","': "", destination_url: "https://pastebin.com/raw/x", '"]': "" },
 * });
 * assert.equal(readPayload(both, "text/plain").kind, "uninspectable");
 * ```
 */
export function readPayload(
  body: Uint8Array | string | undefined,
  contentType: string | null | undefined,
): PayloadReading {
  if (body === undefined || body.length === 0) return { kind: "empty" };
  const type = mediaType(contentType);
  if (type === MULTIPART) return multipartReading(body, contentType as string);
  if (type === FORM) return formReading(body);
  const jsonText = typeof body === "string" ? body : decode(body, jsonEncoding(body));
  const json = parseJson(jsonText);
  if (declaresJson(contentType)) {
    return json.ok
      ? { kind: "json", value: json.value }
      : uninspectable(`declared as JSON but is not JSON (${json.error})`, body);
  }
  const problem = json.ok ? undefined : wideMarkProblem(body, "the body");
  if (problem) return uninspectable(problem, body);
  if (isGeneric(type) && readsAsForm(textOf(body))) {
    const as = json.ok ? "JSON" : "text";
    return uninspectable(
      `its content-type does not say how to read it, and it reads as form fields and as ${as}: ` +
        `declare application/json or ${FORM}`,
      body,
    );
  }
  return json.ok ? { kind: "json", value: json.value } : { kind: "text", value: textOf(body) };
}

/**
 * The value rules read as `payload` for a reading: the JSON value, the fields, the text, or
 * `undefined` for an empty body. An uninspectable body gives its text (for the record; the
 * surfaces do not decide on it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { payloadOf, readPayload } from "./payload.ts";
 * assert.deepEqual(payloadOf(readPayload('{"a":1}', null)), { a: 1 });
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
