/**
 * `mirage init [dir]`: writes a starter `policies.yaml`, `mocks.yaml`, `policies.test.yaml` and
 * `.github/workflows/mirage.yml` that pass `mirage check` and `mirage test`. If any of them
 * exists it writes nothing and exits 1, naming it.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { ACTION_PLACEHOLDER, starterFiles } from "./init_templates.ts";
import { type CommandSpec, parseCommandLine, style, usageError } from "./output.ts";

const SPEC: CommandSpec = {
  name: "init",
  usage: "[DIR] [--action OWNER/REPO@REF]",
  details: [
    "Writes starter policies.yaml, mocks.yaml, policies.test.yaml and",
    ".github/workflows/mirage.yml into DIR (default: the current folder). Writes nothing when",
    "any of them exists.",
    "",
    "  --action REF   the GitHub Action the workflow uses (default: a placeholder to replace)",
  ],
  options: { action: { type: "string" } },
  positionals: true,
};

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

function printNext(dir: string, placeholder: boolean): void {
  const steps = [
    ...(dir === "." ? [] : [[`cd ${dir}`, ""]]),
    ["mirage check --policies policies.yaml --mocks mocks.yaml", "validate the files"],
    ["mirage test --coverage", "run the policy tests"],
    ["mirage proxy --policies policies.yaml --mocks mocks.yaml", "serve the mocks to your agent"],
  ];
  const width = Math.max(...steps.map(([cmd]) => (cmd as string).length));
  console.log(`\n${style.bold("Next:")}`);
  for (const [cmd, why] of steps) {
    console.log(why ? `  ${(cmd as string).padEnd(width)}  ${style.dim(`# ${why}`)}` : `  ${cmd}`);
  }
  if (placeholder) {
    console.log(
      `\nIn .github/workflows/mirage.yml, replace ${ACTION_PLACEHOLDER} with the repository ` +
        "mirage is released from (or run init with --action OWNER/REPO@REF).",
    );
  }
}

/**
 * Runs `mirage init`; 0 when the files were written, 1 when one already exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { run } from "./init.ts";
 * const code = await run(["--help"]); // prints the usage; `run(["my-agent"])` writes the files there
 * assert.equal(code, 0);
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const line = parseCommandLine(SPEC, args);
  if (typeof line === "number") return line;
  if (line.positionals.length > 1) return usageError(SPEC, "give at most one folder");
  const dir = line.positionals[0] ?? ".";
  const action = typeof line.flags.action === "string" ? line.flags.action : ACTION_PLACEHOLDER;
  const files = Object.entries(starterFiles(action)).map(([name, text]) => ({
    name,
    path: join(dir, name),
    text,
  }));
  const present = [];
  for (const f of files) if (await exists(f.path)) present.push(f.path);
  if (present.length) {
    console.error(
      `mirage init: ${present.join(", ")} already exist${
        present.length === 1 ? "s" : ""
      }; nothing written`,
    );
    return 1;
  }
  for (const f of files) {
    await Deno.mkdir(dirname(f.path), { recursive: true });
    await Deno.writeTextFile(f.path, f.text, { createNew: true });
    console.log(`${style.green("wrote")} ${f.path}`);
  }
  printNext(dir, action === ACTION_PLACEHOLDER);
  return 0;
}
