/**
 * Who may use `mirage mcp`'s admin routes (SPEC §6): `health` is always open; the others answer
 * loopback clients only, or — with an admin token — any client presenting it. One function, so
 * that the server switches to the guard every surface shares in one place.
 *
 * @module
 */

import { checkAdmin } from "../http/admin_guard.ts";
import { errorAnswer } from "../http/answers.ts";

/**
 * The answer refusing an admin request, or `undefined` when it may go on.
 *
 * @example
 * ```ts
 * import { adminRefusal } from "./admin_access.ts";
 * const req = new Request("http://127.0.0.1/_mirage/v1/runs");
 * console.log(adminRefusal(req, "/_mirage/v1/runs", "10.0.0.7", undefined)?.status); // 403
 * console.log(adminRefusal(req, "/_mirage/health", "10.0.0.7", undefined)); // undefined
 * ```
 */
export function adminRefusal(
  request: Request,
  path: string,
  clientIp: string,
  token: string | undefined,
): Response | undefined {
  if (path === "/_mirage/health") return undefined;
  const refusal = checkAdmin(token, clientIp, request.headers.get("authorization"));
  if (!refusal) return undefined;
  const headers: Record<string, string> = refusal.status === 401
    ? { "www-authenticate": 'Bearer realm="mirage"' }
    : {};
  return errorAnswer(refusal.status, refusal.message, { code: "forbidden", headers });
}
