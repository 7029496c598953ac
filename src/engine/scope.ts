/**
 * The scope keys of a rule, route or selector (`method`, `path`, `host`, `tool`) in the form
 * the scope index reads.
 */

import type { Scope } from "./scope_index.ts";
import { normaliseHost } from "./network.ts";

/**
 * Scope keys as written in a document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileScope, type ScopeSpec } from "./scope.ts";
 * const spec: ScopeSpec = { method: ["post", "put"], path: "/v1/bids/{id}", host: "API.test" };
 * const scope = compileScope(spec);
 * assert.deepEqual([...scope.methods ?? []], ["POST", "PUT"]);
 * assert.equal(scope.host, "api.test");
 * ```
 */
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileScope } from "./scope.ts";
 * const scope = compileScope({ path: "/Admin/**" }, "insensitive");
 * assert.equal(scope.path, "/admin/**");
 * assert.equal(scope.foldCase, true);
 * assert.equal(compileScope({ path: "/Admin", path_case: "sensitive" }, "insensitive").path, "/Admin");
 * assert.deepEqual([...compileScope({ tool: "refund" }).tools ?? []], ["refund"]);
 * ```
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
