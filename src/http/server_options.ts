/**
 * The options every Mirage server takes — `mirage proxy`, `mirage gateway` and `mirage mcp` —
 * with one meaning and one default each; the servers add their own.
 *
 * @module
 */

import type { AuditOptions } from "../audit/audit_log.ts";
import type { StateStore } from "../state/state_store.ts";

/**
 * What the proxy, the gateway and `mirage mcp` share: the policies file, where they listen, what
 * they read of a request, who may use the admin routes, where state and traces go.
 *
 * @example
 * ```ts
 * import type { ServerOptions } from "./server_options.ts";
 * const o: ServerOptions = { policies: "policies/procurement.yaml", maxBody: 64 * 1024 };
 * ```
 */
export interface ServerOptions {
  /** Path of the policies file. */
  readonly policies: string;
  /** Interface to bind; default `127.0.0.1`. */
  readonly hostname?: string;
  /** Trace directory; default `artifacts/traces`. */
  readonly traces?: string;
  /**
   * Request body bytes read for the policies (as sent and decompressed); default 1 MiB. Larger:
   * 413 (a JSON-RPC error on MCP).
   */
  readonly maxBody?: number;
  /** Close a client connection idle this long after its last answer, in ms; default 30,000. */
  readonly idleTimeoutMs?: number;
  /** Close a new client connection whose request head is not complete by then, in ms; default 10,000. */
  readonly headTimeoutMs?: number;
  /**
   * When set, admin routes (`health` aside) need `authorization: Bearer <token>`, loopback
   * included; without it they answer loopback clients only.
   */
  readonly adminToken?: string | undefined;
  /** When set, `v1/decide` takes `authorization: Bearer <token>` (or the admin token) instead. */
  readonly decideToken?: string | undefined;
  /** Where the state operators keep state (kept across reloads, closed with the server); default in memory. */
  readonly store?: StateStore;
  /** Write an audit log of every decision and reload (docs/audit.md). */
  readonly audit?: AuditOptions;
}
