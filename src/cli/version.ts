/**
 * `mirage version`: the version of this build, from deno.json.
 *
 * @module
 */

import config from "../../deno.json" with { type: "json" };
import { type CommandSpec, parseCommandArgs } from "./output.ts";

const SPEC: CommandSpec = {
  name: "version",
  usage: "",
  details: ["Prints the version of mirage."],
  options: {},
};

/**
 * Prints `mirage <version>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { run } from "./version.ts";
 * assert.equal(await run([]), 0); // prints "mirage 0.1.0"
 * ```
 */
export function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(SPEC, args);
  if (typeof parsed === "number") return Promise.resolve(parsed);
  console.log(`mirage ${config.version}`);
  return Promise.resolve(0);
}
