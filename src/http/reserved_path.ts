/**
 * `/_mirage` is reserved for Mirage's own routes on every surface. The admin routes answer its
 * one spelling; any other spelling that some server would read as it (`//_mirage/…`,
 * `/%5Fmirage/…`, `/x%2F..%2F_mirage/…`) is refused, never decided as traffic or sent upstream.
 *
 * @module
 */

import type { HttpAction } from "../engine/action.ts";

/**
 * Where the admin routes are mounted: the one spelling of the reserved prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ADMIN_PREFIX } from "./reserved_path.ts";
 * assert.equal(`${ADMIN_PREFIX}/health`, "/_mirage/health");
 * ```
 */
export const ADMIN_PREFIX = "/_mirage";

function underPrefix(path: string): boolean {
  return path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
}

/**
 * Whether a request's raw path is the admin routes' own spelling of `/_mirage/…`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAdminPath } from "./reserved_path.ts";
 * assert.equal(isAdminPath("/_mirage/health"), true);
 * assert.equal(isAdminPath("//_mirage/health"), false); // see readsAsReserved
 * assert.equal(isAdminPath("/_mirage_x"), false);
 * ```
 */
export function isAdminPath(rawPath: string): boolean {
  return underPrefix(rawPath);
}

/**
 * Whether any reading of an action's path is under `/_mirage`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpAction } from "../engine/action.ts";
 * import { readsAsReserved } from "./reserved_path.ts";
 * assert.equal(readsAsReserved(httpAction({ method: "GET", url: "http://x.test//_mirage/v1/runs" })), true);
 * assert.equal(readsAsReserved(httpAction({ method: "GET", url: "http://x.test/v1/runs" })), false);
 * ```
 */
export function readsAsReserved(action: HttpAction): boolean {
  return underPrefix(action.path) || (action.otherPaths ?? []).some(underPrefix);
}

/**
 * Why such a request is refused, for its answer and its trace event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RESERVED_PATH_ERROR } from "./reserved_path.ts";
 * assert.equal(RESERVED_PATH_ERROR.code, "reserved_path");
 * assert.equal(RESERVED_PATH_ERROR.status, 400);
 * ```
 */
export const RESERVED_PATH_ERROR = {
  status: 400,
  code: "reserved_path",
  message: `the path reads as ${ADMIN_PREFIX}, which is reserved for Mirage's own routes; ` +
    `they answer only at ${ADMIN_PREFIX}/… spelt exactly so`,
} as const;
