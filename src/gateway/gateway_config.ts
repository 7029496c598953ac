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

/**
 * One loaded configuration; requests read a single one from start to end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GatewayConfig } from "./gateway_config.ts";
 * import { compileMocks } from "../engine/compile_mocks.ts";
 * import { compilePolicies } from "../engine/compile_policies.ts";
 * import { compileRedactor } from "../trace/redact.ts";
 * const config: GatewayConfig = {
 *   policies: compilePolicies({
 *     policies: [{ name: "cap", field: "amount", operator: "max", value: 100, message: "too much" }],
 *   }),
 *   surface: compileMocks({ mocks: [{ name: "bids", method: "POST", path: "/v1/bids", response: {} }] }),
 *   redactor: compileRedactor([]),
 * };
 * assert.equal(config.policies.size, 1);
 * assert.equal(config.surface?.size, 1);
 * ```
 */
export interface GatewayConfig {
  /** The compiled policies. */
  readonly policies: PolicySet;
  /** The declared surface (`--surface`); without it every route is in scope. */
  readonly surface: MockRouter | undefined;
  /** Redacts secrets (defaults plus the file's `redact:`) before traces. */
  readonly redactor: Redactor;
}

/**
 * The files a configuration is loaded from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GatewayFiles, loadGatewayConfig } from "./gateway_config.ts";
 * const dir = await Deno.makeTempDir();
 * const files: GatewayFiles = { policies: `${dir}/policies.yaml`, surface: `${dir}/mocks.yaml` };
 * await Deno.writeTextFile(
 *   files.policies,
 *   "policies:\n  - { name: cap, field: amount, operator: max, value: 100, message: too much }\n",
 * );
 * await Deno.writeTextFile(files.surface as string, "mocks:\n  - { name: bids, method: POST, path: /v1/bids }\n");
 * const config = await loadGatewayConfig(files);
 * assert.equal(config.policies.size, 1);
 * assert.equal(config.surface?.size, 1);
 * await Deno.remove(files.surface as string);
 * await assert.rejects(loadGatewayConfig(files), /mocks\.yaml/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
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
 * import assert from "node:assert/strict";
 * import { loadGatewayConfig } from "./gateway_config.ts";
 * const config = await loadGatewayConfig({ policies: "policies/procurement.yaml", surface: undefined });
 * assert.ok(config.policies.size > 0);
 * assert.equal(config.surface, undefined);
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
