/**
 * What every CLI command shares: colour (only on a terminal, never with NO_COLOR), and flag
 * parsing that answers `--help` and turns a bad flag into a usage error (exit 2).
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { type Colour, painter, wantsColour } from "../log/colour.ts";

function paint(colour: Colour): (text: string) => string {
  return (text) => painter(wantsColour(Deno.stdout))(colour, text);
}

/**
 * ANSI styles for stdout that fall back to plain text when colour is off.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wantsColour } from "../log/colour.ts";
 * import { style } from "./output.ts";
 * assert.equal(style.bold("ok"), wantsColour(Deno.stdout) ? "\x1b[1mok\x1b[0m" : "ok");
 * ```
 */
export const style: Readonly<Record<Colour, (text: string) => string>> = {
  red: paint("red"),
  green: paint("green"),
  yellow: paint("yellow"),
  bold: paint("bold"),
  dim: paint("dim"),
};

/**
 * How a command describes itself for `--help` and usage errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CommandSpec, parseCommandArgs } from "./output.ts";
 * const spec: CommandSpec = {
 *   name: "check",
 *   usage: "[--json]",
 *   details: ["  --json   print the result as JSON"],
 *   options: { json: { type: "boolean", default: false } },
 * };
 * const flags = parseCommandArgs(spec, []);
 * assert.ok(typeof flags !== "number"); // a number is the exit code after --help or a bad flag
 * assert.equal(flags.json, false);
 * ```
 */
export interface CommandSpec {
  /** The command word (`check`). */
  readonly name: string;
  /** Arguments after the command word, e.g. `[--policies P] [--mocks M] [--json]`. */
  readonly usage: string;
  /** Lines describing each flag, printed by `--help`. */
  readonly details: readonly string[];
  /** Flags for `node:util` parseArgs; `--help`/`-h` is added. */
  readonly options: ParseArgsOptionsConfig;
  /** Whether the command takes arguments besides its flags (files, a folder). */
  readonly positionals?: boolean;
}

/** A parsed command line: the flags, and the other arguments when the command takes them. */
interface CommandLine {
  /** Flag values by name. */
  readonly flags: FlagValues;
  /** The arguments that are not flags, in order. */
  readonly positionals: string[];
}

/**
 * Flag values by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePort } from "./port.ts";
 * import type { FlagValues } from "./output.ts";
 * const portOf = (flags: FlagValues) => parsePort(flags.port as string);
 * assert.equal(portOf({ port: "8080", json: true }), 8080);
 * ```
 */
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * A flag as its `--help` shows it, with the lines of its description.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FlagHelp, flagHelp } from "./output.ts";
 * const json: FlagHelp = ["--json", ["print the result as JSON"]];
 * assert.deepEqual(flagHelp([json], 2, 10), ["  --json  print the result as JSON"]);
 * ```
 */
export type FlagHelp = readonly [flag: string, lines: readonly string[]];

/**
 * `--help` lines: flags from column `indent`, descriptions from column `column` (on the next
 * line when the flag is too long to leave a space before it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagHelp } from "./output.ts";
 * assert.deepEqual(flagHelp([["--port N", ["port to listen on", "(default 8080)"]]], 2, 14), [
 *   "  --port N    port to listen on",
 *   "              (default 8080)",
 * ]);
 * ```
 */
export function flagHelp(entries: readonly FlagHelp[], indent: number, column: number): string[] {
  return entries.flatMap(([flag, lines]) => {
    const head = `${" ".repeat(indent)}${flag}`;
    const first = head.length < column ? head.padEnd(column) : `${head}\n${" ".repeat(column)}`;
    return lines.map((line, i) => `${i === 0 ? first : " ".repeat(column)}${line}`);
  });
}

function usageLine(spec: CommandSpec): string {
  return `usage: mirage ${spec.name}${spec.usage ? ` ${spec.usage}` : ""}`;
}

/**
 * Prints a usage error for `spec` on stderr and returns exit code 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { usageError } from "./output.ts";
 * const spec = { name: "check", usage: "[--json]", details: [], options: {} };
 * const printed: string[] = [];
 * const error = console.error;
 * console.error = (line: string) => printed.push(line);
 * try {
 *   assert.equal(usageError(spec, "--policies needs a file"), 2);
 * } finally {
 *   console.error = error;
 * }
 * assert.deepEqual(printed, ["mirage check: --policies needs a file", "usage: mirage check [--json]"]);
 * ```
 */
export function usageError(spec: CommandSpec, message: string): number {
  console.error(`mirage ${spec.name}: ${message}`);
  console.error(usageLine(spec));
  return 2;
}

/**
 * Parses `args` strictly. Returns the flag values, or the exit code when the command should stop
 * here: 0 after printing `--help`, 2 after a usage error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandArgs } from "./output.ts";
 * const spec = { name: "serve", usage: "[--port N]", details: [], options: { port: { type: "string" as const } } };
 * const flags = parseCommandArgs(spec, ["--port", "8080"]);
 * assert.equal(typeof flags === "number" ? flags : flags.port, "8080");
 * ```
 */
export function parseCommandArgs(spec: CommandSpec, args: string[]): FlagValues | number {
  const line = parseCommandLine(spec, args);
  return typeof line === "number" ? line : line.flags;
}

/**
 * Parses `args` strictly, with the arguments that are not flags when `spec.positionals` says
 * the command takes them. Returns the exit code instead as {@link parseCommandArgs} does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine } from "./output.ts";
 * const spec = {
 *   name: "test", usage: "[--json] FILE...", details: [], positionals: true,
 *   options: { json: { type: "boolean" as const } },
 * };
 * const line = parseCommandLine(spec, ["a.test.yaml", "--json", "b.test.yaml"]);
 * assert.ok(typeof line !== "number");
 * assert.equal(line.flags.json, true);
 * assert.deepEqual(line.positionals, ["a.test.yaml", "b.test.yaml"]);
 * ```
 */
export function parseCommandLine(spec: CommandSpec, args: string[]): CommandLine | number {
  const options: ParseArgsOptionsConfig = {
    ...spec.options,
    help: { type: "boolean", short: "h" },
  };
  let values: FlagValues;
  let positionals: string[];
  try {
    const allowPositionals = spec.positionals ?? false;
    ({ values, positionals } = parseArgs({ args, options, strict: true, allowPositionals }));
  } catch (e) {
    if (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS")) {
      return usageError(spec, e.message.split(". ")[0] as string);
    }
    throw e;
  }
  if (values.help) {
    console.log(`${usageLine(spec)}\n\n${spec.details.join("\n")}`);
    return 0;
  }
  return { flags: values, positionals };
}
