/**
 * The `mirage` command line: `mirage <command> [args]`. Commands live in a table and are loaded
 * only when run, so that `mirage version` does not pay for the proxy.
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import { didYouMean } from "../config/suggest.ts";
import { style } from "./output.ts";

/** What a command module exports. */
interface CommandModule {
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** One entry of the command table. */
interface CommandEntry {
  /** One line for `mirage --help`. */
  readonly summary: string;
  /** Imports the command's module. */
  readonly load: () => Promise<CommandModule>;
}

/** Every command, by name. */
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  audit: {
    summary: "verify an audit directory's hash chains, or export its entries as JSON lines or CSV",
    load: () => import("./audit.ts"),
  },
  check: {
    summary: "validate policy and mock files, reporting every error as file:line:col",
    load: () => import("./check.ts"),
  },
  console: {
    summary: "serve the review console over a trace directory, or export it as static HTML",
    load: () => import("./console.ts"),
  },
  gateway: {
    summary: "put the policies in front of a real upstream (enforce or passthrough)",
    load: () => import("./gateway.ts"),
  },
  "gate-run": {
    summary: "fail the build on a policy_violation, unmatched_route or error in the traces",
    load: () => import("./gate_run.ts"),
  },
  init: {
    summary: "write starter policies, mocks, policy tests and a GitHub workflow",
    load: () => import("./init.ts"),
  },
  mcp: {
    summary: "put the policies in front of an MCP server (HTTP or stdio), or serve mocked tools",
    load: () => import("./mcp.ts"),
  },
  proxy: {
    summary: "serve the mocks to an agent under test and enforce the policies (CI)",
    load: () => import("./proxy.ts"),
  },
  replay: {
    summary: "re-decide recorded traces under another policy file and report what changes",
    load: () => import("./replay.ts"),
  },
  test: {
    summary: "run policy tests (*.test.yaml): expected outcomes of requests and tool calls",
    load: () => import("./test.ts"),
  },
  version: { summary: "print the version", load: () => import("./version.ts") },
};

const HELP = new Set(["help", "--help", "-h"]);

function printHelp(): void {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) =>
    `  ${name.padEnd(width)}  ${c.summary}`
  );
  console.log(`${style.bold("usage:")} mirage <command> [args]\n\ncommands:\n${lines.join("\n")}`);
  console.log(`\nRun 'mirage <command> --help' for a command's flags.`);
}

/**
 * Runs the CLI with `args` (without the program name) and resolves to the exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./main.ts";
 * const code = await main(["version"]); // prints "mirage 0.1.0"
 * assert.equal(code, 0);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || (HELP.has(name) && rest.length === 0)) {
    printHelp();
    return name === undefined ? 2 : 0;
  }
  if (HELP.has(name)) return main([rest[0] as string, "--help"]);
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    console.error(`mirage: unknown command '${name}'${didYouMean(name, Object.keys(COMMANDS))}`);
    console.error("Run 'mirage --help' for the list of commands.");
    return 2;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (e) {
    if (!(e instanceof MirageError)) throw e;
    console.error(`mirage ${name}: ${e.message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
