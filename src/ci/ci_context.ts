/**
 * Loading the policies and mocks files into the context of the CI request path, and
 * recompiling it on reload with the same state store, so that counters survive a reload.
 *
 * @module
 */

import { loadedTogether, loadMocks, loadPolicies } from "../config/load.ts";
import { compileChaos } from "../engine/compile_chaos.ts";
import type { ChaosSwitch } from "../engine/chaos_switch.ts";
import { compileMocks } from "../engine/compile_mocks.ts";
import { compilePolicies } from "../engine/compile_policies.ts";
import type { StateStore } from "../state/state_store.ts";
import type { CiContext } from "./ci_handler.ts";
import type { Mode } from "../engine/outcome.ts";
import { compileRedactor } from "../trace/redact.ts";
import { requireFile } from "../config/require_file.ts";

/**
 * The files and settings a CI context is built from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CiSource } from "./ci_context.ts";
 * const source: CiSource = {
 *   policies: "policies/procurement.yaml",
 *   mocks: "mocks/procurement.yaml",
 *   mode: "passthrough",
 *   maxBody: 64 * 1024,
 * };
 * assert.equal(source.chaos, undefined);
 * ```
 */
export interface CiSource {
  /** Path of the policies file. */
  readonly policies: string;
  /** Path of the mocks file. */
  readonly mocks: string;
  /** `enforce` or `passthrough`. */
  readonly mode: Mode;
  /** Bytes of a request body read for the policies. */
  readonly maxBody: number;
  /** The fault profile to turn on for the whole run (docs/chaos.md); default none. */
  readonly chaos?: ChaosSwitch | undefined;
}

/**
 * Loads and compiles both files; throws the loader's `ConfigError` (every issue as
 * `file:line:col: message`) or `MirageError` (missing file, or a chaos profile the mocks file
 * does not declare) when either is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCiContext } from "./ci_context.ts";
 * const ctx = await loadCiContext({
 *   policies: "policies/procurement.yaml",
 *   mocks: "mocks/procurement.yaml",
 *   mode: "enforce",
 *   maxBody: 1024,
 * });
 * assert.ok(ctx.policies.size > 0);
 * assert.ok((ctx.mocks?.size ?? 0) > 0);
 * await ctx.policies.store.close();
 * ```
 */
export async function loadCiContext(source: CiSource, store?: StateStore): Promise<CiContext> {
  // A missing file is named before either file's contents are judged, whichever reads faster.
  await requireFile(source.policies, "policies");
  await requireFile(source.mocks, "mocks");
  const [policiesDoc, mocksDoc] = await loadedTogether(
    loadPolicies(source.policies),
    loadMocks(source.mocks),
  );
  const chaos = source.chaos ? compileChaos(mocksDoc.document).select(source.chaos) : undefined;
  const policies = compilePolicies(policiesDoc, store ? { store } : {});
  return {
    mode: source.mode,
    policies,
    mocks: compileMocks(mocksDoc),
    redactor: compileRedactor(policies.redact),
    maxBody: source.maxBody,
    chaos,
  };
}
