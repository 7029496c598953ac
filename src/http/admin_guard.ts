/**
 * Who may use the admin routes: loopback clients only, or — with `--admin-token` — any client
 * presenting `authorization: Bearer <token>`, compared in constant time.
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";

/** True for 127.0.0.0/8, `::1` and IPv4-mapped loopback. */
export function isLoopback(ip: string): boolean {
  const v4 = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || ip === "::1";
}

function digest(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/** Hashing first gives equal lengths, so the comparison time says nothing about the token. */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Why an admin request is refused, or `undefined` when it may go on. */
export type AdminRefusal = { readonly status: 401 | 403; readonly message: string } | undefined;

/**
 * Checks one admin request.
 *
 * @example
 * ```ts
 * import { checkAdmin } from "./admin_guard.ts";
 * checkAdmin(undefined, "10.0.0.7", null); // { status: 403, ... }
 * checkAdmin("s3cret", "10.0.0.7", "Bearer s3cret"); // undefined
 * ```
 */
export function checkAdmin(
  token: string | undefined,
  clientIp: string,
  authorization: string | null,
): AdminRefusal {
  if (token === undefined) {
    return isLoopback(clientIp)
      ? undefined
      : { status: 403, message: "admin routes answer loopback clients only" };
  }
  const m = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  if (m && sameSecret((m[1] as string).trim(), token)) return undefined;
  return { status: 401, message: "admin routes need 'authorization: Bearer <admin token>'" };
}
