/**
 * The host name that names a writer's files. `Deno.hostname()` needs `--allow-sys=hostname`;
 * without it (and never with a permission prompt, which would stall a server) the `HOSTNAME`
 * variable stands in, then `host`: the pid and start stamp in a file's name still keep replicas
 * apart.
 *
 * @module
 */

/**
 * This machine's host name, as far as the permissions let us know it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writerHost } from "./writer_host.ts";
 * const host = writerHost(); // `HOSTNAME`, or `host`, without --allow-sys=hostname
 * assert.notEqual(host, "");
 * ```
 */
export function writerHost(): string {
  if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted") {
    return Deno.hostname();
  }
  try {
    return Deno.env.get("HOSTNAME") || "host";
  } catch {
    return "host";
  }
}
