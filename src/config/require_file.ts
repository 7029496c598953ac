/**
 * Servers take configuration from files only. The loaders read a string that names no file as
 * YAML text, which is right for `session()` but would turn a mistyped path into an empty
 * configuration here.
 */

import { MirageError } from "../errors.ts";

/** Returns the path when it names a file; otherwise throws `file_not_found` naming it. */
export async function requireFile(path: string, noun: string): Promise<string> {
  try {
    if ((await Deno.stat(path)).isFile) return path;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  throw new MirageError("file_not_found", `${noun} file not found: ${path}`);
}
