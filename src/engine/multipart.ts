/**
 * `multipart/form-data` bodies (RFC 7578) split into their parts (docs/bodies.md#multipart).
 * The reading is strict: wherever parsers disagree on a body — a preamble, a part without a
 * name, `name*=`, a `\"` or `\\` escape, a transfer encoding, a boundary string in a part that is
 * not a delimiter, a body cut before its close delimiter — it is not read, so that no part an
 * upstream reads can be one the rules did not see. (Deno's own `formData()` drops a part
 * without a name and returns the parts before a cut silently.)
 *
 * @module
 */

/**
 * One part of a multipart body.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MultipartPart, readMultipart } from "./multipart.ts";
 * const body = '--B\r\nContent-Disposition: form-data; name="doc"; filename="a.txt"\r\n' +
 *   "Content-Type: text/plain\r\n\r\nhi\r\n--B--\r\n";
 * const r = readMultipart(new TextEncoder().encode(body), "B");
 * assert.ok(r.ok);
 * const p: MultipartPart = r.parts[0]!;
 * assert.equal(p.name, "doc");
 * assert.equal(p.filename, "a.txt");
 * assert.equal(new TextDecoder().decode(p.content), "hi");
 * ```
 */
export interface MultipartPart {
  /** The `name` of its `Content-Disposition`. */
  readonly name: string;
  /** The `filename` of its `Content-Disposition`: present (maybe empty) for a file. */
  readonly filename?: string;
  /** Its `Content-Type`, as sent. */
  readonly contentType?: string;
  /** Its content, as sent. */
  readonly content: Uint8Array;
}

/**
 * The parts of a multipart body, or why it cannot be read as one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MultipartParts, readMultipart } from "./multipart.ts";
 * // A preamble before the first delimiter: parsers disagree on it, so the body is not read.
 * const body = 'hello\r\n--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--B--';
 * const r: MultipartParts = readMultipart(new TextEncoder().encode(body), "B");
 * assert.equal(r.ok, false);

 * ```
 */
export type MultipartParts =
  | { readonly ok: true; readonly parts: readonly MultipartPart[] }
  | { readonly ok: false; readonly error: string };

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/**
 * `; name=value` with a token or a quoted value. Parsers disagree on `\"` and `\\` in a quoted
 * value (werkzeug unescapes them, Node and Deno do not), so a quoted value holds neither; any
 * other backslash (`C:\dir`) is kept as written, as all of them keep it.
 */
const PARAM =
  `;[ \\t]*(${TOKEN})[ \\t]*=[ \\t]*(?:"((?:[^"\\\\]|\\\\(?!["\\\\]))*)"|([^\\s;"\\\\]+))[ \\t]*`;
const HEADER = new RegExp(`^(${TOKEN}):[ \\t]*(.*?)[ \\t]*$`);
/** RFC 2046 §5.1.1: 1 to 70 of these, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const SAME_BYTES = new Set(["7bit", "8bit", "binary"]);

type Params = { readonly ok: true; readonly params: Map<string, string[]> } | {
  readonly ok: false;
};

/** The parameters after `at` in a header value, by lower-case name; all of it must parse. */
function paramsOf(value: string, at: number): Params {
  const params = new Map<string, string[]>();
  const param = new RegExp(PARAM, "y");
  param.lastIndex = at;
  while (param.lastIndex < value.length) {
    const m = param.exec(value);
    if (!m) return { ok: false };
    const name = (m[1] as string).toLowerCase();
    params.set(name, [...params.get(name) ?? [], (m[2] ?? m[3]) as string]);
  }
  return { ok: true, params };
}

/** The one value of a parameter; `null` when it is given more than once. */
function single(params: Map<string, string[]>, name: string): string | undefined | null {
  const values = params.get(name);
  if (values === undefined) return undefined;
  return values.length === 1 ? values[0] as string : null;
}

/**
 * The boundary a `multipart/form-data` content-type names, or why it names none that every
 * parser would take.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { boundaryOf } from "./multipart.ts";
 * assert.deepEqual(boundaryOf('multipart/form-data; boundary="a b"'), { ok: true, boundary: "a b" });
 * assert.equal(boundaryOf("multipart/form-data").ok, false);
 * ```
 */
export function boundaryOf(
  contentType: string,
): { readonly ok: true; readonly boundary: string } | {
  readonly ok: false;
  readonly error: string;
} {
  const semi = contentType.indexOf(";");
  const parsed = semi < 0 ? undefined : paramsOf(contentType.trimEnd(), semi);
  if (parsed && !parsed.ok) return { ok: false, error: "its content-type parameters do not parse" };
  const boundary = parsed ? single(parsed.params, "boundary") : undefined;
  if (boundary === undefined) return { ok: false, error: "its content-type names no boundary" };
  if (boundary === null) return { ok: false, error: "its content-type names two boundaries" };
  if (!BOUNDARY.test(boundary)) {
    return { ok: false, error: "its boundary is not 1 to 70 of the characters RFC 2046 allows" };
  }
  return { ok: true, boundary };
}

/** Where `needle` starts in `hay` at or after `from`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] as number;
  const last = hay.length - needle.length;
  for (
    let at = hay.indexOf(first, from);
    at !== -1 && at <= last;
    at = hay.indexOf(first, at + 1)
  ) {
    let i = 1;
    while (i < needle.length && hay[at + i] === needle[i]) i++;
    if (i === needle.length) return at;
  }
  return -1;
}

function startsWith(hay: Uint8Array, needle: Uint8Array, at: number): boolean {
  if (at + needle.length > hay.length) return false;
  for (let i = 0; i < needle.length; i++) if (hay[at + i] !== needle[i]) return false;
  return true;
}

const ascii = (s: string) => new TextEncoder().encode(s);
const CRLF = ascii("\r\n");
const DASHES = ascii("--");
const HEAD_END = ascii("\r\n\r\n");
const UTF8 = new TextDecoder();

type Head =
  | { readonly ok: true; readonly part: Omit<MultipartPart, "content"> }
  | { readonly ok: false; readonly error: string };

/** A part's header section: one `Content-Disposition: form-data` with one `name`. */
function readHead(text: string): Head {
  if (text === "") return { ok: false, error: "a part has no content-disposition" };
  const headers = new Map<string, string[]>();
  for (const line of text.split("\r\n")) {
    const m = HEADER.exec(line);
    if (!m) return { ok: false, error: "a part has a header line that does not parse" };
    const name = (m[1] as string).toLowerCase();
    headers.set(name, [...headers.get(name) ?? [], m[2] as string]);
  }
  for (const name of ["content-disposition", "content-type", "content-transfer-encoding"]) {
    if ((headers.get(name)?.length ?? 0) > 1) {
      return { ok: false, error: `a part has two ${name} headers` };
    }
  }
  const coding = headers.get("content-transfer-encoding")?.[0]?.toLowerCase();
  if (coding !== undefined && !SAME_BYTES.has(coding)) {
    return { ok: false, error: `a part has content-transfer-encoding ${coding}` };
  }
  const disposition = headers.get("content-disposition")?.[0];
  if (disposition === undefined) return { ok: false, error: "a part has no content-disposition" };
  if (!/^form-data(?=;|$)/i.test(disposition)) {
    return { ok: false, error: "a part's content-disposition is not form-data" };
  }
  const parsed = paramsOf(disposition, "form-data".length);
  if (!parsed.ok) return { ok: false, error: "a part's content-disposition does not parse" };
  const { params } = parsed;
  if (params.has("name*") || params.has("filename*")) {
    return { ok: false, error: "a part names itself with name* or filename* (RFC 5987)" };
  }
  const name = single(params, "name");
  const filename = single(params, "filename");
  if (typeof name !== "string") return { ok: false, error: "a part has no name, or two" };
  if (filename === null) return { ok: false, error: "a part has two filenames" };
  const contentType = headers.get("content-type")?.[0];
  return {
    ok: true,
    part: {
      name,
      ...(filename === undefined ? {} : { filename }),
      ...(contentType === undefined ? {} : { contentType }),
    },
  };
}

/**
 * Splits a multipart body into its parts. The body starts with its first delimiter and ends
 * with the close delimiter (and at most a line break); every part has one
 * `Content-Disposition: form-data` with one `name`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMultipart } from "./multipart.ts";
 * const body = new TextEncoder().encode(
 *   '--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--XyZ--\r\n',
 * );
 * const r = readMultipart(body, "XyZ");
 * assert.deepEqual(r.ok && r.parts.map((p) => [p.name, new TextDecoder().decode(p.content)]), [["note", "hi"]]);
 * assert.equal(readMultipart(body.subarray(0, 40), "XyZ").ok, false); // cut before its end
 * ```
 */
export function readMultipart(body: Uint8Array, boundary: string): MultipartParts {
  const dashBoundary = ascii(`--${boundary}`);
  const delimiter = ascii(`\r\n--${boundary}`);
  if (!startsWith(body, dashBoundary, 0)) {
    return { ok: false, error: "multipart body does not start with its boundary" };
  }
  const parts: MultipartPart[] = [];
  let at = dashBoundary.length;
  while (!startsWith(body, DASHES, at)) {
    if (!startsWith(body, CRLF, at)) {
      return { ok: false, error: "multipart body has its boundary followed by other characters" };
    }
    const headEnd = indexOf(body, HEAD_END, at);
    const next = headEnd < 0 ? -1 : indexOf(body, delimiter, headEnd + HEAD_END.length);
    if (next < 0) return { ok: false, error: "multipart body ends before its close delimiter" };
    if (indexOf(body, delimiter, at) < headEnd) {
      return { ok: false, error: "multipart body has a part whose headers do not end" };
    }
    const head = readHead(UTF8.decode(body.subarray(at + CRLF.length, headEnd)));
    if (!head.ok) return { ok: false, error: `multipart body: ${head.error}` };
    const content = body.subarray(headEnd + HEAD_END.length, next);
    // RFC 2046 §5.1.1: the boundary never occurs in a part. Where it does (after a bare line
    // feed, say), parsers split the body differently (werkzeug starts a part there).
    if (indexOf(content, dashBoundary, 0) >= 0) {
      return {
        ok: false,
        error: `multipart body has its boundary inside part '${head.part.name}'`,
      };
    }
    parts.push({ ...head.part, content });
    at = next + delimiter.length;
  }
  const rest = body.length - at - DASHES.length;
  if (rest !== 0 && !(rest === CRLF.length && startsWith(body, CRLF, body.length - 2))) {
    return { ok: false, error: "multipart body has data after its close delimiter" };
  }
  return { ok: true, parts };
}
