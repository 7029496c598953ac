/**
 * An index of scoped items (rules, routes, prior-action selectors) by tool, host, path and
 * method, so that looking up an action touches only the items whose scope can match it.
 *
 * Hosts: exact names in a map, `*.suffix` patterns in a map walked label by label.
 * Paths: a trie of segments with a `{param}` branch and `/**` lists at each node; items whose
 * path ignores case sit in a second set of tries, built from lower-cased patterns and walked
 * with the lower-cased path.
 * Methods: a set per item, checked on the few items the trie yields.
 * An item scoped to a route and to tools (a side door) is in both the tries and the tool map.
 */

import type { Action, HttpAction } from "./action.ts";
import { normalisePath } from "./action.ts";
import { parsePathPattern } from "../config/path_pattern.ts";

/**
 * Where an item applies; an absent key applies everywhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Scope, ScopeIndex } from "./scope_index.ts";
 * import { httpAction } from "./action.ts";
 * const scope: Scope = { methods: new Set(["DELETE"]), host: "*.example.com" };
 * const index = new ScopeIndex([{ order: 0, scope }]);
 * const del = (url: string) => index.lookup(httpAction({ method: "DELETE", url })).length;
 * assert.equal(del("http://api.example.com/x"), 1);
 * assert.equal(del("http://example.org/x"), 0);
 * ```
 */
export interface Scope {
  /** Upper-case methods. */
  readonly methods?: ReadonlySet<string>;
  /** Path pattern: exact, `{param}` segments, trailing `/**`; lower case when `foldCase`. */
  readonly path?: string;
  /** The path ignores case: it matches the request's path lower-cased. */
  readonly foldCase?: boolean;
  /** Exact host or `*.suffix`, lower case. */
  readonly host?: string;
  /** Tool names. */
  readonly tools?: ReadonlySet<string>;
}

/**
 * Anything the index can hold: a scope and a position in file order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Scoped, ScopeIndex } from "./scope_index.ts";
 * import { toolAction } from "./action.ts";
 * interface Rule extends Scoped {
 *   readonly name: string;
 * }
 * const rules: Rule[] = [
 *   { name: "late", order: 1, scope: {} },
 *   { name: "refunds", order: 0, scope: { tools: new Set(["refund"]) } },
 * ];
 * const found = new ScopeIndex(rules).lookup(toolAction({ tool: "refund" }));
 * assert.deepEqual(found.map((r) => r.name), ["refunds", "late"]);
 * ```
 */
export interface Scoped {
  /** Position in file order; lookups return items in this order. */
  readonly order: number;
  /** Where the item applies. */
  readonly scope: Scope;
}

interface Node<T> {
  readonly literal: Map<string, Node<T>>;
  param: Node<T> | undefined;
  readonly here: T[];
  readonly rest: T[];
}

function node<T>(): Node<T> {
  return { literal: new Map(), param: undefined, here: [], rest: [] };
}

/**
 * Splits a normalised path into segments; `/` is one empty segment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentsOf } from "./scope_index.ts";
 * assert.deepEqual(segmentsOf("/v1/bids"), ["v1", "bids"]);
 * assert.deepEqual(segmentsOf("/"), [""]);
 * ```
 */
export function segmentsOf(path: string): string[] {
  return path.split("/").slice(1);
}

function insert<T>(root: Node<T>, pattern: string | undefined, item: T): void {
  if (pattern === undefined) {
    root.rest.push(item);
    return;
  }
  let at = root;
  for (const seg of parsePathPattern(normalisePath(pattern)).segments) {
    if (seg.kind === "rest") {
      at.rest.push(item);
      return;
    }
    if (seg.kind === "param") {
      at = at.param ??= node<T>();
    } else {
      let next = at.literal.get(seg.value);
      if (!next) at.literal.set(seg.value, next = node<T>());
      at = next;
    }
  }
  at.here.push(item);
}

/**
 * Collects the items of the nodes a path reaches, reading its segments in place (no split: the
 * path is walked from `from`, just past a `/`), so that a lookup allocates only the segments.
 */
function collect<T>(at: Node<T>, path: string, from: number, out: T[]): void {
  for (const item of at.rest) out.push(item);
  if (from > path.length) {
    for (const item of at.here) out.push(item);
    return;
  }
  const slash = path.indexOf("/", from);
  const stop = slash === -1 ? path.length : slash;
  const seg = path.slice(from, stop);
  const next = at.literal.get(seg);
  if (next) collect(next, path, stop + 1, out);
  if (at.param && seg !== "") collect(at.param, path, stop + 1, out);
}

function byOrder(a: Scoped, b: Scoped): number {
  return a.order - b.order;
}

function inOrder(items: readonly Scoped[]): boolean {
  for (let i = 1; i < items.length; i++) {
    if ((items[i - 1] as Scoped).order > (items[i] as Scoped).order) return false;
  }
  return true;
}

/**
 * Lookups remembered per method, host and path. Agents call the same few routes again and
 * again, so most lookups are one map read; the bound keeps a flood of distinct paths from
 * growing memory (the map is simply emptied when full).
 */
const CACHE_LIMIT = 4096;

/** Route items by host, then path trie. */
class Routes<T extends Scoped> {
  readonly #exactHosts = new Map<string, Node<T>>();
  readonly #suffixHosts = new Map<string, Node<T>>();
  readonly #anyHost: Node<T> = node<T>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(item: T): void {
    insert(this.#hostNode(item.scope.host), item.scope.path, item);
    this.#size++;
  }

  #hostNode(host: string | undefined): Node<T> {
    if (host === undefined) return this.#anyHost;
    const map = host.startsWith("*.") ? this.#suffixHosts : this.#exactHosts;
    const key = host.startsWith("*.") ? host.slice(2) : host;
    let n = map.get(key);
    if (!n) map.set(key, n = node<T>());
    return n;
  }

  collect(host: string, path: string, out: T[]): void {
    collect(this.#anyHost, path, 1, out);
    const exact = this.#exactHosts.get(host);
    if (exact) collect(exact, path, 1, out);
    if (this.#suffixHosts.size === 0) return;
    for (let dot = host.indexOf("."); dot !== -1; dot = host.indexOf(".", dot + 1)) {
      const n = this.#suffixHosts.get(host.slice(dot + 1));
      if (n) collect(n, path, 1, out);
    }
  }
}

/** What a lookup answers, made of the items found (a method: an index of `T` stays one of `Scoped`). */
interface View<T, V> {
  answer(found: readonly T[]): V;
}

/**
 * Items indexed by scope; built once, read on every action. A lookup's answer is remembered as
 * the items found, or as what `view` makes of them (a caller that splits or sorts the items
 * does so once per route, not per action).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScopeIndex } from "./scope_index.ts";
 * import { compileScope } from "./scope.ts";
 * import { httpAction } from "./action.ts";
 * const index = new ScopeIndex([
 *   { id: "bid", order: 0, scope: compileScope({ method: "POST", path: "/v1/bids/{id}" }) },
 *   { id: "admin", order: 1, scope: compileScope({ path: "/admin/**" }) },
 * ]);
 * const ids = (method: string, url: string) =>
 *   index.lookup(httpAction({ method, url })).map((item) => item.id);
 * assert.deepEqual(ids("POST", "http://x.test/v1/bids/7"), ["bid"]);
 * assert.deepEqual(ids("GET", "http://x.test/v1/bids/7"), []);
 * // Under any reading of the path: `%2F` is a separator to some servers.
 * assert.deepEqual(ids("GET", "http://x.test/admin%2Fusers"), ["admin"]);
 * ```
 */
export class ScopeIndex<T extends Scoped, V = readonly T[]> {
  readonly #everywhere: T[] = [];
  readonly #tools = new Map<string, T[]>();
  readonly #routes = new Routes<T>();
  readonly #foldedRoutes = new Routes<T>();
  readonly #cache = new Map<string, Map<string, Map<string, V>>>();
  readonly #view: View<T, V>;
  #cached = 0;

  /** Builds the index; `view` turns the items a lookup finds into what it answers. */
  constructor(items: Iterable<T>, view?: (found: readonly T[]) => V) {
    for (const item of items) this.#add(item);
    this.#view = { answer: view ?? ((found) => found as V) };
  }

  #add(item: T): void {
    const { tools, methods, path, host, foldCase } = item.scope;
    for (const t of tools ?? []) {
      const list = this.#tools.get(t) ?? [];
      list.push(item);
      this.#tools.set(t, list);
    }
    const route = methods !== undefined || path !== undefined || host !== undefined;
    if (route) (foldCase ? this.#foldedRoutes : this.#routes).add(item);
    else if (!tools) this.#everywhere.push(item);
  }

  /**
   * The items whose scope matches the action under any reading of its path, in file order: an
   * item scoped to `/v1/submit_bid` applies to `/v1%2Fsubmit_bid`; through the index's `view`,
   * when it has one. The answer is shared: read only.
   */
  lookup(action: Action): V {
    // Nested maps on the action's own strings: no key is built (and hashed) per lookup.
    const tool = action.kind === "tool";
    const outer = tool ? "" : action.method;
    const inner = tool ? action.tool : action.host;
    const path = tool ? "" : action.path;
    const cached = this.#cache.get(outer)?.get(inner)?.get(path);
    if (cached !== undefined) return cached;
    const found = this.#view.answer(this.#find(action));
    this.#remember(outer, inner, path, found);
    return found;
  }

  #remember(outer: string, inner: string, path: string, found: V): void {
    if (this.#cached >= CACHE_LIMIT) {
      this.#cache.clear();
      this.#cached = 0;
    }
    let byInner = this.#cache.get(outer);
    if (!byInner) this.#cache.set(outer, byInner = new Map());
    let byPath = byInner.get(inner);
    if (!byPath) byInner.set(inner, byPath = new Map());
    byPath.set(path, found);
    this.#cached++;
  }

  /**
   * The items matching each reading of an HTTP action's path, first the path itself (uncached:
   * only a path that servers read differently needs this).
   */
  lookupEach(action: HttpAction): (readonly T[])[] {
    return [action.path, ...action.otherPaths ?? []].map((path) =>
      this.#sorted(this.#collectHttp(action, path, this.#everywhere.slice()))
    );
  }

  #find(action: Action): readonly T[] {
    const out: T[] = this.#everywhere.slice();
    if (action.kind === "tool") {
      const list = this.#tools.get(action.tool);
      if (list) { for (const item of list) out.push(item); }
      return this.#sorted(out);
    }
    this.#collectHttp(action, action.path, out);
    const others = action.otherPaths;
    if (!others?.length) return this.#sorted(out);
    for (const path of others) this.#collectHttp(action, path, out);
    return this.#sorted([...new Set(out)]);
  }

  #sorted(out: T[]): readonly T[] {
    return Object.freeze(inOrder(out) ? out : out.sort(byOrder));
  }

  #collectHttp(action: HttpAction, path: string, out: T[]): T[] {
    const start = out.length;
    this.#routes.collect(action.host, path, out);
    if (this.#foldedRoutes.size > 0) {
      this.#foldedRoutes.collect(action.host, path.toLowerCase(), out);
    }
    let keep = start;
    for (let i = start; i < out.length; i++) {
      const item = out[i] as T;
      if (!item.scope.methods || item.scope.methods.has(action.method)) out[keep++] = item;
    }
    out.length = keep;
    return out;
  }
}
