/**
 * Every file below a directory, for tests that grep all of what Mirage wrote (journals, traces,
 * sidecars, summaries) for a secret.
 */

import { join } from "node:path";

/** The paths of every file below `dir`, depth first. */
export function filesUnder(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory ? filesUnder(path) : [path];
  });
}
