/**
 * The switch that turns a fault profile on for a whole run (docs/chaos.md): `--chaos 7` (the
 * faults declared on the mocks, seed 7), `--chaos flaky` (profile `flaky`, seed 0) or
 * `--chaos flaky:7`; the same text, or `{profile, seed}`, as the `chaos` option of `session()`
 * and `startProxy`.
 *
 * @module
 */

import { DEFAULT_PROFILE } from "../config/fault_types.ts";
import { MirageError } from "../errors.ts";

/**
 * Which profile a chaos run turns on, and the seed its draws start from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ChaosSwitch, chaosSwitch } from "@mirage/core";
 * const s: ChaosSwitch = chaosSwitch("flaky_payments:7");
 * assert.deepEqual(s, { profile: "flaky_payments", seed: 7 });
 * ```
 */
export interface ChaosSwitch {
  /** The profile: `default` (the mocks' own `faults:`) or a name under `chaos:`. */
  readonly profile: string;
  /** Another seed gives another, equally reproducible, pattern of faults. */
  readonly seed: number;
}

/**
 * How a caller names a chaos run: `"7"`, `"flaky"`, `"flaky:7"`, or `{profile?, seed?}`
 * (defaults `default` and 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ChaosOption, chaosSwitch } from "@mirage/core";
 * const a: ChaosOption = "flaky_payments:7";
 * const b: ChaosOption = { profile: "flaky_payments" };
 * assert.equal(chaosSwitch(a).seed, 7);
 * assert.deepEqual(chaosSwitch(b), { profile: "flaky_payments", seed: 0 });
 * ```
 */
export type ChaosOption = string | { readonly profile?: string; readonly seed?: number };

const SEED = /^\d+$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const MAX_SEED = 0xffff_ffff;

function seedOf(text: string, given: string): number {
  const seed = SEED.test(text) ? Number(text) : NaN;
  if (!(seed <= MAX_SEED)) {
    throw new MirageError(
      "invalid_chaos",
      `chaos seed must be an integer from 0 to ${MAX_SEED}, got '${given}'`,
    );
  }
  return seed;
}

function checkedName(name: string, given: string): string {
  if (!NAME.test(name)) {
    throw new MirageError(
      "invalid_chaos",
      `chaos takes a seed, a profile name or name:seed, got '${given}'`,
    );
  }
  return name;
}

/**
 * Reads a chaos switch; throws {@link MirageError} `invalid_chaos` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chaosSwitch, MirageError } from "@mirage/core";
 * assert.deepEqual(chaosSwitch("7"), { profile: "default", seed: 7 });
 * assert.deepEqual(chaosSwitch("flaky:3"), { profile: "flaky", seed: 3 });
 * assert.deepEqual(chaosSwitch({ profile: "flaky" }), { profile: "flaky", seed: 0 });
 * assert.throws(
 *   () => chaosSwitch("flaky:-1"),
 *   (e) => e instanceof MirageError && e.code === "invalid_chaos",
 * );

 * ```
 */
export function chaosSwitch(option: ChaosOption): ChaosSwitch {
  if (typeof option !== "string") {
    const profile = option.profile ?? DEFAULT_PROFILE;
    const seed = option.seed ?? 0;
    checkedName(profile, profile);
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) seedOf("-", String(seed));
    return { profile, seed };
  }
  const text = option.trim();
  if (SEED.test(text)) return { profile: DEFAULT_PROFILE, seed: seedOf(text, option) };
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { profile: checkedName(text, option), seed: 0 };
  return {
    profile: checkedName(text.slice(0, colon), option),
    seed: seedOf(text.slice(colon + 1), option),
  };
}
