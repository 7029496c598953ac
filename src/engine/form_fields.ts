/**
 * `application/x-www-form-urlencoded` bodies as fields (docs/bodies.md). A field name is a path,
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
 * import type { FormFields } from "./form_fields.ts";
 * const f: FormFields = { ok: true, fields: { amount: "5" } };
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

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets an own property, so that a field named `__proto__` is data, as in `JSON.parse`. */
function define(node: Node, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A leaf value at `key`: a second value for the same name makes a list. */
function addLeaf(node: Node, key: string, value: string, list: boolean): string | undefined {
  const prior = Object.hasOwn(node, key) ? node[key] : undefined;
  if (prior === undefined) define(node, key, list ? [value] : value);
  else if (typeof prior === "string") define(node, key, [prior, value]);
  else if (Array.isArray(prior)) prior.push(value);
  else return key;
  return undefined;
}

/** Adds one field; returns the name part that contradicts an earlier field, if one does. */
function addField(root: Node, steps: readonly NameStep[], value: string): string | undefined {
  let node = root;
  const list = steps.at(-1) === null;
  const keys = (list ? steps.slice(0, -1) : steps) as string[];
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i] as string;
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next !== undefined && !isNode(next)) return keys.slice(0, i + 1).join(".");
    const child = next ?? {};
    if (next === undefined) define(node, key, child);
    node = child;
  }
  const leaf = addLeaf(node, keys.at(-1) as string, value, list);
  return leaf === undefined ? undefined : keys.join(".");
}

const INDEX = /^(?:0|[1-9]\d{0,8})$/;

/** Objects keyed by indexes only become lists, in index order (JavaScript orders such keys). */
function listsOfIndexes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(listsOfIndexes);
  if (!isNode(value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => INDEX.test(k))) {
    return keys.map((k) => listsOfIndexes(value[k]));
  }
  for (const k of keys) define(value, k, listsOfIndexes(value[k]));
  return value;
}

/**
 * Reads a form body's text into fields. Names that contradict each other (`a=1&a[b]=2`: is `a`
 * a value or an object?) have no one reading, so the form is not read.
 *
 * @example
 * ```ts
 * import { readFormFields } from "./form_fields.ts";
 * readFormFields("payment[card_number]=4111&items[0][sku]=A&items[1][sku]=B");
 * // { ok: true, fields: { payment: { card_number: "4111" }, items: [{ sku: "A" }, { sku: "B" }] } }
 * ```
 */
export function readFormFields(text: string): FormFields {
  const root: Node = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const clash = addField(root, stepsOf(name), value);
    if (clash !== undefined) {
      return { ok: false, error: `form field '${clash}' is both a value and a group of fields` };
    }
  }
  return { ok: true, fields: listsOfIndexes(root) as Record<string, unknown> };
}
