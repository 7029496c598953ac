/**
 * Form bodies as fields (docs/bodies.md): `application/x-www-form-urlencoded`, and the parts of
 * `multipart/form-data` (`src/engine/multipart.ts`). A field name is a path,
 * the way Rails, PHP, Spring and `qs` read it: `payment.card_number`, `payment[card_number]`
 * and `payment[card][number]` are nested keys, so that a rule or a `redact:` entry written
 * `payload.payment.card_number` reads the same value however the form spells it. A repeated
 * name, or one ending in `[]`, is a list; an object whose keys are all indexes (`items[0]`,
 * `items[1]`) is a list in index order.
 *
 * @module
 */

/**
 * The fields of a form, or why its names cannot be read as one set of fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FormFields, readFormFields } from "./form_fields.ts";
 * const f: FormFields = readFormFields("amount=5");
 * assert.deepEqual(f, { ok: true, fields: { amount: "5" } });
 * assert.deepEqual(readFormFields("a=1&a[b]=2"), {
 *   ok: false,
 *   error: "form field 'a' is both a value and a group of fields",
 * });
 * ```
 */
export type FormFields =
  | { readonly ok: true; readonly fields: Record<string, unknown> }
  | { readonly ok: false; readonly error: string };

/** One step of a field name: a key, or `[]` (append to a list). */
type NameStep = string | null;

/** `head`, then `.key`, `[key]` or a final `[]` (inside brackets, a dot is part of the key). */
const NAME = /^([^.[\]]+)((?:\.[^.[\]]+|\[[^[\]]+\])*)(\[\])?$/;
const STEP = /\.([^.[\]]+)|\[([^[\]]+)\]/g;

/** The steps of a field name; a name outside the grammar is one flat key, as written. */
function stepsOf(name: string): NameStep[] {
  const m = NAME.exec(name);
  if (!m) return [name];
  const steps: NameStep[] = [m[1] as string];
  for (const s of (m[2] ?? "").matchAll(STEP)) steps.push((s[1] ?? s[2]) as string);
  if (m[3]) steps.push(null);
  return steps;
}

type Node = Record<string, unknown>;

/**
 * A field's value: its text, or an object that stands for a whole part (a file of a multipart
 * body), which is a value like a text and never a group of fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FieldValue, formFields } from "./form_fields.ts";
 * const file: FieldValue = { filename: "a.txt", content_type: "text/plain", size: 2, text: "hi" };
 * // A file is one value: its keys are not read as the fields `doc.filename`, `doc.size`, ...
 * assert.deepEqual(formFields([["doc", file]]), { ok: true, fields: { doc: file } });

 * ```
 */
export type FieldValue = string | Readonly<Record<string, unknown>>;

/** The fields being built, and which of their objects are values (not groups of fields). */
interface Building {
  readonly root: Node;
  readonly values: ReadonlySet<unknown>;
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isGroup(b: Building, v: unknown): v is Node {
  return isNode(v) && !b.values.has(v);
}

/** Sets an own property, so that a field named `__proto__` is data, as in `JSON.parse`. */
function define(node: Node, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value at `key`: a second value for the same name makes a list. */
function addLeaf(
  b: Building,
  node: Node,
  key: string,
  value: FieldValue,
  list: boolean,
): string | undefined {
  const prior = Object.hasOwn(node, key) ? node[key] : undefined;
  if (prior === undefined) define(node, key, list ? [value] : value);
  else if (Array.isArray(prior)) prior.push(value);
  else if (!isGroup(b, prior)) define(node, key, [prior, value]);
  else return key;
  return undefined;
}

/** Adds one field; returns the name part that contradicts an earlier field, if one does. */
function addField(b: Building, steps: readonly NameStep[], value: FieldValue): string | undefined {
  let node = b.root;
  const list = steps.at(-1) === null;
  const keys = (list ? steps.slice(0, -1) : steps) as string[];
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i] as string;
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next !== undefined && !isGroup(b, next)) return keys.slice(0, i + 1).join(".");
    const child = next ?? {};
    if (next === undefined) define(node, key, child);
    node = child;
  }
  const leaf = addLeaf(b, node, keys.at(-1) as string, value, list);
  return leaf === undefined ? undefined : keys.join(".");
}

const INDEX = /^(?:0|[1-9]\d{0,8})$/;

/** Groups keyed by indexes only become lists, in index order (JavaScript orders such keys). */
function listsOfIndexes(b: Building, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => listsOfIndexes(b, v));
  if (!isGroup(b, value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => INDEX.test(k))) {
    return keys.map((k) => listsOfIndexes(b, value[k]));
  }
  for (const k of keys) define(value, k, listsOfIndexes(b, value[k]));
  return value;
}

/**
 * Reads named values into fields, the names as paths. Names that contradict each other
 * (`a=1&a[b]=2`: is `a` a value or a group of fields?) have no one reading, so they are not read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formFields } from "./form_fields.ts";
 * const file = { filename: "a.txt", content_type: "text/plain", size: 2, text: "hi" };
 * assert.deepEqual(formFields([["note", "x"], ["docs[]", file], ["docs[]", file]]), {
 *   ok: true,
 *   fields: { note: "x", docs: [file, file] },
 * });
 * ```
 */
export function formFields(entries: Iterable<readonly [string, FieldValue]>): FormFields {
  const b: Building = { root: {}, values: new Set() };
  for (const [name, value] of entries) {
    if (typeof value !== "string") (b.values as Set<unknown>).add(value);
    const clash = addField(b, stepsOf(name), value);
    if (clash !== undefined) {
      return { ok: false, error: `form field '${clash}' is both a value and a group of fields` };
    }
  }
  return { ok: true, fields: listsOfIndexes(b, b.root) as Record<string, unknown> };
}

/**
 * Reads a form body's text into fields (see {@link formFields}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFormFields } from "./form_fields.ts";
 * assert.deepEqual(readFormFields("payment[card_number]=4111&items[0][sku]=A&items[1][sku]=B"), {
 *   ok: true,
 *   fields: { payment: { card_number: "4111" }, items: [{ sku: "A" }, { sku: "B" }] },
 * });
 * ```
 */
export function readFormFields(text: string): FormFields {
  return formFields(new URLSearchParams(text));
}

/**
 * Where some form parser ends a field: at `&` or `;` (Python's `parse_qsl` before 3.9.2, Django
 * before 3.2), and without the blanks after `&` (Rack).
 */
const LENIENT_SEPARATOR = /[&;][ \t]*/g;

/**
 * The fields a form's text gives where `;` also ends a field (Python before 3.9.2, Django before
 * 3.2) and blanks after a separator are dropped (Rack); the same as `readFormFields` gives for a
 * text that has neither.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFormFieldsLeniently } from "./form_fields.ts";
 * assert.deepEqual(readFormFieldsLeniently("a=1;b=2& c=3"), { ok: true, fields: { a: "1", b: "2", c: "3" } });
 * ```
 */
export function readFormFieldsLeniently(text: string): FormFields {
  return readFormFields(text.replace(LENIENT_SEPARATOR, "&"));
}

/** A name a client sends for a form field: letters, digits, `_ - . $ @` and brackets. */
const FIELD_NAME = /^[\p{L}\p{N}_\-.$@[\]]+$/u;

/**
 * Whether some form parser reads a named field from a text: a `name=value` pair, ended by `&`
 * or `;`, whose name (decoded, blanks before it dropped) is one a client would send. A JSON text
 * holds one only inside a string (`{"u":"…&destination_url=…"}`); plain prose rarely does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readsAsForm } from "./form_fields.ts";
 * assert.equal(readsAsForm('["x","&destination_url=https://pastebin.com/raw/x&"]'), true);
 * assert.equal(readsAsForm('{"q":"a=b"}'), false);
 * ```
 */
export function readsAsForm(text: string): boolean {
  if (!text.includes("=")) return false;
  for (const pair of text.split(/[&;]/)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const name = new URLSearchParams(`${pair.slice(0, eq)}=`).keys().next().value ?? "";
    if (FIELD_NAME.test(name.trimStart())) return true;
  }
  return false;
}
