/**
 * One state transaction as one Lua script: every check, then — when the action goes through —
 * every update and mark, run by Redis as a single step, so that no interleaving of gateway
 * replicas can overshoot a limit or leave half an action recorded. Numbers travel as text
 * that round-trips a JavaScript double exactly (`%.17g`), so sums match the memory store.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { MirageError } from "../errors.ts";
import type { StateCheck, StateResult, StateTransaction } from "./state_store.ts";

/**
 * KEYS: the checks' keys, then the marks' keys.
 * ARGV: now, idle TTL (ms), blocked, a token unique to this call, the number of checks, then per
 * check (kind, block, global, limit-or-member, window-or-amount), then per mark (member, global).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { APPLY_SCRIPT, encodeTransaction } from "./redis_script.ts";
 * const { keys, args } = encodeTransaction(
 *   {
 *     now: 5,
 *     blocked: false,
 *     marks: [],
 *     checks: [{ kind: "count", key: "k", limit: 2, block: true }],
 *   },
 *   "mirage:",
 *   1000,
 *   "t1",
 * );
 * // What the script reads: KEYS[1], and ARGV[1..5] before the first check's five arguments.
 * assert.deepEqual(keys, ["mirage:c:k"]);
 * assert.deepEqual(args, ["5", "1000", "0", "t1", "1", "c", "1", "0", "2", ""]);
 * assert.match(APPLY_SCRIPT, /local n = tonumber\(ARGV\[5\]\)/);
 * ```
 */
export const APPLY_SCRIPT = `
local now = tonumber(ARGV[1])
local idle = ARGV[2]
local stopped = ARGV[3] == "1"
local token = ARGV[4]
local n = tonumber(ARGV[5])
local base = 5 + n * 5

local function num(s)
  if s == "inf" then return math.huge end
  if s == "-inf" then return -math.huge end
  return tonumber(s)
end

local function fmt(x)
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  return string.format("%.17g", x)
end

local function stored(key)
  local v = redis.call("GET", key)
  if v then return num(v) end
  return 0
end

local function added(kind, extra)
  if kind == "c" then return 1 end
  return num(extra)
end

local reply = {}
for i = 1, n do
  local a = 5 + (i - 1) * 5
  local kind, limit, extra, key = ARGV[a + 1], ARGV[a + 4], ARGV[a + 5], KEYS[i]
  local passed, actual
  if kind == "c" or kind == "s" then
    local v = stored(key) + added(kind, extra)
    passed, actual = v <= num(limit), fmt(v)
  elseif kind == "r" then
    redis.call("ZREMRANGEBYSCORE", key, "-inf", fmt(now - num(extra)))
    local v = redis.call("ZCARD", key) + 1
    passed, actual = v <= num(limit), fmt(v)
  elseif kind == "h" then
    local found = redis.call("SISMEMBER", key, limit) == 1
    passed, actual = found, found and "t" or "f"
  else
    local found = redis.call("EXISTS", key) == 1
    passed, actual = not found, found and "t" or "f"
  end
  if ARGV[a + 2] == "1" and not passed then stopped = true end
  reply[2 * i - 1] = passed and "1" or "0"
  reply[2 * i] = actual
end

if not stopped then
  for i = 1, n do
    local a = 5 + (i - 1) * 5
    local kind, extra, key = ARGV[a + 1], ARGV[a + 5], KEYS[i]
    if kind == "c" or kind == "s" then
      redis.call("SET", key, fmt(stored(key) + added(kind, extra)))
    elseif kind == "r" then
      redis.call("ZADD", key, fmt(now), token .. ":" .. i)
      redis.call("PEXPIRE", key, math.max(1, math.ceil(num(extra))))
    end
  end
  for j = 1, #KEYS - n do
    local key = KEYS[n + j]
    redis.call("SADD", key, ARGV[base + 2 * j - 1])
    if ARGV[base + 2 * j] ~= "1" then redis.call("PEXPIRE", key, idle) end
  end
end

for i = 1, n do
  local a = 5 + (i - 1) * 5
  if ARGV[a + 1] ~= "r" and ARGV[a + 3] ~= "1" then redis.call("PEXPIRE", KEYS[i], idle) end
end
return reply
`;

/**
 * The SHA-1 that `EVALSHA` names the script by.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHash } from "node:crypto";
 * import { APPLY_SCRIPT, APPLY_SHA } from "./redis_script.ts";
 * assert.equal(APPLY_SHA, createHash("sha1").update(APPLY_SCRIPT).digest("hex"));
 * assert.match(APPLY_SHA, /^[0-9a-f]{40}$/);
 * ```
 */
export const APPLY_SHA: string = createHash("sha1").update(APPLY_SCRIPT).digest("hex");

/**
 * A transaction as the script's keys and arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type EncodedTransaction, encodeTransaction } from "./redis_script.ts";
 * const encoded: EncodedTransaction = encodeTransaction(
 *   { now: 0, blocked: false, checks: [], marks: [{ key: "prior", member: '["S-1"]' }] },
 *   "mirage:",
 *   1000,
 *   "t1",
 * );
 * assert.deepEqual(encoded.keys, ["mirage:m:prior"]);
 * assert.deepEqual(encoded.args.slice(-2), ['["S-1"]', "0"]);
 * ```
 */
export interface EncodedTransaction {
  /** The prefixed keys: checks first, then marks. */
  readonly keys: string[];
  /** The arguments, as the script reads them. */
  readonly args: string[];
}

const TAGS: Readonly<Record<StateCheck["kind"], string>> = {
  count: "c",
  sum: "s",
  rate: "r",
  has: "h",
  none: "n",
};

/** Where each kind of state lives under the prefix; `has` and `none` read the marks. */
const KEY_TAGS: Readonly<Record<StateCheck["kind"], string>> = {
  count: "c:",
  sum: "s:",
  rate: "r:",
  has: "m:",
  none: "m:",
};

/** A number as text Lua reads back to the same double (`inf` for the infinities). */
function numberText(x: number): string {
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return String(x);
}

function flag(b: boolean | undefined): string {
  return b ? "1" : "0";
}

function checkArgs(c: StateCheck): [string, string] {
  switch (c.kind) {
    case "count":
      return [numberText(c.limit), ""];
    case "rate":
      return [numberText(c.limit), numberText(c.windowMs)];
    case "sum":
      return [numberText(c.limit), numberText(c.amount)];
    case "has":
      return [c.member, ""];
    case "none":
      return ["", ""];
  }
}

/**
 * Encodes a transaction for {@link APPLY_SCRIPT}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeTransaction } from "./redis_script.ts";
 * const { keys } = encodeTransaction(
 *   { now: 0, blocked: false, marks: [], checks: [{ kind: "count", key: "k", limit: 1, block: true }] },
 *   "mirage:",
 *   1000,
 *   "t1",
 * );
 * assert.deepEqual(keys, ["mirage:c:k"]);
 * ```
 */
export function encodeTransaction(
  tx: StateTransaction,
  prefix: string,
  idleTtlMs: number,
  token: string,
): EncodedTransaction {
  const keys: string[] = [];
  const args = [
    numberText(tx.now),
    String(Math.ceil(idleTtlMs)),
    flag(tx.blocked),
    token,
    String(tx.checks.length),
  ];
  for (const c of tx.checks) {
    keys.push(`${prefix}${KEY_TAGS[c.kind]}${c.key}`);
    args.push(TAGS[c.kind], flag(c.block), flag(c.global), ...checkArgs(c));
  }
  for (const m of tx.marks) {
    keys.push(`${prefix}m:${m.key}`);
    args.push(m.member, flag(m.global));
  }
  return { keys, args };
}

function valueOf(text: string): number | boolean {
  if (text === "t" || text === "f") return text === "t";
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  return Number(text);
}

/**
 * Reads the script's reply: one (passed, actual) pair per check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeReply } from "./redis_script.ts";
 * assert.deepEqual(decodeReply(["1", "3"], 1), [{ passed: true, actual: 3 }]);
 * assert.deepEqual(decodeReply(["0", "t"], 1), [{ passed: false, actual: true }]);
 * assert.throws(() => decodeReply(["1"], 1), /answered something unexpected/);
 * ```
 */
export function decodeReply(reply: unknown, checks: number): StateResult[] {
  if (!Array.isArray(reply) || reply.length !== 2 * checks) {
    throw new MirageError("state_error", "the Redis state script answered something unexpected");
  }
  const results: StateResult[] = new Array(checks);
  for (let i = 0; i < checks; i++) {
    results[i] = { passed: reply[2 * i] === "1", actual: valueOf(String(reply[2 * i + 1])) };
  }
  return results;
}
