/**
 * A mocks document compiled once: routes indexed like rules, `match` narrowing compiled into
 * conditions, response templates parsed into renderers. The first declared match wins.
 *
 * @module
 */

import type { Loaded, MatchValue, MockRoute, MocksDocument } from "../config/types.ts";
import type { OperatorName } from "../config/types.ts";
import { parseTemplate, type TemplatePart } from "../config/template.ts";
import type { Action, HttpAction } from "./action.ts";
import { pathReadings, withParams } from "./action.ts";
import { type CompiledCondition, compileFieldCondition, PASS, type Report } from "./condition.ts";
import { compileFieldGetter, MISSING } from "./field_getter.ts";
import { type Scoped, ScopeIndex, segmentsOf } from "./scope_index.ts";
import { compileScope } from "./scope.ts";
import { normalisePath } from "./action.ts";
import { parsePathPattern } from "../config/path_pattern.ts";

/**
 * A mock's rendered answer.
 *
 * @example
 * ```ts
 * import type { MockAnswer } from "@mirage/core";
 * const a: MockAnswer = { status: 201, headers: { "content-type": "application/json" }, body: '{"order_id":"ORD-9"}', delayMs: 0 };
 * ```
 */
export interface MockAnswer {
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Record<string, string>;
  /** Response body text. */
  body: string;
  /** Delay before answering. */
  delayMs: number;
}

/**
 * A route that matched an action.
 *
 * @example
 * ```ts
 * import { compileMocks, httpAction } from "@mirage/core";
 * const router = compileMocks({ mocks: [{ name: "order", method: "GET", path: "/orders/{id}" }] });
 * const m = router.match(httpAction({ method: "GET", url: "http://x.test/orders/7" }));
 * console.log(m?.name, m?.action.params); // order { id: "7" }
 * ```
 */
export interface RouteMatch {
  /** The route's name. */
  readonly name: string;
  /** The action, with the route's path parameters. */
  readonly action: HttpAction;
  /** Renders the route's response for the action. */
  render(): MockAnswer;
}

/**
 * A compiled mocks document.
 *
 * @example
 * ```ts
 * import { compileMocks, loadMocks } from "@mirage/core";
 * const router = compileMocks(await loadMocks("mocks/procurement.yaml"));
 * console.log(router.size);
 * ```
 */
export interface MockRouter {
  /** Number of routes. */
  readonly size: number;
  /** The first declared route that matches, if any. */
  match(action: Action): RouteMatch | undefined;
}

type Render = (action: HttpAction) => unknown;

interface CompiledRoute extends Scoped {
  readonly name: string;
  readonly params: (action: HttpAction) => Record<string, string>;
  readonly narrow: readonly CompiledCondition[];
  readonly render: (action: HttpAction) => MockAnswer;
}

function stringify(value: unknown): string {
  if (value === MISSING || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A string with templates; a string that is exactly one `{{ }}` keeps the value's JSON type. */
function compileString(text: string, keepType: boolean): Render {
  const parts: TemplatePart[] = parseTemplate(text);
  if (parts.every((p) => typeof p === "string")) return () => text;
  const fns = parts.map((p) => {
    if (typeof p === "string") return () => p;
    const get = compileFieldGetter(p);
    return (a: HttpAction) => get(a);
  });
  if (keepType && fns.length === 1) {
    const only = fns[0] as Render;
    return (a) => {
      const v = only(a);
      return v === MISSING ? null : v;
    };
  }
  return (a) => fns.map((f) => stringify(f(a))).join("");
}

function compileJson(value: unknown): Render {
  if (typeof value === "string") return compileString(value, true);
  if (Array.isArray(value)) {
    const items = value.map(compileJson);
    return (a) => items.map((f) => f(a));
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, compileJson(v)] as const);
    return (a) => Object.fromEntries(entries.map(([k, f]) => [k, f(a)]));
  }
  return () => value;
}

function compileResponse(route: MockRoute): (action: HttpAction) => MockAnswer {
  const r = route.response ?? {};
  const status = r.status_code ?? 200;
  const delayMs = r.delay_ms ?? 0;
  const headers = Object.entries(r.headers ?? {}).map(([k, v]) =>
    [k.toLowerCase(), compileString(v, false)] as const
  );
  const json = r.json !== undefined ? compileJson(r.json) : undefined;
  const body = r.body !== undefined ? compileString(r.body, false) : undefined;
  const type = json ? "application/json" : body ? "text/plain; charset=utf-8" : undefined;
  return (a) => {
    const h: Record<string, string> = type ? { "content-type": type } : {};
    // A templated value comes from the request: a CR or LF in it must not break the header.
    for (const [k, f] of headers) h[k] = String(f(a)).replace(/[\r\n]+/g, " ");
    const text = json ? JSON.stringify(json(a)) : body ? String(body(a)) : "";
    return { status, headers: h, body: text, delayMs };
  };
}

function compileParams(pattern: string): (action: HttpAction) => Record<string, string> {
  const names = parsePathPattern(normalisePath(pattern), false).segments.flatMap((s, i) =>
    s.kind === "param" ? [[i, s.name] as const] : []
  );
  if (names.length === 0) return () => ({});
  return (a) => {
    const segs = segmentsOf(a.path);
    return Object.fromEntries(names.map(([i, name]) => [name, segs[i] ?? ""]));
  };
}

function narrowing(
  prefix: string,
  entries: Record<string, MatchValue> | undefined,
): CompiledCondition[] {
  return Object.entries(entries ?? {}).map(([name, expected]) => {
    const field = `${prefix}.${name}`;
    if (expected !== null && typeof expected === "object") {
      const [operator, value] = Object.entries(expected)[0] as [OperatorName, unknown];
      return compileFieldCondition({ field, operator, value });
    }
    return compileFieldCondition({ field, operator: "eq", value: expected });
  });
}

function compileRoute(route: MockRoute, order: number): CompiledRoute {
  const m = route.match;
  return {
    order,
    scope: compileScope({
      method: route.method,
      path: route.path,
      ...(route.host ? { host: route.host } : {}),
    }),
    name: route.name,
    params: compileParams(route.path),
    narrow: [
      ...narrowing("query", m?.query),
      ...narrowing("headers", m?.headers),
      ...narrowing("payload", m?.payload),
    ],
    render: compileResponse(route),
  };
}

function firstMatch(action: HttpAction, routes: readonly CompiledRoute[]): RouteMatch | undefined {
  const report: Report = { field: "", operator: "", expected: undefined, actual: undefined };
  for (const route of routes) {
    const routed = withParams(action, route.params(action));
    if (route.narrow.every((c) => c(routed, report) === PASS)) {
      return { name: route.name, action: routed, render: () => route.render(routed) };
    }
  }
  return undefined;
}

class CompiledMockRouter implements MockRouter {
  readonly size: number;
  readonly #index: ScopeIndex<CompiledRoute>;

  constructor(doc: MocksDocument) {
    const routes = doc.mocks.map(compileRoute);
    this.size = routes.length;
    this.#index = new ScopeIndex(routes);
  }

  /**
   * A path that servers read differently is on the surface only when every reading of it is:
   * the route served (and its parameters) is the one of the path as written.
   */
  match(action: Action): RouteMatch | undefined {
    if (action.kind !== "http") return undefined;
    if (!action.otherPaths?.length) return firstMatch(action, this.#index.lookup(action));
    const readings = pathReadings(action);
    const routes = this.#index.lookupEach(action);
    const matches = readings.map((a, i) => firstMatch(a, routes[i] ?? []));
    return matches.every((m) => m !== undefined) ? matches[0] : undefined;
  }
}

/**
 * Compiles a mocks document once into a router.
 *
 * @example
 * ```ts
 * import { compileMocks } from "@mirage/core";
 * const router = compileMocks({ mocks: [{ name: "ping", method: "GET", path: "/ping", response: { body: "pong" } }] });
 * ```
 */
export function compileMocks(doc: MocksDocument | Loaded<MocksDocument>): MockRouter {
  return new CompiledMockRouter("document" in doc ? doc.document : doc);
}
