/**
 * The `--state` flags that `mirage proxy` and `mirage gateway` share: memory (the default) or a
 * Redis URL (else `MIRAGE_REDIS_URL`), a key prefix, the idle TTL and the time bound of one
 * Redis call. A URL is only ever shown redacted, in errors as in the startup line.
 *
 * @module
 */

import type { ParseArgsOptionsConfig } from "node:util";
import { MirageError } from "../errors.ts";
import { MemoryStateStore } from "../state/memory_store.ts";
import { parseRedisUrl } from "../state/redis_url.ts";
import { DEFAULT_IDLE_TTL_MS, type StateStore } from "../state/state_store.ts";
import { formatDuration, parseDuration } from "./duration.ts";
import { type FlagHelp, flagHelp, type FlagValues } from "./output.ts";

const HELP: readonly FlagHelp[] = [
  ["--state S", [
    "where state operators keep state: memory (default), or Redis at",
    "redis://host:port[/db] (rediss:// for TLS), shared by every process",
    "using it; default MIRAGE_REDIS_URL, the place for a password (ps",
    "shows command lines)",
  ]],
  ["--state-prefix P", ["Redis key prefix, so policy sets can share a Redis (default mirage:)"]],
  ["--state-ttl D", ["forget a run's or field value's state D after last use (default 24h)"]],
  ["--state-timeout-ms N", [
    "longest wait for Redis per action, then enforce answers 503",
    "(default 1000)",
  ]],
];

/** The help lines, with flags from column `indent` and descriptions from column `column`. */
function help(indent: number, column: number): string[] {
  return flagHelp(HELP, indent, column);
}

/** What a command puts in its spec for the flags. */
interface StateFlags {
  /** For parseArgs. */
  readonly options: ParseArgsOptionsConfig;
  /** For the usage line. */
  readonly usage: string;
  /** The help lines, flags from column `indent`, descriptions from column `column`. */
  help(indent: number, column: number): string[];
}

/**
 * The flags, for a command's spec.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STATE_FLAGS } from "./state_flags.ts";
 * assert.match(STATE_FLAGS.usage, /^\[--state memory\|redis:\/\/HOST:PORT\[\/DB\]\] \[--state-prefix P\]/);
 * const help = STATE_FLAGS.help(2, 23);
 * assert.equal(help[0], "  --state S            where state operators keep state: memory (default), or Redis at");
 * ```
 */
export const STATE_FLAGS: StateFlags = {
  options: {
    state: { type: "string" },
    "state-prefix": { type: "string" },
    "state-ttl": { type: "string" },
    "state-timeout-ms": { type: "string" },
  },
  usage: "[--state memory|redis://HOST:PORT[/DB]] [--state-prefix P] [--state-ttl 24h] " +
    "[--state-timeout-ms 1000]",
  help,
};

/**
 * What the flags chose.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type StateChoice, stateChoice } from "./state_flags.ts";
 * const choice: StateChoice = stateChoice({}, () => undefined);
 * assert.deepEqual(choice, { url: undefined, prefix: undefined, idleTtlMs: 86_400_000, timeoutMs: undefined });
 * ```
 */
export interface StateChoice {
  /** The Redis URL, or `undefined` for memory. */
  readonly url: string | undefined;
  /** The Redis key prefix. */
  readonly prefix: string | undefined;
  /** The idle TTL, in ms. */
  readonly idleTtlMs: number;
  /** The time bound of one Redis call, in ms. */
  readonly timeoutMs: number | undefined;
}

function usage(message: string): MirageError {
  return new MirageError("usage", message);
}

function timeoutOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 600_000) {
    throw usage("--state-timeout-ms must be an integer from 1 to 600000");
  }
  return Number(text);
}

function urlOf(flag: string | undefined, env: (name: string) => string | undefined) {
  const text = flag ?? env("MIRAGE_REDIS_URL");
  if (text === undefined || text === "memory") return undefined;
  try {
    parseRedisUrl(text);
  } catch (e) {
    const from = flag === undefined ? "MIRAGE_REDIS_URL" : "--state";
    throw usage(`${from}: ${e instanceof Error ? e.message : String(e)}; or use memory`);
  }
  return text;
}

/**
 * Reads the flags; throws `MirageError` code `usage` (with any password redacted) on a bad value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateChoice } from "./state_flags.ts";
 * const c = stateChoice({ state: "redis://127.0.0.1:6379", "state-ttl": "1h" }, () => undefined);
 * assert.deepEqual(c, { url: "redis://127.0.0.1:6379", prefix: undefined, idleTtlMs: 3_600_000, timeoutMs: undefined });
 * ```
 */
export function stateChoice(
  values: FlagValues,
  env: (name: string) => string | undefined,
): StateChoice {
  const str = (name: string) => values[name] as string | undefined;
  const url = urlOf(str("state"), env);
  const prefix = str("state-prefix");
  const timeoutMs = timeoutOf(str("state-timeout-ms"));
  if (url === undefined && (prefix !== undefined || timeoutMs !== undefined)) {
    throw usage("--state-prefix and --state-timeout-ms need a Redis --state");
  }
  const ttl = str("state-ttl");
  let idleTtlMs = DEFAULT_IDLE_TTL_MS;
  if (ttl !== undefined) {
    try {
      idleTtlMs = parseDuration(ttl);
    } catch (e) {
      throw usage(`--state-ttl: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { url, prefix, idleTtlMs, timeoutMs };
}

/** The startup line of a Redis store; the URL redacted. */
function describeRedis(url: string, choice: StateChoice, defaultPrefix: string): string {
  const where = parseRedisUrl(url).display;
  const ttl = formatDuration(choice.idleTtlMs);
  return `[mirage] state in Redis ${where} · prefix ${
    choice.prefix ?? defaultPrefix
  } · idle TTL ${ttl}`;
}

/**
 * Opens the chosen store (a Redis store starts connecting at once) and, for Redis, logs where
 * state lives, the URL redacted: `[mirage] state in Redis redis://:***@host:6379/0 · …`. The
 * Redis client is loaded only then: it is a third of a server's start-up when loaded always.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openState } from "./state_flags.ts";
 * const lines: string[] = [];
 * const store = await openState({ url: undefined, prefix: undefined, idleTtlMs: 60_000, timeoutMs: undefined }, (l) => lines.push(l));
 * assert.deepEqual(lines, []); // in memory: no startup line (Redis logs where state lives)
 * await store.close();
 * ```
 */
export async function openState(
  choice: StateChoice,
  log: (line: string) => void,
): Promise<StateStore> {
  if (choice.url === undefined) return new MemoryStateStore({ idleTtlMs: choice.idleTtlMs });
  const { DEFAULT_PREFIX, redisStore } = await import("../state/redis_store.ts");
  const store = redisStore(choice.url, {
    idleTtlMs: choice.idleTtlMs,
    ...(choice.prefix === undefined ? {} : { prefix: choice.prefix }),
    ...(choice.timeoutMs === undefined ? {} : { timeoutMs: choice.timeoutMs }),
  });
  log(describeRedis(choice.url, choice, DEFAULT_PREFIX));
  return store;
}
