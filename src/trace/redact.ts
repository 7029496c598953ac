/**
 * Redaction of secrets before an event reaches disk: the default credential headers, and every
 * header, query or payload path listed under `redact:` — in the request and in any decision
 * that read that field, a part of it, or a value that contains it (a parent object, the whole
 * payload, an index where `redact:` says `[*]`, the `url` when a query parameter is secret).
 * When payload paths are listed, a body that is text (not JSON, not form fields) is withheld
 * whole: its syntax must not decide whether a secret in it reaches disk.
 */

import { type FieldPath, type FieldStep, parseFieldPath } from "../config/field_path.ts";
import type { Decision } from "../engine/compile_policies.ts";
import type { TraceRequest } from "./event.ts";

/** What a redacted value is written as. */
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

function redactAt(value: unknown, steps: readonly FieldStep[], at: number): unknown {
  if (at === steps.length) return REDACTED;
  const step = steps[at] as FieldStep;
  if (Array.isArray(value)) {
    if (step.kind === "key") return value;
    return value.map((v, i) =>
      step.kind === "all" || i === step.index ? redactAt(v, steps, at + 1) : v
    );
  }
  if (value === null || typeof value !== "object" || step.kind !== "key") return value;
  if (!Object.hasOwn(value, step.key)) return value;
  const record = value as Record<string, unknown>;
  return { ...record, [step.key]: redactAt(record[step.key], steps, at + 1) };
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

/** A function that returns redacted copies of a request record and its decisions. */
export interface Redactor {
  /** Redacts a request record. */
  request(request: TraceRequest): TraceRequest;
  /** Redacts the `actual` of decisions that read a redacted field or a value containing one. */
  decisions(decisions: readonly Decision[]): Decision[];
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

/** Compiles the default list plus `redact:` paths into a redactor. */
export function compileRedactor(paths: readonly string[]): Redactor {
  const parsed = [...DEFAULT_HEADERS.map((h) => `headers.${h}`), ...paths].map(parseFieldPath);
  const secretQuery = parsed.some((p) => p.root === "query");
  /** Redacts what a rule read at `field`: the secrets at, below or above it. */
  // Decision fields come from the policy file, a finite set: parse each once, not per decision.
  const reads = new Map<string, FieldPath | null>();
  const parseRead = (field: string): FieldPath | null => {
    let read = reads.get(field);
    if (read === undefined) reads.set(field, read = readPath(field));
    return read;
  };
  const redactRead = (field: string, actual: unknown): unknown => {
    const read = parseRead(field);
    if (!read) return actual;
    if (read.root === "url" && secretQuery) return REDACTED;
    let out = actual;
    for (const p of parsed) {
      const r = relation(read, p);
      if (r === "inside" || (r === "above" && read.wildcard)) return REDACTED;
      // Text above a secret path has no fields to redact: the secret may be anywhere in it.
      if (r === "above" && typeof out === "string") return withheld(out);
      if (r === "above") out = redactAt(out, p.steps, read.steps.length);
    }
    return out;
  };
  const secretPayload = parsed.some((p) => p.root === "payload");
  return {
    request(request) {
      let out = request;
      if (secretPayload) out = withholdText(out);
      for (const p of parsed) {
        const key = recordKey(p.root, out);
        if (!key || out[key] === undefined) continue;
        // redactAt returns the value itself when the secret is not in it: nothing to copy.
        const redacted = redactAt(out[key], p.steps, 0);
        if (redacted !== out[key]) out = { ...out, [key]: redacted };
      }
      return out;
    },
    decisions(decisions) {
      return decisions.map((d) => {
        if (d.actual === undefined) return d;
        const actual = redactRead(d.field, d.actual);
        return actual === d.actual ? d : { ...d, actual };
      });
    },
  };
}
