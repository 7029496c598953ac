/**
 * Keep-alive pools for the upstream that never send a request twice on their own.
 *
 * Deno 2.9's `node:http` client sends a request again when the reused keep-alive socket it went
 * out on closes — whatever its method, and even when the caller destroyed the request (a
 * deadline): a POST reached the upstream twice and the client got a late 200 instead of its 504
 * (denoland/deno#36786). Its retry reads the request's `reusedSocket` flag, which the agent sets
 * in `reuseSocket`; these agents clear the flag and keep their own record, so the runtime never
 * retries and the caller decides (RFC 9110 §9.2.2: a proxy must not retry a non-idempotent
 * request by itself). The record also says whether a response byte arrived on the reused
 * socket before it failed. The override relies on the runtime's internals:
 * tests/gateway/pool_test.ts pins it.
 *
 * @module
 */

import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";

/** Which requests went out on a reused socket, and how much that socket had read by then. */
class ReuseRecord {
  readonly #readBefore = new WeakMap<http.ClientRequest, number>();

  /** Called by an agent when it hands `req` a kept-alive socket. */
  reused(socket: Socket, req: http.ClientRequest): void {
    this.#readBefore.set(req, socket.bytesRead);
    // Deno's retry predicate reads this flag; with it false, a failed request just fails.
    req.reusedSocket = false;
  }

  /**
   * True when `req` went out on a reused socket that failed before any byte of the answer:
   * the upstream may have seen it arrive, but cannot have answered it.
   */
  failedUnanswered(req: http.ClientRequest): boolean {
    const before = this.#readBefore.get(req);
    return before !== undefined && (req.socket?.bytesRead ?? before) === before;
  }
}

/** An agent class of `node:http` or `node:https`. */
type AgentClass = new (options: http.AgentOptions) => http.Agent;

/** A keep-alive pool of `Base` (the same override for `http:` and `https:`). */
function pool(Base: AgentClass, record: ReuseRecord): http.Agent {
  const Pool = class extends Base {
    override reuseSocket(socket: Socket, req: http.ClientRequest): void {
      super.reuseSocket(socket, req);
      record.reused(socket, req);
    }
  };
  return new Pool({ keepAlive: true });
}

/**
 * The agents of one upstream client: a keep-alive pool per scheme that never resends, and
 * agents without keep-alive for the one retry on a fresh connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import http from "node:http";
 * import { PooledAgents } from "./pooled_agents.ts";
 * // The upstream answers with the client port of the connection each request came on.
 * const server = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen() {} },
 *   (_req, info) => new Response(String(info.remoteAddr.port)),
 * );
 * const agents = new PooledAgents();
 * const get = (agent: http.Agent) =>
 *   new Promise<{ port: string; req: http.ClientRequest }>((resolve, reject) => {
 *     const req = http.get({ host: "127.0.0.1", port: server.addr.port, agent }, (res) => {
 *       let port = "";
 *       res.setEncoding("utf8").on("data", (c) => (port += c));
 *       res.on("end", () => resolve({ port, req }));
 *     }).on("error", reject);
 *   });
 * const first = await get(agents.pool(false));
 * const second = await get(agents.pool(false));
 * assert.equal(second.port, first.port); // kept alive: the same connection
 * assert.equal(second.req.reusedSocket, false); // cleared, so the runtime never resends it
 * assert.equal(agents.failedUnanswered(second.req), false); // it was answered
 * const fresh = [await get(agents.fresh(false)), await get(agents.fresh(false))];
 * assert.notEqual(fresh[0]?.port, fresh[1]?.port); // a new connection each time
 * agents.destroy();
 * await server.shutdown();

 * ```
 */
export class PooledAgents {
  readonly #record = new ReuseRecord();
  readonly #http = pool(http.Agent, this.#record);
  readonly #https = pool(https.Agent, this.#record);
  readonly #freshHttp = new http.Agent({ keepAlive: false });
  readonly #freshHttps = new https.Agent({ keepAlive: false });

  /** The keep-alive pool for `https:` (`secure`) or `http:`. */
  pool(secure: boolean): http.Agent {
    return secure ? this.#https : this.#http;
  }

  /** An agent that opens a new connection for each request. */
  fresh(secure: boolean): http.Agent {
    return secure ? this.#freshHttps : this.#freshHttp;
  }

  /** See {@link ReuseRecord.failedUnanswered}. */
  failedUnanswered(req: http.ClientRequest): boolean {
    return this.#record.failedUnanswered(req);
  }

  /** Closes every connection, pooled or not. */
  destroy(): void {
    this.#http.destroy();
    this.#https.destroy();
    this.#freshHttp.destroy();
    this.#freshHttps.destroy();
  }
}
