/**
 * Actions: what Mirage decides on (docs/language.md#fields). An HTTP request or a tool call.
 *
 * @module
 */

import { normaliseHost } from "./network.ts";
import { payloadOf, readPayload } from "./payload.ts";

/**
 * An outbound HTTP request, as rules read it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction } from "@mirage/core";
 * const a = httpAction({ method: "POST", url: "http://api.test/v1/submit_bid", json: { amount: 50000 } });
 * assert.equal(a.kind, "http");
 * assert.equal(a.path, "/v1/submit_bid");
 * assert.deepEqual(a.payload, { amount: 50000 });
 * assert.equal(a.run_id, "default");
 * ```
 */
export interface HttpAction {
  /** Discriminant. */
  readonly kind: "http";
  /** Upper-case method. */
  readonly method: string;
  /** The full URL as requested. */
  readonly url: string;
  /** `http` or `https`. */
  readonly scheme: string;
  /** Lower-case host name, without port or trailing dot. */
  readonly host: string;
  /** Port number (the scheme's default when absent). */
  readonly port: number;
  /** Normalised path: percent-decoded (but `%2F`), no duplicate or trailing slash. */
  readonly path: string;
  /**
   * Other readings of the path, where servers read it differently (an encoded slash): the
   * path with `%2F` (and `%5C`) as separators. Rules and routes must hold under every reading.
   */
  readonly otherPaths?: readonly string[];
  /** Query parameters; a repeated name gives an array. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Headers by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as rules read it (docs/bodies.md): JSON, form fields or text; `undefined` when empty. */
  readonly payload: unknown;
  /** Path parameters of the matched mock route. */
  readonly params: Readonly<Record<string, string>>;
  /** The run this action belongs to. */
  readonly run_id: string;
}

/**
 * A tool call of an agent framework.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolAction } from "@mirage/core";
 * const a = toolAction({ tool: "submit_bid", args: { amount: 50000 } });
 * assert.equal(a.kind, "tool");
 * assert.equal(a.tool, "submit_bid");
 * assert.deepEqual(a.payload, { amount: 50000 });
 * ```
 */
export interface ToolAction {
  /** Discriminant. */
  readonly kind: "tool";
  /** The tool's name. */
  readonly tool: string;
  /** The tool's arguments. */
  readonly payload: unknown;
  /** Transport headers, where there are any. */
  readonly headers: Readonly<Record<string, string>>;
  /** The run this action belongs to. */
  readonly run_id: string;
  /** The framework's id of this call, when it has one: recorded in the trace. */
  readonly call_id?: string;
}

/**
 * Anything Mirage decides on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Action, httpAction, toolAction } from "@mirage/core";
 * const actions: Action[] = [
 *   toolAction({ tool: "search", args: { q: "x" } }),
 *   httpAction({ method: "GET", url: "http://api.test/v1/search?q=x" }),
 * ];
 * const names = actions.map((a) => a.kind === "tool" ? a.tool : `${a.method} ${a.path}`);
 * assert.deepEqual(names, ["search", "GET /v1/search"]);
 * ```
 */
export type Action = HttpAction | ToolAction;

/**
 * Input of {@link httpAction}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction, type HttpActionInit } from "@mirage/core";
 * const init: HttpActionInit = {
 *   method: "POST",
 *   url: "http://api.test/v1/suppliers?page=2",
 *   headers: { "content-type": "application/x-www-form-urlencoded" },
 *   body: "name=Acme",
 *   runId: "r1",
 * };
 * const a = httpAction(init);
 * assert.deepEqual(a.query, { page: "2" });
 * assert.deepEqual(a.payload, { name: "Acme" });
 * assert.equal(a.run_id, "r1");
 * ```
 */
export interface HttpActionInit {
  /** HTTP method, any case. */
  method: string;
  /** Absolute URL. */
  url: string | URL;
  /** Headers in any form `Headers` accepts. */
  headers?: HeadersInit;
  /** An already parsed JSON body, or a body already read with `readPayload`. */
  json?: unknown;
  /** Raw body bytes or text, read with `readPayload` under the `content-type` header. */
  body?: Uint8Array | string;
  /** Run id; default `"default"`. */
  runId?: string;
  /** Path parameters, when a route matched. */
  params?: Record<string, string>;
}

/**
 * Input of {@link toolAction}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolAction, type ToolActionInit } from "@mirage/core";
 * const init: ToolActionInit = { tool: "refund", args: { amount: 20 }, runId: "r1", callId: "c7" };
 * const a = toolAction(init);
 * assert.equal(a.run_id, "r1");
 * assert.equal(a.call_id, "c7");
 * assert.equal(toolAction({ tool: "refund" }).call_id, undefined);
 * ```
 */
export interface ToolActionInit {
  /** The tool's name. */
  tool: string;
  /** The tool's arguments. */
  args?: unknown;
  /** Transport headers. */
  headers?: HeadersInit;
  /** Run id; default `"default"`. */
  runId?: string;
  /** The framework's id of this call. */
  callId?: string;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 };

/** What a path needs normalising for: an escape, a `;`, a run of `/`, a trailing `/`. */
const NEEDS_NORMALISING = /[%;]|\/\/|.\/$/;

/** `;name=value` path parameters, which Java servers (Tomcat, Jetty, Spring) drop from routes. */
const MATRIX_PARAMS = /;[^/]*/g;

/**
 * Normalises a URL path for matching, so that spellings a server treats alike match alike:
 * `;` path parameters are dropped, percent-escapes are decoded (except `%2F`, which would change
 * the segments), runs of `/` collapse and a trailing `/` is dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalisePath } from "./action.ts";
 * assert.equal(normalisePath("/v1//submit%5Fbid/"), "/v1/submit_bid");
 * assert.equal(normalisePath("/admin;jsessionid=1/users"), "/admin/users");
 * assert.equal(normalisePath("/a%2Fb"), "/a%2Fb");
 * ```
 */
export function normalisePath(rawPath: string): string {
  if (!NEEDS_NORMALISING.test(rawPath)) return rawPath;
  const decoded = rawPath.replace(MATRIX_PARAMS, "").replace(
    /%(?!2[fF])[0-9a-fA-F]{2}(?:%(?!2[fF])[0-9a-fA-F]{2})*/g,
    (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    },
  );
  return collapse(decoded);
}

function collapse(path: string): string {
  const collapsed = path.replace(/\/{2,}/g, "/");
  return collapsed.length > 1 && collapsed.endsWith("/") ? collapsed.slice(0, -1) : collapsed;
}

/** An encoded slash, or a backslash (WHATWG URLs and IIS read a backslash as `/`). */
const SEPARATOR_LIKE = /%2[fF]|\\/;

/** Resolves `.` and `..` segments, as a server does once `%2F` has become a separator. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  for (const seg of path.split("/").slice(1)) {
    if (seg === "..") out.pop();
    else if (seg !== ".") out.push(seg);
  }
  return `/${out.join("/")}`;
}

/**
 * The other readings of a normalised path: where it holds `%2F` (or `%5C`), a server that
 * decodes before routing (WSGI, for one) reads those as separators, and then resolves dot
 * segments; one that routes on the raw path reads the segments as written. `undefined` when
 * every server reads the path alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { otherPathReadings } from "./action.ts";
 * assert.deepEqual(otherPathReadings("/v1%2Fsubmit_bid"), ["/v1/submit_bid"]);
 * assert.deepEqual(otherPathReadings("/files/a%2F..%2F..%2Fadmin"), ["/admin"]);
 * assert.equal(otherPathReadings("/v1/submit_bid"), undefined);
 * ```
 */
export function otherPathReadings(path: string): string[] | undefined {
  if (!SEPARATOR_LIKE.test(path)) return undefined;
  const split = collapse(removeDotSegments(path.replace(/%2[fF]|\\/g, "/")));
  return split === path ? undefined : [split];
}

/**
 * An HTTP action once per reading of its path: itself, then a copy for each other reading.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction, pathReadings } from "./action.ts";
 * const encoded = pathReadings(httpAction({ method: "GET", url: "http://x.test/a%2Fb" }));
 * assert.deepEqual(encoded.map((a) => a.path), ["/a%2Fb", "/a/b"]);
 * assert.equal(pathReadings(httpAction({ method: "GET", url: "http://x.test/a/b" })).length, 1);
 * ```
 */
export function pathReadings(action: HttpAction): HttpAction[] {
  const others = action.otherPaths ?? [];
  return [action, ...others.map((path) => ({ ...action, path, otherPaths: [] }))];
}

function headerRecord(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  // A request's Headers are read as they are: copying them first costs a request its time.
  const headers = init instanceof Headers ? init : init ? new Headers(init) : undefined;
  headers?.forEach((value, name) => (out[name] = value));
  return out;
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const prior = out[name];
    out[name] = prior === undefined
      ? value
      : Array.isArray(prior)
      ? [...prior, value]
      : [prior, value];
  }
  return out;
}

/**
 * Builds an HTTP action from a method, URL, headers and body.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction } from "@mirage/core";
 * const a = httpAction({
 *   method: "post",
 *   url: "http://API.test:8080/v1//bids/?x=1&x=2",
 *   headers: { "Content-Type": "application/json" },
 *   body: '{"amount":5}',
 * });
 * assert.equal(a.method, "POST");
 * assert.equal(a.host, "api.test");
 * assert.equal(a.port, 8080);
 * assert.equal(a.path, "/v1/bids");
 * assert.deepEqual(a.query, { x: ["1", "2"] });
 * assert.equal(a.headers["content-type"], "application/json");
 * assert.deepEqual(a.payload, { amount: 5 });
 * ```
 */
export function httpAction(init: HttpActionInit): HttpAction {
  const url = typeof init.url === "string" ? new URL(init.url) : init.url;
  const headers = headerRecord(init.headers);
  const path = normalisePath(url.pathname);
  const action: HttpAction = {
    kind: "http",
    method: init.method.toUpperCase(),
    url: url.href,
    scheme: url.protocol.slice(0, -1),
    host: normaliseHost(url.hostname),
    port: url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol] ?? 0,
    path,
    // `searchParams` builds an object on first use: not for the common URL without a query.
    query: url.search === "" ? {} : queryRecord(url.searchParams),
    headers,
    payload: init.json !== undefined
      ? init.json
      : payloadOf(readPayload(init.body, headers["content-type"])),
    params: init.params ?? {},
    run_id: init.runId ?? "default",
  };
  const otherPaths = otherPathReadings(path);
  return otherPaths ? { ...action, otherPaths } : action;
}

/**
 * Builds a tool-call action.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolAction } from "@mirage/core";
 * const a = toolAction({ tool: "submit_bid", args: { amount: 50000 }, runId: "procurement" });
 * assert.deepEqual(a, {
 *   kind: "tool",
 *   tool: "submit_bid",
 *   payload: { amount: 50000 },
 *   headers: {},
 *   run_id: "procurement",
 * });

 * ```
 */
export function toolAction(init: ToolActionInit): ToolAction {
  const action: ToolAction = {
    kind: "tool",
    tool: init.tool,
    payload: init.args,
    headers: headerRecord(init.headers),
    run_id: init.runId ?? "default",
  };
  return init.callId === undefined ? action : { ...action, call_id: init.callId };
}

/**
 * A copy of an HTTP action with its body, once read (see `readPayload`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction, withPayload } from "./action.ts";
 * const action = withPayload(httpAction({ method: "POST", url: "http://x.test/" }), { a: 1 });
 * assert.deepEqual(action.payload, { a: 1 });
 * ```
 */
export function withPayload(action: HttpAction, payload: unknown): HttpAction {
  return payload === undefined ? action : { ...action, payload };
}

/**
 * A copy of an HTTP action with the path parameters of the route that matched it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction, withParams } from "./action.ts";
 * const action = httpAction({ method: "GET", url: "http://x.test/suppliers/42" });
 * assert.deepEqual(withParams(action, { id: "42" }).params, { id: "42" });
 * assert.deepEqual(action.params, {});
 * ```
 */
export function withParams(action: HttpAction, params: Record<string, string>): HttpAction {
  return { ...action, params };
}
