/**
 * Warnings about valid files that are probably not what their author meant: a rule whose
 * `method` is no HTTP method, or that reads a field its actions do not have (policies alone);
 * and, with the mocks, a rule that can never see a request or tool call the mocks declare, a
 * rule that reads the request's own `url` (or `host`, `path` …) where the route's mocks read the
 * body's, and a mock that an earlier mock always wins over.
 *
 * @module
 */

import type { ConfigIssue } from "../errors.ts";
import { FIELDS } from "./fields.ts";
import { type FieldRoot, parseFieldPath } from "./field_path.ts";
import { hostPatternCovers, hostPatternsOverlap } from "./host_pattern.ts";
import { formatPath } from "./messages.ts";
import { isStateOperator } from "./operators.ts";
import {
  parsePathPattern,
  type PathPattern,
  patternCovers,
  patternsOverlap,
} from "./path_pattern.ts";
import { didYouMean } from "./suggest.ts";
import { parseTemplate } from "./template.ts";
import type {
  Condition,
  Loaded,
  MockRoute,
  MocksDocument,
  PolicyDocument,
  PolicyRule,
} from "./types.ts";

/** HTTP scope of a rule or a mock; `undefined` members mean "any". */
interface Scope {
  readonly methods: ReadonlySet<string> | undefined;
  readonly path: PathPattern | undefined;
  readonly host: string | undefined;
}

function methodSet(method: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (method === undefined) return undefined;
  return new Set((Array.isArray(method) ? method : [method]).map((m) => m.toUpperCase()));
}

function scopeOf(item: PolicyRule | MockRoute, allowRest: boolean, foldCase = false): Scope {
  const path = foldCase ? item.path?.toLowerCase() : item.path;
  return {
    methods: methodSet(item.method),
    path: path === undefined ? undefined : parsePathPattern(path, allowRest),
    host: item.host,
  };
}

function methodsOverlap(a: Scope, b: Scope): boolean {
  return !a.methods || !b.methods || [...a.methods].some((m) => b.methods?.has(m));
}

function overlaps(a: Scope, b: Scope): boolean {
  return methodsOverlap(a, b) &&
    (!a.path || !b.path || patternsOverlap(a.path, b.path)) &&
    (!a.host || !b.host || hostPatternsOverlap(a.host, b.host));
}

/** Whether `outer` matches every request `inner` matches. */
function covers(outer: Scope, inner: Scope): boolean {
  const methods = !outer.methods ||
    (!!inner.methods && [...inner.methods].every((m) => outer.methods?.has(m)));
  const path = !outer.path || (!!inner.path && patternCovers(outer.path, inner.path));
  const host = !outer.host || (!!inner.host && hostPatternCovers(outer.host, inner.host));
  return methods && path && host;
}

function at<T>(loaded: Loaded<T>, path: (string | number)[], message: string): ConfigIssue {
  const position = loaded.positionOf(path);
  if (position) return { ...position, message };
  return { file: loaded.file, line: 1, col: 1, message: `${formatPath(path)}: ${message}` };
}

function reference<T>(loaded: Loaded<T>, path: (string | number)[]): string {
  const position = loaded.positionOf(path);
  return position ? `line ${position.line}` : formatPath(path);
}

function describeScope(rule: PolicyRule): string {
  const method = rule.method === undefined ? "" : [rule.method].flat().join("|");
  return [method, rule.host, rule.path].filter((s) => s).join(" ");
}

function unreachableRules(
  policies: Loaded<PolicyDocument>,
  mocks: readonly MockRoute[],
  routes: readonly Scope[],
): ConfigIssue[] {
  let folded: Scope[] | undefined;
  const foldedRoutes = () => folded ??= mocks.map((m) => scopeOf(m, false, true));
  const fileCase = policies.document.path_case;
  return policies.document.policies.flatMap((rule, i) => {
    const scoped = rule.method !== undefined || rule.path !== undefined || rule.host !== undefined;
    if (!scoped) return [];
    const fold = (rule.path_case ?? fileCase) === "insensitive";
    const scope = scopeOf(rule, true, fold);
    const seen = fold ? foldedRoutes() : routes;
    if (seen.some((route) => overlaps(scope, route))) return [];
    const message = `policy '${rule.name}' (${
      describeScope(rule)
    }) matches none of the declared mocks`;
    return [at(policies, ["policies", i], message)];
  });
}

function shadowedMocks(mocks: Loaded<MocksDocument>, routes: readonly Scope[]): ConfigIssue[] {
  const list = mocks.document.mocks;
  return list.flatMap((mock, j) => {
    const i = list.findIndex((earlier, k) =>
      k < j && earlier.match === undefined && covers(routes[k] as Scope, routes[j] as Scope)
    );
    if (i === -1) return [];
    const earlier = list[i] as MockRoute;
    const where = reference(mocks, ["mocks", i]);
    const message = `mock '${mock.name}' is never used: '${earlier.name}' (${where}) ` +
      `is declared first and matches every request it matches`;
    return [at(mocks, ["mocks", j], message)];
  });
}

/**
 * Under `strict_tools` a call to an undeclared tool is `unmatched_route` whatever the rules say,
 * so a rule scoped to tools none of which is declared never decides anything.
 */
function undeclaredToolRules(
  policies: Loaded<PolicyDocument>,
  mocks: Loaded<MocksDocument>,
): ConfigIssue[] {
  if (!mocks.document.strict_tools) return [];
  const declared = new Set((mocks.document.tools ?? []).map((t) => t.tool ?? t.name));
  return policies.document.policies.flatMap((rule, i) => {
    if (rule.tool === undefined) return [];
    const tools = [rule.tool].flat();
    if (tools.some((t) => declared.has(t))) return [];
    const message = `policy '${rule.name}' (tool ${tools.join("|")}) matches none of the ` +
      `declared tools: with strict_tools, calls to it are unmatched_route`;
    return [at(policies, ["policies", i], message)];
  });
}

/**
 * The HTTP methods of the IANA registry (RFC 9110, PATCH, WebDAV and its extensions, QUERY),
 * the common ones first so that a typo is taken for one of them, and `PURGE`, which caches
 * (Varnish, Squid, nginx) take without it being registered.
 */
const KNOWN_METHODS: readonly string[] = [
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "CONNECT",
  "TRACE",
  "QUERY",
  "PROPFIND",
  "PROPPATCH",
  "MKCOL",
  "COPY",
  "MOVE",
  "LOCK",
  "UNLOCK",
  "REPORT",
  "SEARCH",
  "ACL",
  "BASELINE-CONTROL",
  "BIND",
  "CHECKIN",
  "CHECKOUT",
  "LABEL",
  "LINK",
  "MERGE",
  "MKACTIVITY",
  "MKCALENDAR",
  "MKREDIRECTREF",
  "MKWORKSPACE",
  "ORDERPATCH",
  "PRI",
  "REBIND",
  "UNBIND",
  "UNCHECKOUT",
  "UNLINK",
  "UPDATE",
  "UPDATEREDIRECTREF",
  "VERSION-CONTROL",
  "PURGE",
];
const KNOWN: ReadonlySet<string> = new Set(KNOWN_METHODS);

type Path = (string | number)[];

/** The `method` entries of a rule and of its prior-action selector, with where each is written. */
function methodsOf(rule: PolicyRule, at: Path): [string, Path][] {
  const entries = (value: unknown, path: Path): [string, Path][] => {
    if (typeof value === "string") return [[value, path]];
    if (!Array.isArray(value)) return [];
    return value.flatMap((m, j) =>
      typeof m === "string" ? [[m, [...path, j]] as [string, Path]] : []
    );
  };
  const selector = isStateOperator(rule.operator ?? "exists") ? rule.value : undefined;
  const prior = selector !== null && typeof selector === "object" && "method" in selector
    ? entries(selector.method, [...at, "value", "method"])
    : [];
  return [...entries(rule.method, [...at, "method"]), ...prior];
}

/** A method outside the registry is a typo more often than not, and matches nothing an agent sends. */
function unknownMethods(policies: Loaded<PolicyDocument>): ConfigIssue[] {
  return policies.document.policies.flatMap((rule, i) =>
    methodsOf(rule, ["policies", i]).flatMap(([method, path]) => {
      if (KNOWN.has(method.toUpperCase())) return [];
      const message = `policy '${rule.name}': '${method}' is not a registered HTTP method, so ` +
        `the rule matches no request that uses one${didYouMean(method, KNOWN_METHODS)}`;
      return [at(policies, path, message)];
    })
  );
}

/** The fields a condition tree reads, with where each is written. */
function conditionFields(c: Condition, path: Path): [string, Path][] {
  if ("field" in c) return [[c.field, [...path, "field"]]];
  if ("all" in c) return c.all.flatMap((x, j) => conditionFields(x, [...path, "all", j]));
  if ("any" in c) return c.any.flatMap((x, j) => conditionFields(x, [...path, "any", j]));
  return conditionFields(c.not, [...path, "not"]);
}

/** The fields a rule reads: its condition's, a state rule's filter, and `sum_lte`'s field. */
function ruleFields(rule: PolicyRule, at: Path): [string, Path][] {
  const out: [string, Path][] = [];
  if (rule.field !== undefined && rule.field !== "") out.push([rule.field, [...at, "field"]]);
  if (rule.when !== undefined) out.push(...conditionFields(rule.when, [...at, "when"]));
  const value = rule.value as { field?: unknown } | undefined;
  if (rule.operator === "sum_lte" && typeof value?.field === "string") {
    out.push([value.field, [...at, "value", "field"]]);
  }
  return out;
}

/** The kinds of action a rule's scope takes in; both when it has no scope. */
function kindsOf(rule: PolicyRule): ("http" | "tool")[] {
  const http = rule.method !== undefined || rule.path !== undefined || rule.host !== undefined;
  const tool = rule.tool !== undefined;
  if (http === tool) return http ? ["http", "tool"] : [];
  return http ? ["http"] : ["tool"];
}

function rootOf(field: string): FieldRoot | undefined {
  try {
    return parseFieldPath(field).root;
  } catch {
    return undefined;
  }
}

/**
 * A rule scoped to tool calls that reads `url` (or `query.page` …) reads a field tool calls do
 * not have: it is always missing there, when the tool's `payload.url` was meant.
 */
function fieldsOutsideScope(policies: Loaded<PolicyDocument>): ConfigIssue[] {
  return policies.document.policies.flatMap((rule, i) => {
    const kinds = kindsOf(rule);
    return ruleFields(rule, ["policies", i]).flatMap(([field, path]) => {
      const root = rootOf(field);
      if (root === undefined) return [];
      const carried: readonly string[] = FIELDS[root].kinds;
      const lacking = kinds.filter((k) => !carried.includes(k));
      if (lacking.length === 0) return [];
      const calls = lacking[0] === "tool" ? "tool calls" : "HTTP requests";
      const hint = lacking[0] === "tool" ? ` (a tool's argument is 'payload.${field}')` : "";
      const message = `policy '${rule.name}' reads '${field}', which ${calls} do not have: ` +
        `on its ${calls} the field is always missing${hint}`;
      return [at(policies, path, message)];
    });
  });
}

/**
 * Warnings about a valid policies file alone (they never make it invalid): a `method` (of a rule
 * or of its prior-action selector) that is no registered HTTP method — `PSOT` matches nothing,
 * so the rule is silently off — and a field that the actions of the rule's scope never have
 * (`url` on a rule scoped to tools, whose URL is `payload.url`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lintPolicies, parsePolicies } from "@mirage/core";
 * const policies = parsePolicies(
 *   "policies:\n  - name: r\n    method: PSOT\n    field: a\n    operator: exists\n    message: m\n",
 *   "p.yaml",
 * );
 * assert.equal(
 *   lintPolicies(policies)[0]?.message,
 *   "policy 'r': 'PSOT' is not a registered HTTP method, so the rule matches no request that uses one (did you mean 'POST'?)",
 * );
 * ```
 */
export function lintPolicies(policies: Loaded<PolicyDocument>): ConfigIssue[] {
  return [...unknownMethods(policies), ...fieldsOutsideScope(policies)];
}

/** The request's own fields whose names a body often has too (`{"url": …}`). */
const SHADOWED: ReadonlySet<string> = new Set([
  "url",
  "host",
  "path",
  "method",
  "port",
  "scheme",
  "query",
]);
const BODY_METHODS = ["POST", "PUT", "PATCH"];

/** The strings of a mock's response, where its templates are. */
function responseStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(responseStrings);
  if (value !== null && typeof value === "object") {
    return Object.values(value).flatMap(responseStrings);
  }
  return [];
}

/** The top-level body fields a mock reads: in its `match.payload` and its templates. */
function bodyFieldsRead(mock: MockRoute): Set<string> {
  const read = new Set<string>();
  for (const key of Object.keys(mock.match?.payload ?? {})) {
    read.add(key.split(/[.[]/)[0] as string);
  }
  for (const text of responseStrings(mock.response)) {
    for (const part of parseTemplate(text)) {
      const first = typeof part === "string" ? undefined : part.steps[0];
      if (typeof part !== "string" && part.root === "payload" && first?.kind === "key") {
        read.add(first.key);
      }
    }
  }
  return read;
}

/**
 * A rule that reads `url` (the request's URL) on a route whose mocks read `payload.url` (the
 * body's): the rule checks where the request goes, not the URL it carries — the shipped webhook
 * rules once did. Only rules that can see a body (POST, PUT, PATCH, or no method) are read.
 */
function rootsForBodyFields(
  policies: Loaded<PolicyDocument>,
  mocks: readonly MockRoute[],
  routes: readonly Scope[],
): ConfigIssue[] {
  return policies.document.policies.flatMap((rule, i) => {
    if (rule.path === undefined && rule.method === undefined && rule.host === undefined) return [];
    const methods = methodSet(rule.method);
    if (methods && !BODY_METHODS.some((m) => methods.has(m))) return [];
    const fold = (rule.path_case ?? policies.document.path_case) === "insensitive";
    const scope = scopeOf(rule, true, fold);
    const seen = mocks.filter((m, j) =>
      overlaps(scope, fold ? scopeOf(m, false, true) : routes[j] as Scope)
    );
    return ruleFields(rule, ["policies", i]).flatMap(([field, path]) => {
      if (!SHADOWED.has(field)) return [];
      const mock = seen.find((m) => bodyFieldsRead(m).has(field));
      if (!mock) return [];
      const message = `policy '${rule.name}' reads '${field}', the request's own, but mock ` +
        `'${mock.name}' reads the body's 'payload.${field}': write 'payload.${field}' to check ` +
        `the body's`;
      return [at(policies, path, message)];
    });
  });
}

/**
 * Warnings for a valid pair of files (they never make a file invalid): a rule scoped by method,
 * path or host that overlaps none of the mocks (a rule that is also scoped to tools is checked
 * for its route; a `path_case: insensitive` path is compared in lower case), a rule scoped to
 * tools none of which is declared when `strict_tools` is on, a rule that reads a request field
 * (`url`, `host`, `path`, `method`, `port`, `scheme`, `query`) where a mock of its route reads
 * that name in the body (`payload.url`), and a mock shadowed by an earlier mock without `match`
 * whose methods, path and host cover it. {@link lintPolicies} has the warnings about the
 * policies alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lintConfig, parseMocks, parsePolicies } from "@mirage/core";
 * const policies = parsePolicies(
 *   "policies:\n  - name: r\n    path: /v1/typo\n    field: a\n    operator: exists\n    message: m\n",
 *   "p.yaml",
 * );
 * const mocks = parseMocks("mocks:\n  - name: ok\n    method: GET\n    path: /v1/ok\n", "m.yaml");
 * assert.equal(lintConfig(policies, mocks)[0]?.message, "policy 'r' (/v1/typo) matches none of the declared mocks");
 * ```
 */
export function lintConfig(
  policies: Loaded<PolicyDocument>,
  mocks: Loaded<MocksDocument>,
): ConfigIssue[] {
  const routes = mocks.document.mocks.map((m) => scopeOf(m, false));
  return [
    ...unreachableRules(policies, mocks.document.mocks, routes),
    ...undeclaredToolRules(policies, mocks),
    ...rootsForBodyFields(policies, mocks.document.mocks, routes),
    ...shadowedMocks(mocks, routes),
  ];
}
