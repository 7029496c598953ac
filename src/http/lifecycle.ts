/**
 * The lifecycle the CI proxy and the gateway share: listen, reload the served files on a trigger
 * or on demand and log the outcome, and close once — stop the triggers, let in-flight requests
 * finish, then release what the server owns.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import type { Reloadable } from "./reloadable.ts";
import { type ReloadTrigger, watchReload } from "./reload_trigger.ts";
import type { ConnectionHandler } from "./http_listener.ts";
import { listen, type Listening, type ListenOptions } from "./serve.ts";

/**
 * Options of {@link ServerLifecycle}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LifecycleOptions, ServerLifecycle } from "./lifecycle.ts";
 * import { Reloadable } from "./reloadable.ts";
 * const lines: string[] = [];
 * const options: LifecycleOptions<string> = {
 *   address: { port: 0, hostname: "127.0.0.1" },
 *   holder: new Reloadable("v1", () => Promise.reject(new Error("policies.yaml:3:1: bad rule"))),
 *   log: (line) => lines.push(line),
 *   reloaded: (cause, v) => `reloaded (${cause}) · ${v}`,
 *   kept: "policies",
 *   release: async () => {},
 * };
 * const life = new ServerLifecycle(options);
 * assert.equal(await life.reload(), false);
 * assert.deepEqual(lines, [
 *   "[mirage] reload (reload) failed; still serving the previous policies:",
 *   "policies.yaml:3:1: bad rule",
 * ]);
 * await life.close();
 * ```
 */
export interface LifecycleOptions<T> {
  /** Where to listen, the connection timeouts and where connection counts go. */
  readonly address: ListenOptions;
  /** What the server serves with; a reload swaps it or keeps the old value. */
  readonly holder: Reloadable<T>;
  /** Where reload messages go. */
  readonly log: (line: string) => void;
  /** The line logged after a reload that succeeded. */
  readonly reloaded: (cause: string, value: T) => string;
  /** Called after a reload that succeeded, before it is logged (e.g. the audit log's entry). */
  readonly onReload?: (cause: string, value: T) => Promise<void>;
  /** What keeps serving after a reload that failed: `files`, `policies`. */
  readonly kept: string;
  /** Releases what the server owns, once in-flight requests are answered. */
  readonly release: () => Promise<void>;
}

/**
 * Listens, reloads and closes a server that serves with a {@link Reloadable} value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Reloadable } from "./reloadable.ts";
 * import { ServerLifecycle } from "./lifecycle.ts";
 * const lines: string[] = [];
 * let released = false;
 * const holder = new Reloadable(1, async (n) => n + 1);
 * const life = new ServerLifecycle({
 *   address: { port: 0, hostname: "127.0.0.1" },
 *   holder,
 *   log: (line) => lines.push(line),
 *   reloaded: (cause, n) => `[mirage] reloaded (${cause}) · ${n}`,
 *   kept: "files",
 *   release: async () => {
 *     released = true;
 *   },
 * });
 * life.listen(() => new Response(`serving ${holder.current}`));
 * assert.equal(await life.reload(), true);
 * assert.equal(await (await fetch(life.url)).text(), "serving 2");
 * await life.close();
 * assert.deepEqual(lines, ["[mirage] reloaded (reload) · 2"]);
 * assert.equal(released, true);
 * ```
 */
export class ServerLifecycle<T> {
  readonly #options: LifecycleOptions<T>;
  #server: Listening | undefined;
  #trigger: ReloadTrigger | undefined;
  #closing: Promise<void> | undefined;

  /** A lifecycle that has not started listening. */
  constructor(options: LifecycleOptions<T>) {
    this.#options = options;
  }

  /** The bound port; 0 before listening. */
  get port(): number {
    return this.#server?.port ?? 0;
  }

  /** `http://<host>:<port>`. */
  get url(): string {
    const host = this.#server?.hostname ?? this.#options.address.hostname;
    return `http://${host.includes(":") ? `[${host}]` : host}:${this.port}`;
  }

  /** Starts answering with `handler`; throws `listen_failed` when the port cannot be bound. */
  listen(handler: ConnectionHandler): void {
    this.#server = listen(handler, this.#options.address);
  }

  /** Reloads when one of `files` changes, and on SIGHUP unless `signal` is false. */
  watch(files: readonly string[], signal = true): void {
    this.#trigger = watchReload({ files, signal, onTrigger: (cause) => void this.reload(cause) });
  }

  /** Reloads now and logs how it went; false (and the old value keeps serving) on failure. */
  async reload(cause = "reload"): Promise<boolean> {
    const { holder, log } = this.#options;
    const result = await holder.reload();
    if (result.ok) {
      await this.#options.onReload?.(cause, result.value);
      log(this.#options.reloaded(cause, result.value));
      return true;
    }
    log(`[mirage] reload (${cause}) failed; still serving the previous ${this.#options.kept}:`);
    log(errorMessage(result.error));
    return false;
  }

  /** Stops watching and accepting, finishes in-flight requests, then releases; once. */
  close(): Promise<void> {
    return this.#closing ??= this.#closeNow();
  }

  async #closeNow(): Promise<void> {
    await this.#trigger?.close();
    await this.#server?.shutdown();
    await this.#options.release();
  }
}
