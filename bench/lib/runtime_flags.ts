/**
 * The V8 flags the `mirage` binary is compiled with (the deno.json `compile` task), so that every
 * Deno server the bench starts — Mirage's and the baselines' alike — runs as users run Mirage.
 */

import { repoUrl } from "./policy_file.ts";

/** The `--v8-flags=…` arguments of a deno command line (none when it has none). */
export function v8FlagArgs(command: string): string[] {
  return command.split(/\s+/).filter((arg) => arg.startsWith("--v8-flags="));
}

/** The `--v8-flags=…` arguments of this checkout's `compile` task. */
export async function compiledV8Flags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(repoUrl("deno.json")));
  const compile = config?.tasks?.compile;
  if (typeof compile !== "string") throw new Error("deno.json has no compile task");
  return v8FlagArgs(compile);
}
