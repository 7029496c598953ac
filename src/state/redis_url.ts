/**
 * `redis://[user[:password]@]host[:port][/db]` and `rediss://…` (TLS) read into connection
 * settings, and the same URL with its password redacted: the only form that is ever printed.
 *
 * @module
 */

import { MirageError } from "../errors.ts";

/**
 * What a Redis URL says.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRedisUrl, type RedisLocation } from "./redis_url.ts";
 * const location: RedisLocation = parseRedisUrl("rediss://app:s3cret@[::1]/1");
 * assert.equal(location.host, "::1");
 * assert.equal(location.port, 6379);
 * assert.equal(location.tls, true);
 * assert.equal(location.username, "app");
 * assert.equal(location.display, "rediss://app:***@[::1]/1");
 * ```
 */
export interface RedisLocation {
  /** Host name or address (IPv6 without brackets). */
  readonly host: string;
  /** TCP port; default 6379. */
  readonly port: number;
  /** `rediss://`: connect with TLS. */
  readonly tls: boolean;
  /** The ACL user, if any. */
  readonly username?: string;
  /** The password, if any: never printed. */
  readonly password?: string;
  /** The logical database; default 0. */
  readonly database: number;
  /** The URL with the password replaced by `***`, for logs, health and errors. */
  readonly display: string;
}

/** Replaces the password (and, for safety, anything between `//` and `@`) of a URL-like text. */
function redactText(text: string): string {
  return text.replace(/^(\w+:\/\/)[^@/]*@/, (_, scheme: string) => `${scheme}***@`);
}

function invalid(text: string, why: string): MirageError {
  return new MirageError("invalid_state_url", `not a Redis URL: '${redactText(text)}' (${why})`);
}

function databaseOf(text: string, path: string): number {
  if (path === "" || path === "/") return 0;
  const m = /^\/(\d+)$/.exec(path);
  if (!m) throw invalid(text, "the path can only be a database number, e.g. /0");
  return Number(m[1]);
}

function decoded(text: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(text, "bad %-escape in the user or password");
  }
}

/**
 * Reads a Redis URL. Throws {@link MirageError} `invalid_state_url`, with the password
 * redacted, when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRedisUrl } from "./redis_url.ts";
 * const l = parseRedisUrl("redis://:s3cret@127.0.0.1:6380/2");
 * assert.deepEqual([l.port, l.database, l.display], [6380, 2, "redis://:***@127.0.0.1:6380/2"]);
 * assert.throws(
 *   () => parseRedisUrl("http://:s3cret@x"),
 *   (e: Error) => e.message.includes("***") && !e.message.includes("s3cret"),
 * );
 * ```
 */
export function parseRedisUrl(text: string): RedisLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(text, "expected redis://host:port[/db] or rediss://…");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw invalid(text, `expected redis:// or rediss://, got ${url.protocol}//`);
  }
  if (url.hostname === "") throw invalid(text, "no host");
  if (url.search || url.hash) throw invalid(text, "no query or fragment is read");
  const port = url.port === "" ? 6379 : Number(url.port);
  const database = databaseOf(text, url.pathname);
  const username = decoded(text, url.username);
  const password = decoded(text, url.password);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const auth = username || password ? `${username}${password ? ":***" : ""}@` : "";
  const location: RedisLocation = {
    host,
    port,
    tls: url.protocol === "rediss:",
    database,
    display: `${url.protocol}//${auth}${url.host}/${database}`,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
  return location;
}

/**
 * Removes a password from a message (a client's error may quote what it was given).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactSecret } from "./redis_url.ts";
 * assert.equal(redactSecret("WRONGPASS for s3cret", "s3cret"), "WRONGPASS for ***");
 * assert.equal(redactSecret("no password", undefined), "no password");
 * ```
 */
export function redactSecret(message: string, secret: string | undefined): string {
  return secret ? message.replaceAll(secret, "***") : message;
}
