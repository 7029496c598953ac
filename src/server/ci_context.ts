/**
 * Loading the policies and mocks files into the context of the CI request path, and
 * recompiling it on reload with the same state store, so that counters survive a reload.
 *
 * @module
 */

import { loadMocks, loadPolicies } from "../config/load.ts";
import { MirageError } from "../errors.ts";
import { compileMocks } from "../engine/compile_mocks.ts";
import { compilePolicies } from "../engine/compile_policies.ts";
import type { StateStore } from "../engine/state_store.ts";
import type { CiContext } from "../runtime/ci_handler.ts";
import { compileRedactor } from "../trace/redact.ts";
import type { TraceStore } from "../trace/trace_store.ts";

/** The files and settings a CI context is built from. */
export interface CiSource {
  /** Path of the policies file. */
  readonly policies: string;
  /** Path of the mocks file. */
  readonly mocks: string;
  /** False in passthrough mode. */
  readonly enforce: boolean;
  /** Where events are recorded. */
  readonly traces: TraceStore | undefined;
}

/** The loaders read a string that names no file as YAML text: a server only takes files. */
async function requireFile(path: string, noun: string): Promise<string> {
  try {
    if ((await Deno.stat(path)).isFile) return path;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  throw new MirageError("file_not_found", `${noun} file not found: ${path}`);
}

/**
 * Loads and compiles both files; throws the loader's `ConfigError` (every issue as
 * `file:line:col: message`) or `MirageError` (missing file) when either is wrong.
 *
 * @example
 * ```ts
 * import { loadCiContext } from "./ci_context.ts";
 * const ctx = await loadCiContext({ policies: "policies/procurement.yaml", mocks: "mocks/procurement.yaml", enforce: true, traces: undefined });
 * console.log(ctx.mocks.size, ctx.policies.size);
 * ```
 */
export async function loadCiContext(source: CiSource, store?: StateStore): Promise<CiContext> {
  const [policiesDoc, mocksDoc] = await Promise.all([
    requireFile(source.policies, "policies").then(loadPolicies),
    requireFile(source.mocks, "mocks").then(loadMocks),
  ]);
  const policies = compilePolicies(policiesDoc, store ? { store } : {});
  return {
    enforce: source.enforce,
    policies,
    mocks: compileMocks(mocksDoc),
    redactor: compileRedactor(policies.redact),
    traces: source.traces,
  };
}
