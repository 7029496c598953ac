/**
 * `mirage audit verify <dir>` and `mirage audit export <dir>`: check an audit directory's hash
 * chains, or hand its entries to a compliance team's tools. The key of an HMAC chain comes from
 * `MIRAGE_AUDIT_KEY` only, never from a flag (a flag would show in `ps` and shell history).
 *
 * @module
 */

import { MirageError } from "../errors.ts";
import { didYouMean } from "../config/suggest.ts";
import { AUDIT_KEY_ENV, AuditKey } from "../audit/audit_key.ts";
import { exportAudit } from "../audit/export.ts";
import { type ChainFault, verifyAudit, type VerifyReport } from "../audit/verify.ts";
import { type CommandSpec, type FlagValues, parseCommandArgs, usageError } from "./output.ts";

const VERIFY: CommandSpec = {
  name: "audit verify",
  usage: "<dir> [--expect-head HASH ...]",
  details: [
    "Checks every hash chain in an audit directory (written by --audit). Exit 0 when all are",
    "intact, printing each chain's head hash; exit 1 at the first entry that fails, saying how:",
    "edited, deleted, inserted, reordered, a policy digest that was never in force, a file missing",
    "from a rotation, a missing or wrong key.",
    "",
    "  --expect-head HASH   a head printed by an earlier verify and kept elsewhere: it must still be",
    "                       in a chain (repeat it for several replicas)",
    "",
    "Removing entries from the end of a chain leaves no trace in the files: only --expect-head,",
    "with a head recorded outside the writer's reach, detects it.",
    `An HMAC chain needs its key in ${AUDIT_KEY_ENV}.`,
  ],
  options: { "expect-head": { type: "string", multiple: true } },
};

const EXPORT: CommandSpec = {
  name: "audit export",
  usage: "<dir> [--since T] [--until T] [--format jsonl|csv] [--output FILE]",
  details: [
    "Writes every entry of an audit directory, in chain order, to stdout (or --output).",
    "",
    "  --since T       entries at or after T (ISO 8601, e.g. 2026-11-01 or 2026-11-01T09:00:00Z)",
    "  --until T       entries before T",
    "  --format F      jsonl (default): the lines as written; csv: a header row and one column per",
    "                  field (RFC 4180; cells that begin with = + - @ are prefixed with ')",
    "  --output FILE   write there instead of stdout",
    "",
    "Export does not verify: run 'mirage audit verify' first.",
  ],
  options: {
    since: { type: "string" },
    until: { type: "string" },
    format: { type: "string", default: "jsonl" },
    output: { type: "string" },
  },
};

const SUBCOMMANDS = ["verify", "export"];

function printHelp(print: (text: string) => void): void {
  print([
    "usage: mirage audit verify <dir> [--expect-head HASH ...]",
    "       mirage audit export <dir> [--since T] [--until T] [--format jsonl|csv] [--output FILE]",
    "",
    "  verify   check the hash chains of an audit directory; print the head hashes",
    "  export   write the entries as JSON lines or CSV",
    "",
    "Run 'mirage audit <subcommand> --help' for its flags.",
  ].join("\n"));
}

/** The directory (the first argument, unless it is a flag) and the flags after it. */
function split(spec: CommandSpec, args: string[]): { dir: string; flags: FlagValues } | number {
  const dir = args[0] !== undefined && !args[0].startsWith("-") ? args[0] : undefined;
  const flags = parseCommandArgs(spec, dir === undefined ? args : args.slice(1));
  if (typeof flags === "number") return flags;
  if (dir === undefined) return usageError(spec, "the audit directory is required");
  return { dir, flags };
}

function describeFault(f: ChainFault): string {
  const where = f.file === undefined
    ? ""
    : ` at ${f.seq === undefined ? "" : `seq ${f.seq}, `}${f.file} line ${f.line}`;
  return `chain broken${where}: ${f.kind} — ${f.message}`;
}

function printReport(r: VerifyReport): void {
  for (const note of r.notes) console.error(`note: ${note}`);
  if (r.fault) {
    console.error(`mirage audit verify: ${describeFault(r.fault)}`);
    return;
  }
  const files = r.files === 1 ? "1 file" : `${r.files} files`;
  const chains = r.heads.length === 1 ? "1 chain" : `${r.heads.length} chains`;
  console.log(`audit chain intact: ${r.entries} entries in ${files}, ${chains}`);
  for (const h of r.heads) console.log(`head ${h.hash} (seq ${h.seq}, ${h.file})`);
}

async function verify(args: string[]): Promise<number> {
  const parsed = split(VERIFY, args);
  if (typeof parsed === "number") return parsed;
  const key = AuditKey.fromEnv();
  const expectHeads = (parsed.flags["expect-head"] as string[] | undefined) ?? [];
  const report = await verifyAudit(parsed.dir, { ...(key ? { key } : {}), expectHeads });
  printReport(report);
  return report.ok ? 0 : 1;
}

function dateFlag(flags: FlagValues, name: string): Date | undefined {
  const text = flags[name] as string | undefined;
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new MirageError("usage", `--${name} is not a date or time: ${text}`);
  }
  return date;
}

const encoder = new TextEncoder();

async function writeAll(file: Deno.FsFile | typeof Deno.stdout, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
}

async function exportCommand(args: string[]): Promise<number> {
  const parsed = split(EXPORT, args);
  if (typeof parsed === "number") return parsed;
  const { dir, flags } = parsed;
  const format = flags.format as string;
  if (format !== "jsonl" && format !== "csv") {
    return usageError(EXPORT, `--format must be jsonl or csv, got '${format}'`);
  }
  let since: Date | undefined, until: Date | undefined;
  try {
    since = dateFlag(flags, "since");
    until = dateFlag(flags, "until");
  } catch (e) {
    return usageError(EXPORT, (e as Error).message);
  }
  const output = flags.output as string | undefined;
  const out = output === undefined ? Deno.stdout : await Deno.open(output, {
    write: true,
    create: true,
    truncate: true,
  });
  try {
    const summary = await exportAudit(dir, {
      format,
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      write: (text) => writeAll(out, text),
    });
    if (summary.unreadable > 0) {
      console.error(`note: ${summary.unreadable} lines are not JSON and were left out`);
    }
  } finally {
    if (out !== Deno.stdout) out.close();
  }
  return 0;
}

/**
 * Runs `mirage audit <verify|export> …`; 0 when done (verify: the chain is intact), 1 when
 * verify finds a broken chain, 2 on bad arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { run } from "./audit.ts";
 * const code = await run(["verify", await Deno.makeTempDir()]);
 * assert.equal(code, 1); // no entries: nothing is proven
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "--help" || sub === "-h" || sub === "help") {
    printHelp(console.log);
    return 0;
  }
  if (sub === "verify") return await verify(rest);
  if (sub === "export") return await exportCommand(rest);
  console.error(
    sub === undefined
      ? "mirage audit: a subcommand is required"
      : `mirage audit: unknown subcommand '${sub}'${didYouMean(sub, SUBCOMMANDS)}`,
  );
  printHelp(console.error);
  return 2;
}
