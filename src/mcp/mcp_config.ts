/**
 * What `mirage mcp` decides with, compiled once per load: the policies, the declared tools (the
 * mocks file, when there is one), the redactor, and which tools a rule blocks whatever the
 * call. A reload recompiles with the same state store, so counters survive it.
 *
 * @module
 */

import { loadMocks, loadPolicies } from "../config/load.ts";
import { requireFile } from "../config/require_file.ts";
import { compileMocks, type MockRouter } from "../engine/compile_mocks.ts";
import { compilePolicies, type PolicySet } from "../engine/compile_policies.ts";
import { compileOutrightBlocks } from "../engine/outright_blocks.ts";
import type { StateStore } from "../state/state_store.ts";
import { compileRedactor, type Redactor } from "../trace/redact.ts";
import { declaredTools, type McpTool } from "./tool_listing.ts";

/**
 * One loaded configuration; a message is decided with a single one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadMcpConfig, type McpConfig } from "./mcp_config.ts";
 * const config: McpConfig = await loadMcpConfig({ policies: "scenarios/support_refunds/policies.yaml" });
 * assert.equal(config.surface, undefined); // no mocks file
 * assert.deepEqual(config.tools, []);
 * assert.equal(config.blocksOutright("issue_store_credit"), undefined); // its rule stops some calls only
 * ```
 */
export interface McpConfig {
  /** The compiled policies. */
  readonly policies: PolicySet;
  /** The declared tools (and routes) of the mocks file, if one was given. */
  readonly surface: MockRouter | undefined;
  /** Redacts secrets before traces. */
  readonly redactor: Redactor;
  /** The rule that blocks every call of a tool, if one does. */
  readonly blocksOutright: (tool: string) => string | undefined;
  /** The declared tools as `tools/list` shows them (empty without a mocks file). */
  readonly tools: readonly McpTool[];
}

/** The files a configuration is loaded from. */
interface McpFiles {
  /** Path of the policies file. */
  readonly policies: string;
  /** Path of the mocks file, if any. */
  readonly mocks?: string | undefined;
  /**
   * Mirage is the server (`--mocks` with no upstream): the declared tools are all there is, so a
   * call to any other tool is `unmatched_route` (as with `strict_tools: true`).
   */
  readonly serving?: boolean;
}

/**
 * Loads and compiles the files; throws `ConfigError` or `MirageError` when one is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadMcpConfig } from "./mcp_config.ts";
 * const config = await loadMcpConfig({ policies: "scenarios/support_refunds/policies.yaml", mocks: "scenarios/support_refunds/mocks.yaml", serving: true });
 * assert.equal(config.surface?.tools.strict, true); // serving: an undeclared tool is unmatched_route
 * assert.deepEqual(config.tools.map((t) => t.name), ["issue_store_credit", "send_email"]);
 * ```
 */
export async function loadMcpConfig(files: McpFiles, store?: StateStore): Promise<McpConfig> {
  const [policiesDoc, mocksDoc] = await Promise.all([
    requireFile(files.policies, "policies").then(loadPolicies),
    files.mocks === undefined ? undefined : requireFile(files.mocks, "mocks").then(loadMocks),
  ]);
  const policies = compilePolicies(policiesDoc, store ? { store } : {});
  const mocks = mocksDoc?.document;
  const surface = mocks && compileMocks(files.serving ? { ...mocks, strict_tools: true } : mocks);
  return {
    policies,
    surface,
    redactor: compileRedactor(policies.redact),
    blocksOutright: compileOutrightBlocks(policiesDoc.document),
    tools: mocks ? declaredTools(mocks) : [],
  };
}
