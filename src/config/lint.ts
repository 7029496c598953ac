/**
 * Warnings about a pair of valid files that is probably not what its author meant: a rule that
 * can never see a request or tool call the mocks declare, and a mock that an earlier mock
 * always wins over.
 *
 * @module
 */

import type { ConfigIssue } from "../errors.ts";
import { hostPatternCovers, hostPatternsOverlap } from "./host_pattern.ts";
import { formatPath } from "./messages.ts";
import {
  parsePathPattern,
  type PathPattern,
  patternCovers,
  patternsOverlap,
} from "./path_pattern.ts";
import type { Loaded, MockRoute, MocksDocument, PolicyDocument, PolicyRule } from "./types.ts";

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
 * Warnings for a valid pair of files (they never make a file invalid): a rule scoped by method,
 * path or host that overlaps none of the mocks (a rule that is also scoped to tools is checked
 * for its route; a `path_case: insensitive` path is compared in lower case), a rule scoped to
 * tools none of which is declared when `strict_tools` is on, and a mock shadowed by an earlier
 * mock without `match` whose methods, path and host cover it.
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
    ...shadowedMocks(mocks, routes),
  ];
}
