/**
 * Redaction of secrets before an event reaches disk: the default credential headers, and every
 * header, query or payload path listed under `redact:` — in the request and in any decision
 * that read that field.
 */

import { type FieldPath, type FieldStep, parseFieldPath } from "../config/field_path.ts";
import type { Decision } from "../engine/compile_policies.ts";
import type { TraceRequest } from "./event.ts";

/** What a redacted value is written as. */
export const REDACTED = "[REDACTED]";

const DEFAULT_HEADERS = ["authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"];

/** Which request record key each field root lives under (`payload` is `json` or `args`). */
function recordKey(root: FieldPath["root"], request: TraceRequest): keyof TraceRequest | undefined {
  if (root === "payload") return request.args !== undefined ? "args" : "json";
  return root === "headers" || root === "query" ? root : undefined;
}

/** One spelling per path, so that `amount` and `payload.amount` compare equal. */
function canonical(p: FieldPath): string {
  return [p.root, ...p.steps.map((s) => s.kind === "key" ? s.key : s.kind === "all" ? "*" : s.index)]
    .join("\u0000");
}

function redactAt(value: unknown, steps: readonly FieldStep[], at: number): unknown {
  if (at === steps.length) return REDACTED;
  const step = steps[at] as FieldStep;
  if (Array.isArray(value)) {
    if (step.kind === "key") return value;
    return value.map((v, i) => step.kind === "all" || i === step.index ? redactAt(v, steps, at + 1) : v);
  }
  if (value === null || typeof value !== "object" || step.kind !== "key") return value;
  if (!Object.hasOwn(value, step.key)) return value;
  const record = value as Record<string, unknown>;
  return { ...record, [step.key]: redactAt(record[step.key], steps, at + 1) };
}

/** A function that returns redacted copies of a request record and its decisions. */
export interface Redactor {
  /** Redacts a request record. */
  request(request: TraceRequest): TraceRequest;
  /** Redacts the `actual` of decisions that read a redacted field. */
  decisions(decisions: readonly Decision[]): Decision[];
}

/** Compiles the default list plus `redact:` paths into a redactor. */
export function compileRedactor(paths: readonly string[]): Redactor {
  const parsed = [...DEFAULT_HEADERS.map((h) => `headers.${h}`), ...paths].map(parseFieldPath);
  const secret = new Set(parsed.map(canonical));
  const readsSecret = (field: string) => {
    try {
      return secret.has(canonical(parseFieldPath(field)));
    } catch {
      return false;
    }
  };
  return {
    request(request) {
      let out = request;
      for (const p of parsed) {
        const key = recordKey(p.root, out);
        if (key && out[key] !== undefined) out = { ...out, [key]: redactAt(out[key], p.steps, 0) };
      }
      return out;
    },
    decisions(decisions) {
      return decisions.map((d) =>
        d.actual !== undefined && readsSecret(d.field) ? { ...d, actual: REDACTED } : d
      );
    },
  };
}
