/**
 * Loads a shipped policy file relative to the repository root, wherever the harness runs from.
 */

import { loadPolicies } from "@mirage/core";
import type { PolicyDocument } from "@mirage/core";

const ROOT = new URL("../../", import.meta.url);

/** The repository root as a file URL. */
export function repoUrl(path: string): URL {
  return new URL(path, ROOT);
}

/** Loads and validates a policy file named relative to the repository root. */
export async function loadPolicyFile(path: string): Promise<PolicyDocument> {
  return (await loadPolicies(repoUrl(path))).document;
}
