/**
 * Which files `mirage test` runs: the files it is given, and every `*.test.yaml` (or
 * `*.test.yml`) under the folders it is given, skipping `node_modules`, `.git` and `artifacts`.
 *
 * @module
 */

import { join } from "node:path";
import { MirageError } from "../errors.ts";

const TEST_FILE = /\.test\.ya?ml$/;
const SKIPPED: ReadonlySet<string> = new Set(["node_modules", ".git", "artifacts"]);

async function walk(dir: string, out: string[]): Promise<void> {
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && !SKIPPED.has(entry.name)) await walk(path, out);
    else if (entry.isFile && TEST_FILE.test(entry.name)) out.push(path);
  }
}

/**
 * The test files under `paths` (files as given, folders searched), sorted per folder and
 * without repeats. A path that does not exist is a `MirageError` (`file_not_found`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findTestFiles } from "./find_test_files.ts";
 * const files = await findTestFiles(["scenarios"]);
 * assert.ok(files.includes("scenarios/payments/payments.test.yaml"));
 * assert.ok(files.every((f) => f.endsWith(".test.yaml")));
 * ```
 */
export async function findTestFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      throw new MirageError("file_not_found", `no such file or folder: ${path}`);
    }
    if (info.isDirectory) await walk(path, found);
    else found.push(path);
  }
  return [...new Set(found)];
}
