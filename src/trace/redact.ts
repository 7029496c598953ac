/**
 * Redaction of secrets before an event reaches disk: the default credential headers, and every
 * header, query or payload path listed under `redact:` — in the request and in any decision
 * that read that field, a part of it, or a value that contains it (a parent object, the whole
 * payload, an index where `redact:` says `[*]`, the `url` when a query parameter is secret).
 * When payload paths are listed, a body that is text (not JSON, not form fields) is withheld
 * whole, and so is the text of a multipart body's file part: its syntax must not decide whether
 * a secret in it reaches disk.
 *
 * @module
 */

import { type FieldPath, type FieldStep, parseFieldPath } from "../config/field_path.ts";
import type { Decision } from "../engine/compile_policies.ts";
import { fileTextPaths } from "../engine/payload.ts";
import type { TraceRequest } from "./event.ts";

/**
 * What a redacted value is written as.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileRedactor, REDACTED } from "./redact.ts";
 * const request = compileRedactor([]).request({ headers: { cookie: "session=abc" } });
 * assert.equal(request.headers?.cookie, REDACTED);
 * ```
 */
export const REDACTED = "[REDACTED]";

/**
 * What a body is written as when it could not be read as fields while `redact:` lists payload
 * paths: the secret may be anywhere in its text. Its length says how much was withheld; no
 * digest, which would let a short secret (a card number) be found by trying them all.
 */
function withheld(text: string): string {
  return `[WITHHELD: ${text.length} characters of text not read as fields; redact: lists payload paths]`;
}

const DEFAULT_HEADERS = [
  "authorization",
  "cookie",
  "set-cookie",
  "proxy-authorization",
  "x-api-key",
];

/** Which request record key each field root lives under (`payload` is `json` or `args`). */
function recordKey(root: FieldPath["root"], request: TraceRequest): keyof TraceRequest | undefined {
  if (root === "payload") return request.args !== undefined ? "args" : "json";
  return root === "headers" || root === "query" ? root : undefined;
}

/** What a secret is written as: `[REDACTED]`, or for a file's text what was withheld. */
type Mask = (value: unknown) => unknown;

const redacted: Mask = () => REDACTED;
const withholdFile: Mask = (v) => typeof v === "string" ? withheld(v) : REDACTED;

/** A path whose value must not reach disk, and what it is written as. */
interface Secret {
  readonly path: FieldPath;
  readonly mask: Mask;
}

function redactAt(value: unknown, steps: readonly FieldStep[], at: number, mask: Mask): unknown {
  if (at === steps.length) return mask(value);
  const step = steps[at] as FieldStep;
  if (Array.isArray(value)) {
    if (step.kind === "key") return value;
    return value.map((v, i) =>
      step.kind === "all" || i === step.index ? redactAt(v, steps, at + 1, mask) : v
    );
  }
  if (value === null || typeof value !== "object" || step.kind !== "key") return value;
  if (!Object.hasOwn(value, step.key)) return value;
  const record = value as Record<string, unknown>;
  return { ...record, [step.key]: redactAt(record[step.key], steps, at + 1, mask) };
}

/** The file texts of a multipart payload, as secrets written as withheld text. */
function fileSecrets(payload: unknown): Secret[] {
  return fileTextPaths(payload).map((steps) => ({
    path: {
      root: "payload",
      steps: steps.map((s): FieldStep =>
        typeof s === "number" ? { kind: "index", index: s } : { kind: "key", key: s }
      ),
      wildcard: false,
      source: ["payload", ...steps].join("."),
    },
    mask: withholdFile,
  }));
}

/** The record with a payload that is text (a body, or tool arguments) withheld. */
function withholdText(request: TraceRequest): TraceRequest {
  let out = request;
  for (const key of ["body", "json", "args"] as const) {
    const value = out[key];
    if (typeof value === "string") out = { ...out, [key]: withheld(value) };
  }
  return out;
}

/**
 * A function that returns redacted copies of a request record and its decisions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileRedactor, type Redactor } from "./redact.ts";
 * const redactor: Redactor = compileRedactor(["payload.card.number"]);
 * const [decision] = redactor.decisions([{
 *   policy: "card_present",
 *   passed: true,
 *   action: "block",
 *   field: "payload.card",
 *   operator: "exists",
 *   actual: { number: "4111111111111111", brand: "visa" },
 *   message: "a card is needed",
 * }]);
 * // The rule read the card: the secret inside it is redacted, the rest is kept.
 * assert.deepEqual(decision?.actual, { number: "[REDACTED]", brand: "visa" });
 * ```
 */
export interface Redactor {
  /** Redacts a request record. */
  request(request: TraceRequest): TraceRequest;
  /**
   * Redacts the `actual` of decisions that read a redacted field or a value containing one;
   * given the payload they read, also a multipart body's file texts.
   */
  decisions(decisions: readonly Decision[], payload?: unknown): Decision[];
}

/** A path step as text: a key, an index, or `*`. */
function stepText(s: FieldStep): string {
  return s.kind === "key" ? s.key : s.kind === "all" ? "*" : String(s.index);
}

/** Whether two steps can select the same value (`[*]` selects every index). */
function overlaps(a: FieldStep, b: FieldStep): boolean {
  const [x, y] = [stepText(a), stepText(b)];
  return x === y || (x === "*" && /^\d+$/.test(y)) || (y === "*" && /^\d+$/.test(x));
}

/**
 * How a field a rule read relates to a secret path: `inside` when the value read is the secret
 * or part of it, `above` when the secret is part of the value read, else `undefined`.
 */
function relation(field: FieldPath, secret: FieldPath): "inside" | "above" | undefined {
  if (field.root !== secret.root) return undefined;
  const shared = Math.min(field.steps.length, secret.steps.length);
  for (let i = 0; i < shared; i++) {
    if (!overlaps(field.steps[i] as FieldStep, secret.steps[i] as FieldStep)) return undefined;
  }
  return field.steps.length >= secret.steps.length ? "inside" : "above";
}

/** A decision's field as a path; `null` for what is not one (`expr`). */
function readPath(field: string): FieldPath | null {
  try {
    return parseFieldPath(field);
  } catch {
    return null;
  }
}

/**
 * Compiles the default list plus `redact:` paths into a redactor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileRedactor } from "./redact.ts";
 * const redactor = compileRedactor(["query.api_key", "payload.items[*].iban"]);
 * const request = redactor.request({
 *   headers: { authorization: "Bearer s3cret", accept: "application/json" },
 *   query: { api_key: "k-123", page: "2" },
 *   json: { items: [{ iban: "DE89370400440532013000", amount: 5 }] },
 * });
 * assert.deepEqual(request, {
 *   headers: { authorization: "[REDACTED]", accept: "application/json" },
 *   query: { api_key: "[REDACTED]", page: "2" },
 *   json: { items: [{ iban: "[REDACTED]", amount: 5 }] },
 * });
 * // A payload path is listed: a body that is not fields is withheld whole.
 * assert.match(String(redactor.request({ body: "iban=DE89…" }).body), /^\[WITHHELD: 10 characters/);
 * ```
 */
export function compileRedactor(paths: readonly string[]): Redactor {
  const parsed = [...DEFAULT_HEADERS.map((h) => `headers.${h}`), ...paths].map(parseFieldPath);
  const secrets: Secret[] = parsed.map((path) => ({ path, mask: redacted }));
  const secretQuery = parsed.some((p) => p.root === "query");
  const secretPayload = parsed.some((p) => p.root === "payload");
  /** The secrets of one payload: the file texts of a multipart body count when payload paths do. */
  const secretsOf = (payload: unknown): readonly Secret[] => {
    const files = secretPayload ? fileSecrets(payload) : [];
    return files.length ? [...secrets, ...files] : secrets;
  };
  /** Redacts what a rule read at `field`: the secrets at, below or above it. */
  // Decision fields come from the policy file, a finite set: parse each once, not per decision.
  const reads = new Map<string, FieldPath | null>();
  const parseRead = (field: string): FieldPath | null => {
    let read = reads.get(field);
    if (read === undefined) reads.set(field, read = readPath(field));
    return read;
  };
  const redactRead = (field: string, actual: unknown, among: readonly Secret[]): unknown => {
    const read = parseRead(field);
    if (!read) return actual;
    if (read.root === "url" && secretQuery) return REDACTED;
    let out = actual;
    for (const { path, mask } of among) {
      const r = relation(read, path);
      if (r === "inside") return mask(out);
      if (r === "above" && read.wildcard) return REDACTED;
      // Text above a secret path has no fields to redact: the secret may be anywhere in it.
      if (r === "above" && typeof out === "string") return withheld(out);
      if (r === "above") out = redactAt(out, path.steps, read.steps.length, mask);
    }
    return out;
  };
  return {
    request(request) {
      let out = request;
      const among = secretsOf(out.json);
      if (secretPayload) out = withholdText(out);
      for (const { path, mask } of among) {
        const key = recordKey(path.root, out);
        if (!key || out[key] === undefined) continue;
        // redactAt returns the value itself when the secret is not in it: nothing to copy.
        const value = redactAt(out[key], path.steps, 0, mask);
        if (value !== out[key]) out = { ...out, [key]: value };
      }
      return out;
    },
    decisions(decisions, payload) {
      const among = secretsOf(payload);
      return decisions.map((d) => {
        if (d.actual === undefined) return d;
        const actual = redactRead(d.field, d.actual, among);
        return actual === d.actual ? d : { ...d, actual };
      });
    },
  };
}
