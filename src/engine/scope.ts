/**
 * The scope keys of a rule, route or selector (`method`, `path`, `host`, `tool`) in the form
 * the scope index reads.
 */

import type { Scope } from "./scope_index.ts";
import { normaliseHost } from "./network.ts";

/** Scope keys as written in a document. */
export interface ScopeSpec {
  method?: string | string[];
  path?: string;
  host?: string;
  tool?: string | string[];
}

function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** Normalises scope keys: methods upper case, hosts lower case without a trailing dot. */
export function compileScope(spec: ScopeSpec): Scope {
  const scope: {
    methods?: ReadonlySet<string>;
    path?: string;
    host?: string;
    tools?: ReadonlySet<string>;
  } = {};
  if (spec.method !== undefined) {
    scope.methods = new Set(asList(spec.method).map((m) => m.toUpperCase()));
  }
  if (spec.path !== undefined) scope.path = spec.path;
  if (spec.host !== undefined) scope.host = normaliseHost(spec.host);
  if (spec.tool !== undefined) scope.tools = new Set(asList(spec.tool));
  return scope;
}
