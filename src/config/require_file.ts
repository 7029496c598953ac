/**
 * Servers take configuration from files only. The loaders read a string that names no file as
 * YAML text, which is right for `session()` but would turn a mistyped path into an empty
 * configuration here.
 */

import { assertRegularFile } from "./config_file.ts";

/**
 * Returns the path when it names a regular file; otherwise throws the `MirageError` of
 * {@link assertRegularFile} (`file_not_found`, `file_not_regular`) naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireFile } from "./require_file.ts";
 * assert.equal(await requireFile("policies/procurement.yaml", "policies"), "policies/procurement.yaml");
 * await assert.rejects(requireFile("policies: []", "policies"), { code: "file_not_found" });
 * ```
 */
export async function requireFile(path: string, noun: string): Promise<string> {
  await assertRegularFile(path, noun);
  return path;
}
