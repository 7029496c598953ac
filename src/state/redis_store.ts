/**
 * State in Redis (or Valkey), shared by every process and gateway replica that points at it:
 * one `EVALSHA` round trip per action, each call bounded in time, a client that reconnects by
 * itself, and a status for health and metrics. The password never leaves the connection
 * settings: what is shown is the redacted URL.
 *
 * @module
 */

import { createClient } from "@redis/client";
import { errorMessage, MirageError } from "../errors.ts";
import { checkIdleTtl } from "./memory_store.ts";
import { APPLY_SCRIPT, APPLY_SHA, decodeReply, encodeTransaction } from "./redis_script.ts";
import { parseRedisUrl, redactSecret, type RedisLocation } from "./redis_url.ts";
import {
  DEFAULT_IDLE_TTL_MS,
  type StateResult,
  type StateStore,
  type StateTransaction,
  type StoreStatus,
} from "./state_store.ts";

/**
 * Options of {@link redisStore}.
 *
 * @example
 * ```ts
 * import type { RedisStoreOptions } from "@mirage/core";
 * const o: RedisStoreOptions = { prefix: "mirage:payments:", idleTtlMs: 3_600_000, timeoutMs: 500 };
 * ```
 */
export interface RedisStoreOptions {
  /** Put before every key, so that several policy sets can share one Redis; default `mirage:`. */
  readonly prefix?: string;
  /** Forget a key of a run or a field value after this long untouched; default 24 h. */
  readonly idleTtlMs?: number;
  /** Longest wait for one call, in ms; past it the call fails (enforce answers 503). Default 1000. */
  readonly timeoutMs?: number;
}

/**
 * The key prefix when none is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PREFIX } from "./redis_store.ts";
 * import { encodeTransaction } from "./redis_script.ts";
 * const check = { kind: "none", key: "k", block: true } as const;
 * const tx = { now: 0, blocked: false, marks: [], checks: [check] };
 * assert.deepEqual(encodeTransaction(tx, DEFAULT_PREFIX, 1000, "t").keys, ["mirage:m:k"]);
 * ```
 */
export const DEFAULT_PREFIX = "mirage:";

/** Default time bound of one store call. */
const DEFAULT_TIMEOUT_MS = 1000;
/** Reconnect delays grow to this and stay there, so service resumes soon after Redis does. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** Calls waiting for Redis at most; past it a call fails at once rather than pile up. */
const MAX_QUEUED_CALLS = 10_000;

function clientFor(where: RedisLocation, connectTimeout: number, retry: (n: number) => number) {
  const common = { host: where.host, port: where.port, connectTimeout, reconnectStrategy: retry };
  return createClient({
    socket: where.tls ? { ...common, tls: true as const, servername: where.host } : common,
    database: where.database,
    disableOfflineQueue: true,
    commandsQueueMaxLength: MAX_QUEUED_CALLS,
    ...(where.username ? { username: where.username } : {}),
    ...(where.password ? { password: where.password } : {}),
  });
}

type Client = ReturnType<typeof clientFor>;

function isNoScript(e: unknown): boolean {
  return errorMessage(e).startsWith("NOSCRIPT");
}

/**
 * A {@link StateStore} on Redis. Build it with {@link redisStore}.
 *
 * @example
 * ```ts ignore
 * import { RedisStateStore } from "@mirage/core";
 * const store = new RedisStateStore("redis://127.0.0.1:6379/0", { prefix: "mirage:shop:" });
 * console.log(store.status().status); // connecting
 * await store.close();
 * ```
 */
export class RedisStateStore implements StateStore {
  readonly #where: RedisLocation;
  readonly #prefix: string;
  readonly #idleTtlMs: number;
  readonly #timeoutMs: number;
  readonly #client: Client;
  /** The first connection: calls made before it wait for it, within their time bound. */
  readonly #connected: Promise<void>;
  /** Settles when the client stops trying to connect (so that close leaves no timer behind). */
  readonly #connecting: Promise<void>;
  /** A reconnect is scheduled until this time (`performance.now()`), if at all. */
  #retryUntil = 0;
  readonly #token = crypto.randomUUID();
  #calls = 0;
  #status: StoreStatus["status"] = "connecting";
  /** The last failure, as status shows it. */
  #error: string | undefined;
  /** What the client last said about the connection, as calls that cannot be made say why. */
  #connectionError: string | undefined;
  #errors = 0;

  /** Starts connecting at once; throws `invalid_state_url` on a bad URL or `invalid_option`. */
  constructor(url: string, options: RedisStoreOptions = {}) {
    this.#where = parseRedisUrl(url);
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#idleTtlMs = checkIdleTtl(options.idleTtlMs ?? DEFAULT_IDLE_TTL_MS);
    this.#timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.#client = clientFor(this.#where, Math.max(this.#timeoutMs, 1000), (n) => this.#retry(n));
    let connected!: () => void;
    this.#connected = new Promise((resolve) => (connected = resolve));
    this.#client.on("ready", () => {
      this.#status = "ready";
      connected();
    });
    // Without a listener an `error` event would crash the process.
    this.#client.on("error", (e: unknown) => {
      this.#error = this.#connectionError = this.#redact(errorMessage(e));
      if (this.#status !== "closed" && !this.#client.isReady) this.#status = "reconnecting";
    });
    this.#connecting = this.#client.connect().then(() => {}, () => {});
  }

  /** Checks, and when the action goes through, updates: one script, run atomically by Redis. */
  async apply(tx: StateTransaction): Promise<StateResult[]> {
    const token = `${this.#token}:${++this.#calls}`;
    const { keys, args } = encodeTransaction(tx, this.#prefix, this.#idleTtlMs, token);
    try {
      const results = decodeReply(await this.#bounded(this.#run(keys, args)), tx.checks.length);
      if (this.#status === "error") this.#status = "ready";
      return results;
    } catch (e) {
      throw this.#failed(e);
    }
  }

  /** Connected, connecting, reconnecting, failing or closed; where; the last error. */
  status(): StoreStatus {
    return {
      store: "redis",
      status: this.#status,
      location: this.#where.display,
      errors: this.#errors,
      ...(this.#error === undefined ? {} : { error: this.#error }),
    };
  }

  /** Drops the connection; calls after it fail. */
  async close(): Promise<void> {
    if (this.#status === "closed") return;
    this.#status = "closed";
    this.#client.destroy();
    await this.#connecting;
    // A reconnect already scheduled still wakes up once (to see the client closed).
    const wait = this.#retryUntil - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 5));
  }

  #retry(attempt: number): number {
    const delay = Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS);
    this.#retryUntil = performance.now() + delay;
    return delay;
  }

  async #run(keys: string[], args: string[]): Promise<unknown> {
    if (!this.#client.isReady) {
      if (this.#status !== "connecting") throw this.#unavailable();
      await this.#connected;
    }
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.#client.sendCommand(["EVALSHA", APPLY_SHA, ...tail]);
    } catch (e) {
      // After a restart or SCRIPT FLUSH the server forgets the script: EVAL loads it again.
      if (!isNoScript(e)) throw e;
      return await this.#client.sendCommand(["EVAL", APPLY_SCRIPT, ...tail]);
    }
  }

  /** Fails `work` after the time bound; it cannot hang a request, even on a frozen server. */
  #bounded<T>(work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#timedOut()), this.#timeoutMs);
    });
    // The loser of the race settles later; it must not become an unhandled rejection.
    work.catch(() => {});
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  #failed(e: unknown): MirageError {
    this.#errors++;
    const error = e instanceof MirageError
      ? e
      : new MirageError("state_error", `${this.#name()}: ${this.#redact(errorMessage(e))}`);
    this.#error = error.message;
    if (this.#status === "ready") this.#status = "error";
    return error;
  }

  #unavailable(): MirageError {
    const why = this.#status === "closed"
      ? "closed"
      : `${this.#status}: ${this.#connectionError ?? "down"}`;
    return new MirageError("state_unavailable", `${this.#name()} is unavailable (${why})`);
  }

  #timedOut(): MirageError {
    return new MirageError(
      "state_timeout",
      `${this.#name()} did not answer within ${this.#timeoutMs} ms`,
    );
  }

  #name(): string {
    return `Redis state store ${this.#where.display}`;
  }

  #redact(message: string): string {
    return redactSecret(message, this.#where.password);
  }
}

function checkTimeout(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new MirageError("invalid_option", `timeout must be a positive number of ms, got ${ms}`);
  }
  return ms;
}

/**
 * A state store on Redis at `url` (`redis://[user:password@]host:port[/db]`, or `rediss://` for
 * TLS). It connects in the background; calls made before the first connection wait for it.
 *
 * @example
 * ```ts ignore
 * import { redisStore, session } from "@mirage/core";
 * await using mirage = await session({
 *   policies: "policies/procurement.yaml",
 *   mocks: "mocks/procurement.yaml",
 *   store: redisStore(Deno.env.get("MIRAGE_REDIS_URL") ?? "redis://127.0.0.1:6379"),
 * });
 * ```
 */
export function redisStore(url: string, options: RedisStoreOptions = {}): RedisStateStore {
  return new RedisStateStore(url, options);
}
