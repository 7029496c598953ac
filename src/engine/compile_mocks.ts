/**
 * A mocks document compiled once: routes indexed like rules, `match` narrowing compiled into
 * conditions, response templates parsed into renderers, and its `tools:` compiled beside them
 * (`compile_tool_mocks.ts`). The first declared match wins.
 *
 * @module
 */

import type { Loaded, MockResponse, MockRoute, MocksDocument } from "../config/types.ts";
import type { Action, HttpAction } from "./action.ts";
import { pathReadings, withParams } from "./action.ts";
import type { CompiledCondition } from "./condition.ts";
import { compileToolMocks, type ToolMockRouter } from "./compile_tool_mocks.ts";
import {
  compileNarrowing,
  compileTemplatedJson,
  compileTemplatedString,
  narrows,
} from "./mock_parts.ts";
import { type Scoped, ScopeIndex, segmentsOf } from "./scope_index.ts";
import { compileScope } from "./scope.ts";
import { normalisePath } from "./action.ts";
import { parsePathPattern } from "../config/path_pattern.ts";

/**
 * A mock's rendered answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileMocks, httpAction, type MockAnswer } from "@mirage/core";
 * const router = compileMocks({
 *   mocks: [{
 *     name: "order",
 *     method: "POST",
 *     path: "/orders",
 *     response: { status_code: 201, json: { order_id: "ORD-9" }, delay_ms: 5 },
 *   }],
 * });
 * const a: MockAnswer | undefined = router
 *   .match(httpAction({ method: "POST", url: "http://x.test/orders" }))?.render();
 * assert.deepEqual(a, {
 *   status: 201,
 *   headers: { "content-type": "application/json" },
 *   body: '{"order_id":"ORD-9"}',
 *   delayMs: 5,
 * });
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
 * import assert from "node:assert/strict";
 * import { compileMocks, httpAction } from "@mirage/core";
 * const router = compileMocks({
 *   mocks: [{
 *     name: "order",
 *     method: "GET",
 *     path: "/orders/{id}",
 *     response: { json: { id: "{{ params.id }}" } },
 *   }],
 * });
 * const m = router.match(httpAction({ method: "GET", url: "http://x.test/orders/7" }));
 * assert.equal(m?.name, "order");
 * assert.deepEqual(m?.action.params, { id: "7" });
 * assert.equal(m?.render().body, '{"id":"7"}');
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
 * import assert from "node:assert/strict";
 * import { compileMocks, httpAction, loadMocks } from "@mirage/core";
 * const router = compileMocks(await loadMocks("mocks/procurement.yaml"));
 * const quote = (sku: string) =>
 *   router.match(httpAction({ method: "POST", url: "http://x.test/v1/get_quote", json: { sku } }));
 * // The first declared route that matches wins.
 * assert.equal(quote("SKU-PREM-1")?.name, "get_quote_premium");
 * assert.equal(quote("SKU-1")?.name, "get_quote");
 * const nope = httpAction({ method: "GET", url: "http://x.test/v1/nope" });
 * assert.equal(router.match(nope), undefined);
 * ```
 */
export interface MockRouter {
  /** Number of routes. */
  readonly size: number;
  /** The declared tools (`tools:` and `strict_tools`). */
  readonly tools: ToolMockRouter;
  /** The first declared route that matches an HTTP action, if any. */
  match(action: Action): RouteMatch | undefined;
}

interface CompiledRoute extends Scoped {
  readonly name: string;
  readonly params: (action: HttpAction) => Record<string, string>;
  readonly narrow: readonly CompiledCondition[];
  readonly render: (action: HttpAction) => MockAnswer;
}

/**
 * Compiles a response (a route's, or a status fault's) into its renderer: `json` and any
 * non-string `body` are served as JSON, a string `body` as text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction } from "./action.ts";
 * import { compileAnswer } from "./compile_mocks.ts";
 * const action = httpAction({ method: "POST", url: "http://x.test/o" });
 * const json = compileAnswer({ status_code: 201, body: { order: "ok" } })(action);
 * assert.equal(json.status, 201);
 * assert.equal(json.headers["content-type"], "application/json");
 * assert.equal(json.body, '{"order":"ok"}');
 * const text = compileAnswer({ body: "done {{ method }}" })(action);
 * assert.deepEqual([text.status, text.headers["content-type"], text.body], [
 *   200,
 *   "text/plain; charset=utf-8",
 *   "done POST",
 * ]);
 * ```
 */
export function compileAnswer(response: MockResponse): (action: HttpAction) => MockAnswer {
  const r = response;
  const status = r.status_code ?? 200;
  const delayMs = r.delay_ms ?? 0;
  const headers = Object.entries(r.headers ?? {}).map(([k, v]) =>
    [k.toLowerCase(), compileTemplatedString(v, false)] as const
  );
  // The Python Mirage's `body` is an alias of `json`: only a string body is text.
  const text = typeof r.body === "string" ? compileTemplatedString(r.body, false) : undefined;
  const value = r.json !== undefined ? r.json : text ? undefined : r.body;
  const json = value !== undefined ? compileTemplatedJson(value) : undefined;
  const type = json ? "application/json" : text ? "text/plain; charset=utf-8" : undefined;
  return (a) => {
    const h: Record<string, string> = type ? { "content-type": type } : {};
    // A templated value comes from the request: a CR or LF in it must not break the header.
    for (const [k, f] of headers) h[k] = String(f(a)).replace(/[\r\n]+/g, " ");
    const body = json ? JSON.stringify(json(a)) : text ? String(text(a)) : "";
    return { status, headers: h, body, delayMs };
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
      ...compileNarrowing("query", m?.query),
      ...compileNarrowing("headers", m?.headers),
      ...compileNarrowing("payload", m?.payload),
    ],
    render: compileAnswer(route.response ?? {}),
  };
}

function firstMatch(action: HttpAction, routes: readonly CompiledRoute[]): RouteMatch | undefined {
  for (const route of routes) {
    const routed = withParams(action, route.params(action));
    if (narrows(route.narrow, routed)) {
      return { name: route.name, action: routed, render: () => route.render(routed) };
    }
  }
  return undefined;
}

class CompiledMockRouter implements MockRouter {
  readonly size: number;
  readonly tools: ToolMockRouter;
  readonly #index: ScopeIndex<CompiledRoute>;

  constructor(doc: MocksDocument) {
    const routes = doc.mocks.map(compileRoute);
    this.size = routes.length;
    this.tools = compileToolMocks(doc);
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
 * import assert from "node:assert/strict";
 * import { compileMocks, httpAction } from "@mirage/core";
 * const router = compileMocks({
 *   mocks: [{ name: "ping", method: "GET", path: "/ping", response: { body: "pong" } }],
 * });
 * assert.equal(router.size, 1);
 * const ping = httpAction({ method: "GET", url: "http://x.test/ping" });
 * assert.equal(router.match(ping)?.render().body, "pong");
 * assert.equal(router.match(httpAction({ method: "POST", url: "http://x.test/ping" })), undefined);

 * ```
 */
export function compileMocks(doc: MocksDocument | Loaded<MocksDocument>): MockRouter {
  return new CompiledMockRouter("document" in doc ? doc.document : doc);
}
