/**
 * Field paths compiled into getters, once, so that reading a field at decision time is a
 * few property loads.
 */

import { type FieldPath, type FieldStep, parseFieldPath } from "../config/field_path.ts";
import type { Action } from "./action.ts";

/**
 * Marks an absent field; distinct from `undefined`, `null` and every JSON value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFieldGetter, MISSING } from "./field_getter.ts";
 * import { toolAction } from "./action.ts";
 * const note = compileFieldGetter("payload.note");
 * assert.equal(note(toolAction({ tool: "t", args: {} })), MISSING);
 * assert.equal(note(toolAction({ tool: "t", args: { note: null } })), null);
 * ```
 */
export const MISSING: unique symbol = Symbol("missing");

/**
 * Reads one field. A path with `[*]` returns the array of selected values, with {@link MISSING}
 * for an element that lacks the rest of the path (empty = nothing selected); any other path
 * returns the value or {@link MISSING}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFieldGetter, type FieldGetter, MISSING } from "./field_getter.ts";
 * import { toolAction } from "./action.ts";
 * const skus: FieldGetter = compileFieldGetter("payload.items[*].sku");
 * assert.equal(skus.wildcard, true);
 * assert.equal(skus.source, "payload.items[*].sku");
 * const action = toolAction({ tool: "order", args: { items: [{ sku: "a" }, {}] } });
 * assert.deepEqual(skus(action), ["a", MISSING]);
 * ```
 */
export interface FieldGetter {
  (action: Action): unknown;
  /** True when the getter returns an array of every selected value. */
  readonly wildcard: boolean;
  /** The path as written. */
  readonly source: string;
}

type Step = (value: unknown) => unknown;

function own(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object") return MISSING;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : MISSING;
}

function keyStep(key: string): Step {
  return (value) => own(value, key);
}

function indexStep(index: number): Step {
  return (value) => Array.isArray(value) && index < value.length ? value[index] : MISSING;
}

function rootOf(path: FieldPath): (action: Action) => unknown {
  const root = path.root;
  return (action) => {
    const value = (action as unknown as Record<string, unknown>)[root];
    return value === undefined ? MISSING : value;
  };
}

function compileSingle(
  path: FieldPath,
  root: (a: Action) => unknown,
  steps: readonly FieldStep[],
): Step {
  const first = steps[0];
  // The common `payload.amount`: one key below the root, without the loop over step closures;
  // the payload and headers, which every action has, read by name (`own` of none is missing).
  if (steps.length === 1 && first?.kind === "key") {
    const key = first.key;
    if (path.root === "payload") return (action) => own((action as Action).payload, key);
    if (path.root === "headers") return (action) => own((action as Action).headers, key);
    return (action) => {
      const value = root(action as Action);
      return value === MISSING ? MISSING : own(value, key);
    };
  }
  const fns = steps.map((s) =>
    s.kind === "key" ? keyStep(s.key) : indexStep(s.kind === "index" ? s.index : 0)
  );
  return (action) => {
    let value = root(action as Action);
    for (let i = 0; i < fns.length && value !== MISSING; i++) value = (fns[i] as Step)(value);
    return value;
  };
}

/**
 * Collects every value a wildcard path selects, depth first, in document order. An element
 * that lacks the rest of the path is collected as {@link MISSING}, so that a rule over
 * `items[*].price` cannot be passed by an item without a price.
 */
function collect(
  value: unknown,
  steps: readonly FieldStep[],
  at: number,
  out: unknown[],
  inElement: boolean,
): void {
  if (value === MISSING || at === steps.length) {
    if (value !== MISSING || inElement) out.push(value);
    return;
  }
  const step = steps[at] as FieldStep;
  if (step.kind === "all") {
    if (Array.isArray(value)) { for (const v of value) collect(v, steps, at + 1, out, true); }
    else if (inElement) out.push(MISSING);
    return;
  }
  const next = step.kind === "key" ? own(value, step.key) : indexStep(step.index)(value);
  collect(next, steps, at + 1, out, inElement);
}

/**
 * Compiles a field path (text or parsed) into a getter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFieldGetter } from "./field_getter.ts";
 * import { httpAction } from "./action.ts";
 * const action = httpAction({
 *   method: "POST",
 *   url: "http://x.test/bids?page=2",
 *   headers: { "X-Team": "ops" },
 *   json: { lines: [{ amount: 3 }, { amount: 4 }] },
 * });
 * assert.equal(compileFieldGetter("query.page")(action), "2");
 * assert.equal(compileFieldGetter("headers.x-team")(action), "ops");
 * assert.equal(compileFieldGetter("payload.lines[1].amount")(action), 4);
 * ```
 */
export function compileFieldGetter(path: string | FieldPath): FieldGetter {
  const parsed = typeof path === "string" ? parseFieldPath(path) : path;
  const root = rootOf(parsed);
  const fn = parsed.wildcard
    ? (action: Action) => {
      const out: unknown[] = [];
      collect(root(action), parsed.steps, 0, out, false);
      return out;
    }
    : compileSingle(parsed, root, parsed.steps);
  return Object.assign(fn, { wildcard: parsed.wildcard, source: parsed.source }) as FieldGetter;
}
