/**
 * Who may use the admin routes under `/_mirage/` — the same rules on every surface (docs/operations.md):
 *
 * - `health` is always open;
 * - without an admin token, the other routes answer loopback clients only;
 * - with one, they need `authorization: Bearer <admin token>`, loopback included;
 * - with a decide token, `v1/decide` takes it (or the admin token) instead, from any client, so
 *   that an agent's gate never holds the token that opens traces and the console.
 *
 * The review console (`console` and below) is read in a browser, which cannot send a bearer
 * token on its own: there the admin token may also come as the password of HTTP Basic
 * authentication (the browser asks for it), and without a token the request must also name a
 * loopback host (`Host: 127.0.0.1:…`, `localhost`), so that a web page whose name was made to
 * point at 127.0.0.1 (DNS rebinding) cannot read traces through the visitor's browser. The
 * console only reads.
 *
 * Tokens are compared in constant time. {@link AdminGuard.check} is the rule; a server mounts
 * {@link AdminGuard.middleware} (hono) or calls {@link AdminGuard.refusal} itself.
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { errorAnswer } from "./answers.ts";
import { clientIp } from "./serve.ts";

/**
 * True for 127.0.0.0/8, `::1` and IPv4-mapped loopback.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./admin_guard.ts";
 * assert.equal(isLoopback("127.0.0.1"), true);
 * assert.equal(isLoopback("::ffff:127.0.0.1"), true);
 * assert.equal(isLoopback("10.0.0.7"), false);
 * ```
 */
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

/** The token of a Bearer credential, or (where `basic`) the password of a Basic one. */
function credential(authorization: string | null, basic: boolean): string | undefined {
  const m = /^(Bearer|Basic)\s+(.+)$/i.exec(authorization ?? "");
  if (!m) return undefined;
  const value = (m[2] as string).trim();
  if ((m[1] as string).toLowerCase() === "bearer") return value;
  if (!basic) return undefined;
  try {
    const pair = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(value), (c) => c.charCodeAt(0)),
    );
    const colon = pair.indexOf(":");
    return colon < 0 ? undefined : pair.slice(colon + 1);
  } catch {
    return undefined;
  }
}

/**
 * True when a `Host` header names a loopback host: `localhost` (or a `.localhost` name), an
 * address in 127.0.0.0/8, or `[::1]`, with or without a port.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { namesLoopback } from "./admin_guard.ts";
 * assert.equal(namesLoopback("127.0.0.1:8003"), true);
 * assert.equal(namesLoopback("evil.example:8003"), false);
 * ```
 */
export function namesLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/:\d*$/, "");
  if (name === "[::1]") return true;
  return name === "localhost" || name.endsWith(".localhost") || isLoopback(name);
}

/**
 * Why an admin request is refused, or `undefined` when it may go on.
 *
 * @example
 * ```ts
 * import type { AdminRefusal } from "./admin_guard.ts";
 * const r: AdminRefusal = { status: 403, message: "admin routes answer loopback clients only" };
 * ```
 */
export type AdminRefusal = { readonly status: 401 | 403; readonly message: string } | undefined;

/**
 * The tokens of one server; both optional.
 *
 * @example
 * ```ts
 * import type { AdminAccess } from "./admin_guard.ts";
 * const access: AdminAccess = { adminToken: "s3cret", decideToken: "agent-gate" };
 * ```
 */
export interface AdminAccess {
  /** Every admin route but `health` needs `authorization: Bearer <this>`, loopback included. */
  readonly adminToken?: string | undefined;
  /** `v1/decide` takes `authorization: Bearer <this>` (or the admin token), from any client. */
  readonly decideToken?: string | undefined;
}

/** The route under the admin prefix that is always open. */
const HEALTH = "/health";
/** The route a decide token opens. */
const DECIDE = "/v1/decide";

/**
 * Where the review console is mounted under the admin prefix; a console served on its own
 * (`mirage console`) checks its paths under this route too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONSOLE_ROUTE } from "./admin_guard.ts";
 * assert.equal(CONSOLE_ROUTE, "/console");
 * ```
 */
export const CONSOLE_ROUTE = "/console";

function isConsole(route: string): boolean {
  return route === CONSOLE_ROUTE || route.startsWith(`${CONSOLE_ROUTE}/`);
}

/**
 * The admin guard of one server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdminGuard } from "./admin_guard.ts";
 * const guard = new AdminGuard({ decideToken: "gate" });
 * assert.equal(guard.check("/health", "10.0.0.7", null), undefined); // always open
 * assert.equal(guard.check("/v1/runs", "10.0.0.7", null)?.status, 403); // loopback only
 * assert.equal(guard.check("/v1/decide", "10.0.0.7", "Bearer gate"), undefined);
 * ```
 */
export class AdminGuard {
  readonly #admin: string | undefined;
  readonly #decide: string | undefined;

  /** A guard with these tokens. */
  constructor(access: AdminAccess = {}) {
    this.#admin = access.adminToken || undefined;
    this.#decide = access.decideToken || undefined;
  }

  /**
   * Checks one request: `route` is its path under `/_mirage` (`/health`, `/v1/runs`, …), `ip`
   * the client's address (`undefined` when unknown: not loopback), `host` its `Host` header
   * (checked for the console only).
   */
  check(
    route: string,
    ip: string | undefined,
    authorization: string | null,
    host?: string | null,
  ): AdminRefusal {
    if (route === HEALTH) return undefined;
    const consoleRoute = isConsole(route);
    const given = credential(authorization, consoleRoute);
    const admin = this.#admin;
    if (route === DECIDE && this.#decide !== undefined) {
      const opens = given !== undefined &&
        (sameSecret(given, this.#decide) || (admin !== undefined && sameSecret(given, admin)));
      return opens ? undefined : {
        status: 401,
        message: "v1/decide needs 'authorization: Bearer <decide token>'",
      };
    }
    if (admin !== undefined) {
      return given !== undefined && sameSecret(given, admin) ? undefined : {
        status: 401,
        message: "admin routes need 'authorization: Bearer <admin token>'",
      };
    }
    if (ip === undefined || !isLoopback(ip)) {
      return { status: 403, message: "admin routes answer loopback clients only" };
    }
    if (consoleRoute && host !== undefined && !namesLoopback(host ?? "")) {
      return {
        status: 403,
        message: "without an admin token the console answers only at a loopback host " +
          "(127.0.0.1, [::1] or localhost)",
      };
    }
    return undefined;
  }

  /** The answer to a refused request, or `undefined` when it may go on. */
  refusal(route: string, ip: string | undefined, request: Request): Response | undefined {
    const h = request.headers;
    const refused = this.check(route, ip, h.get("authorization"), h.get("host"));
    if (!refused) return undefined;
    const scheme = isConsole(route) ? "Basic" : "Bearer";
    const headers: Record<string, string> = refused.status === 401
      ? { "www-authenticate": `${scheme} realm="mirage"` }
      : {};
    return errorAnswer(refused.status, refused.message, { code: "forbidden", headers });
  }

  /**
   * A hono middleware for an app mounted at `prefix`; the client's address is read from the
   * connection info a server passes as the app's environment (`app.fetch(request, info)`).
   */
  middleware(prefix: string): MiddlewareHandler {
    return async (c, next) => {
      const info = c.env as Partial<Deno.ServeHandlerInfo> | undefined;
      const ip = info?.remoteAddr ? clientIp(info.remoteAddr) : undefined;
      const refused = this.refusal(c.req.path.slice(prefix.length), ip, c.req.raw);
      if (refused) return refused;
      await next();
    };
  }
}
