/**
 * `mirage check`: validates a policies file and/or a mocks file, reports every error of every
 * file in one run as `file:line:col: message`, and lints a valid policies file, and the pair
 * when both are valid.
 *
 * @module
 */

import { ConfigError, type ConfigIssue, MirageError } from "../errors.ts";
import { readConfigFile } from "../config/config_file.ts";
import { parseMocks, parsePolicies } from "../config/load.ts";
import { lintConfig, lintPolicies } from "../config/lint.ts";
import { compileChaos } from "../engine/compile_chaos.ts";
import type { Loaded, MocksDocument, PolicyDocument } from "../config/types.ts";
import { type CommandSpec, parseCommandArgs, style, usageError } from "./output.ts";

const SPEC: CommandSpec = {
  name: "check",
  usage: "[--policies P] [--mocks M] [--json]",
  details: [
    "Checks policy and mock files; exits 1 if any has an error.",
    "",
    "  -p, --policies P   policies file (YAML or JSON)",
    "  -m, --mocks M      mocks file (YAML or JSON)",
    "      --json         print one JSON report instead of text",
  ],
  options: {
    policies: { type: "string", short: "p" },
    mocks: { type: "string", short: "m" },
    json: { type: "boolean" },
  },
};

type Kind = "policies" | "mocks";

/** The outcome for one file, as printed by `--json`. */
interface FileReport {
  file: string;
  kind: Kind;
  ok: boolean;
  count: number | null;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

interface Checked<T> {
  report: FileReport;
  loaded?: Loaded<T>;
}

function failed(file: string, kind: Kind, errors: ConfigIssue[]): FileReport {
  return { file, kind, ok: false, count: null, errors, warnings: [] };
}

async function checkFile<T>(
  file: string,
  kind: Kind,
  parse: (text: string, file: string) => Loaded<T>,
  count: (doc: T) => number,
): Promise<Checked<T>> {
  try {
    const loaded = parse((await readConfigFile(file, kind)).text, file);
    const report = {
      file,
      kind,
      ok: true,
      count: count(loaded.document),
      errors: [],
      warnings: [],
    };
    return { report, loaded };
  } catch (e) {
    if (e instanceof ConfigError) return { report: failed(file, kind, [...e.issues]) };
    if (e instanceof MirageError) {
      return { report: failed(file, kind, [{ file, line: 1, col: 1, message: e.message }]) };
    }
    throw e;
  }
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function policySummary(doc: PolicyDocument): string {
  const flags = doc.policies.filter((p) => p.action === "flag").length;
  const blocks = doc.policies.length - flags;
  const split = [blocks ? `${blocks} block` : "", flags ? `${flags} flag` : ""].filter((s) => s);
  const detail = split.length ? ` (${split.join(", ")})` : "";
  return `${plural(doc.policies.length, "policy", "policies")}${detail}`;
}

function mockSummary(doc: MocksDocument): string {
  const routes = plural(doc.mocks.length, "route", "routes");
  const tools = doc.tools?.length ?? 0;
  const profiles = compileChaos(doc).profiles;
  const chaos = profiles.length
    ? ` · chaos ${plural(profiles.length, "profile", "profiles")} (${profiles.join(", ")})`
    : "";
  if (tools === 0) return `${routes}${chaos}`;
  return `${routes} · ${plural(tools, "tool", "tools")}${
    doc.strict_tools ? " (strict)" : ""
  }${chaos}`;
}

function position(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}`;
}

function printText(
  reports: readonly FileReport[],
  summaries: ReadonlyMap<FileReport, string>,
): void {
  for (const report of reports) {
    if (report.ok) console.log(`${report.file}: ${style.green("ok")} · ${summaries.get(report)}`);
    for (const e of report.errors) {
      console.log(`${style.bold(position(e))}: ${style.red(e.message)}`);
    }
    for (const w of report.warnings) {
      console.log(`${style.bold(position(w))}: ${style.yellow("warning")}: ${w.message}`);
    }
  }
}

/**
 * Runs `mirage check`; returns 0 when every file is valid, 1 when one is not, 2 on a usage error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { run } from "./check.ts";
 * const code = await run(["--policies", "policies/procurement.yaml", "--mocks", "mocks/procurement.yaml"]);
 * assert.equal(code, 0); // prints "policies/procurement.yaml: ok · 4 policies (3 block, 1 flag)" and the mocks' line
 * ```
 */
export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs(SPEC, args);
  if (typeof flags === "number") return flags;
  const { policies: policyFile, mocks: mockFile } = flags;
  if (typeof policyFile !== "string" && typeof mockFile !== "string") {
    return usageError(SPEC, "give --policies, --mocks or both");
  }
  const summaries = new Map<FileReport, string>();
  const policies = typeof policyFile === "string"
    ? await checkFile(
      policyFile,
      "policies",
      parsePolicies,
      (d: PolicyDocument) => d.policies.length,
    )
    : undefined;
  const mocks = typeof mockFile === "string"
    ? await checkFile(
      mockFile,
      "mocks",
      parseMocks,
      (d: MocksDocument) => d.mocks.length + (d.tools?.length ?? 0),
    )
    : undefined;
  if (policies?.loaded) summaries.set(policies.report, policySummary(policies.loaded.document));
  if (mocks?.loaded) summaries.set(mocks.report, mockSummary(mocks.loaded.document));
  if (policies?.loaded) policies.report.warnings.push(...lintPolicies(policies.loaded));
  if (policies?.loaded && mocks?.loaded) {
    for (const warning of lintConfig(policies.loaded, mocks.loaded)) {
      const target = warning.file === mocks.report.file ? mocks.report : policies.report;
      target.warnings.push(warning);
    }
  }
  const reports = [policies?.report, mocks?.report].filter((r): r is FileReport => r !== undefined);
  const ok = reports.every((r) => r.ok);
  if (flags.json) console.log(JSON.stringify({ ok, files: reports }, null, 2));
  else printText(reports, summaries);
  return ok ? 0 : 1;
}
