/**
 * The gateway's compiled configuration: policies, the optional declared surface and the
 * redactor, built once per load so that the request path never reads or compiles a file. A
 * reload recompiles with the same state store, so counters survive it.
 *
 * @module
 */

import { loadedTogether, loadMocks, loadPolicies } from "../config/load.ts";
import { compileMocks, type MockRouter } from "../engine/compile_mocks.ts";
import { compilePolicies, type PolicySet } from "../engine/compile_policies.ts";
import type { StateStore } from "../state/state_store.ts";
import { compileRedactor, type Redactor } from "../trace/redact.ts";
import { requireFile } from "../config/require_file.ts";

/** One loaded configuration; requests read a single one from start to end. */
export interface GatewayConfig {
  /** The compiled policies. */
  readonly policies: PolicySet;
  /** The declared surface (`--surface`); without it every route is in scope. */
  readonly surface: MockRouter | undefined;
  /** Redacts secrets (defaults plus the file's `redact:`) before traces. */
  readonly redactor: Redactor;
}

/** The files a configuration is loaded from. */
export interface GatewayFiles {
  /** Path of the policies file. */
  readonly policies: string;
  /** Path of the surface (mocks) file, if any. */
  readonly surface: string | undefined;
}

/**
 * Loads and compiles the files; throws `ConfigError` or `MirageError` when one is wrong.
 *
 * @example
 * ```ts
 * import { loadGatewayConfig } from "./gateway_config.ts";
 * const config = await loadGatewayConfig({ policies: "policies/procurement.yaml", surface: undefined });
 * console.log(config.policies.size);
 * ```
 */
export async function loadGatewayConfig(
  files: GatewayFiles,
  store?: StateStore,
): Promise<GatewayConfig> {
  // A missing file is named before either file's contents are judged, whichever reads faster.
  await requireFile(files.policies, "policies");
  if (files.surface !== undefined) await requireFile(files.surface, "surface");
  const [policiesDoc, mocksDoc] = await loadedTogether(
    loadPolicies(files.policies),
    files.surface === undefined ? Promise.resolve(undefined) : loadMocks(files.surface),
  );
  const policies = compilePolicies(policiesDoc, store ? { store } : {});
  return {
    policies,
    surface: mocksDoc ? compileMocks(mocksDoc) : undefined,
    redactor: compileRedactor(policies.redact),
  };
}
