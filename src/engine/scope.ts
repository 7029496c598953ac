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
  path_case?: "sensitive" | "insensitive";
}

function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * Normalises scope keys: methods upper case, hosts lower case without a trailing dot, and a
 * case-insensitive path lower case. `pathCase` is the default of a spec that sets none.
 */
export function compileScope(spec: ScopeSpec, pathCase?: "sensitive" | "insensitive"): Scope {
  const scope: {
    methods?: ReadonlySet<string>;
    path?: string;
    foldCase?: boolean;
    host?: string;
    tools?: ReadonlySet<string>;
  } = {};
  if (spec.method !== undefined) {
    scope.methods = new Set(asList(spec.method).map((m) => m.toUpperCase()));
  }
  if (spec.path !== undefined) {
    const fold = (spec.path_case ?? pathCase) === "insensitive";
    scope.path = fold ? spec.path.toLowerCase() : spec.path;
    if (fold) scope.foldCase = true;
  }
  if (spec.host !== undefined) scope.host = normaliseHost(spec.host);
  if (spec.tool !== undefined) scope.tools = new Set(asList(spec.tool));
  return scope;
}
