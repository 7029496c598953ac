/**
 * What `mirage test` prints: a line per case as `deno test` prints one per test, the failing
 * step with what it expected and what it got, the decisions, rule coverage, and a summary line;
 * the same run as JSON, and as JUnit XML.
 *
 * @module
 */

import { xmlEscape } from "../gate_run/junit.ts";
import { cell } from "../gate_run/step_summary.ts";
import { type Paint, painter } from "../log/colour.ts";
import { describeDecision } from "../trace/describe_event.ts";
import type { PolicyCoverage } from "./coverage.ts";
import type { Expectation } from "./test_file.ts";
import type { CaseResult, FileResult, StepOutcome, StepResult } from "./run_test_file.ts";

/**
 * A whole `mirage test` run.
 *
 * @example
 * ```ts
 * import type { TestRun } from "./test_report.ts";
 * const run: TestRun = { ok: true, passed: 0, failed: 0, duration_ms: 0, files: [] };
 * ```
 */
export interface TestRun {
  /** True when every case passed and every file loaded. */
  readonly ok: boolean;
  /** Cases that passed. */
  readonly passed: number;
  /** Cases that failed, plus files that could not be loaded. */
  readonly failed: number;
  /** Wall-clock time of the run. */
  readonly duration_ms: number;
  /** Every file, in the order run. */
  readonly files: readonly FileResult[];
  /** Rule coverage, when asked for. */
  readonly coverage?: readonly PolicyCoverage[];
}

/**
 * Totals a run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summariseTests } from "./test_report.ts";
 * assert.deepEqual(summariseTests([], 3), { ok: true, passed: 0, failed: 0, duration_ms: 3, files: [] });
 * ```
 */
export function summariseTests(
  files: readonly FileResult[],
  durationMs: number,
  coverage?: readonly PolicyCoverage[],
): TestRun {
  const cases = files.flatMap((f) => f.cases);
  const passed = cases.filter((c) => c.ok).length;
  const broken = files.filter((f) => f.errors.length > 0).length;
  const failed = cases.length - passed + broken;
  return {
    ok: failed === 0,
    passed,
    failed,
    duration_ms: durationMs,
    files,
    ...(coverage ? { coverage } : {}),
  };
}

function ms(n: number): string {
  return `${Math.round(n)}ms`;
}

function shown(o: StepOutcome | Expectation): string {
  const parts: string[] = [o.outcome];
  if (o.policy !== undefined) parts.push(o.policy);
  if (o.status !== undefined) parts.push(`status ${o.status}`);
  return parts.join(" · ");
}

function position(at: { file: string; line: number; col: number } | undefined): string {
  return at ? ` (${at.file}:${at.line}:${at.col})` : "";
}

function stepLines(s: StepResult, paint: Paint): string[] {
  const lines = [
    `  step ${s.index}${position(s.at)}: ${s.action}`,
    `    expected: ${shown(s.expected)}`,
    `    actual:   ${paint("red", shown(s.actual))}`,
  ];
  if (s.decisions.length) {
    lines.push("    decisions:");
    for (const d of s.decisions) {
      const mark = d.passed ? paint("green", "✓") : paint("red", "✗");
      lines.push(`      ${mark} ${describeDecision(d)}`);
    }
  } else lines.push("    decisions: none (no rule applies)");
  lines.push(`    event: ${s.description}`);
  return lines;
}

function caseLines(c: CaseResult, paint: Paint): string[] {
  const verdict = c.ok ? paint("green", "ok") : paint("red", "FAILED");
  const lines = [`${c.name} ... ${verdict} ${paint("dim", `(${ms(c.duration_ms)})`)}`];
  if (c.ok) return lines;
  const failing = c.steps.find((s) => !s.ok);
  if (failing) lines.push(...stepLines(failing, paint));
  if (c.not_run) {
    lines.push(paint("dim", `  (${c.not_run} later step${c.not_run === 1 ? "" : "s"} not run)`));
  }
  return lines;
}

function fileLines(f: FileResult, paint: Paint): string[] {
  if (f.errors.length) {
    return [
      `${paint("red", "error")}: cannot run ${f.file}`,
      ...f.errors.map((e) => `  ${e.file}:${e.line}:${e.col}: ${e.message}`),
    ];
  }
  const n = f.cases.length;
  return [
    paint("dim", `running ${n} case${n === 1 ? "" : "s"} from ${f.file}`),
    ...f.cases.flatMap((c) => caseLines(c, paint)),
  ];
}

function coverageLines(c: PolicyCoverage, paint: Paint): string[] {
  const width = Math.max(4, ...c.rules.map((r) => r.name.length));
  const lines = [
    `coverage of ${c.policies}`,
    `  ${"rule".padEnd(width)}  applied  failed`,
    ...c.rules.map((r) => {
      const row = `  ${r.name.padEnd(width)}  ${String(r.applied).padStart(7)}  ${
        String(r.failed).padStart(6)
      }`;
      return r.applied === 0 ? paint("yellow", row) : row;
    }),
  ];
  if (c.never_applied.length) {
    lines.push(paint("yellow", `  never applied: ${c.never_applied.join(", ")}`));
  }
  if (c.never_failed.length) {
    lines.push(paint("yellow", `  never failed: ${c.never_failed.join(", ")}`));
  }
  if (!c.never_applied.length && !c.never_failed.length) {
    lines.push(paint("green", "  every rule applied and failed at least once"));
  }
  return lines;
}

/**
 * The run for a terminal or a CI log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTestRun, summariseTests } from "./test_report.ts";
 * const text = formatTestRun(summariseTests([], 1), false);
 * assert.equal(text, "ok | 0 passed, 0 failed (1ms)");
 * ```
 */
export function formatTestRun(run: TestRun, colour: boolean): string {
  const paint = painter(colour);
  const lines = run.files.flatMap((f) => [...fileLines(f, paint), ""]);
  for (const c of run.coverage ?? []) lines.push(...coverageLines(c, paint), "");
  const verdict = run.ok ? paint("green", "ok") : paint("red", "FAILED");
  lines.push(`${verdict} | ${run.passed} passed, ${run.failed} failed (${ms(run.duration_ms)})`);
  return lines.join("\n");
}

function failureText(c: CaseResult): string {
  const failing = c.steps.find((s) => !s.ok);
  return failing ? stepLines(failing, painter(false)).join("\n") : "failed";
}

function failureMessage(c: CaseResult): string {
  const s = c.steps.find((s) => !s.ok);
  return s ? `step ${s.index}: expected ${shown(s.expected)}, got ${shown(s.actual)}` : "failed";
}

function junitCase(f: FileResult, c: CaseResult): string {
  const open = `    <testcase classname="${xmlEscape(f.file)}" name="${xmlEscape(c.name)}" time="${
    (c.duration_ms / 1000).toFixed(3)
  }"`;
  if (c.ok) return `${open}/>`;
  return [
    `${open}>`,
    `      <failure message="${xmlEscape(failureMessage(c))}" type="expectation">${
      xmlEscape(failureText(c))
    }</failure>`,
    "    </testcase>",
  ].join("\n");
}

function junitSuite(f: FileResult): string {
  if (f.errors.length) {
    const text = f.errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`).join("\n");
    return [
      `  <testsuite name="${xmlEscape(f.file)}" tests="1" failures="0" errors="1">`,
      `    <testcase classname="${xmlEscape(f.file)}" name="load">`,
      `      <error message="cannot run ${xmlEscape(f.file)}">${xmlEscape(text)}</error>`,
      "    </testcase>",
      "  </testsuite>",
    ].join("\n");
  }
  const failures = f.cases.filter((c) => !c.ok).length;
  return [
    `  <testsuite name="${
      xmlEscape(f.file)
    }" tests="${f.cases.length}" failures="${failures}" errors="0">`,
    ...f.cases.map((c) => junitCase(f, c)),
    "  </testsuite>",
  ].join("\n");
}

/**
 * The run as JUnit XML: a suite per test file, a test case per case.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summariseTests, testJunitXml } from "./test_report.ts";
 * const xml = testJunitXml(summariseTests([], 1));
 * assert.match(xml, /<testsuites name="mirage test" tests="0" failures="0" errors="0">/);
 * ```
 */
export function testJunitXml(run: TestRun): string {
  const errors = run.files.filter((f) => f.errors.length > 0).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mirage test" tests="${run.passed + run.failed}" failures="${
      run.failed - errors
    }" errors="${errors}">`,
    ...run.files.map(junitSuite),
    "</testsuites>",
    "",
  ].join("\n");
}

/**
 * The run as Markdown for `GITHUB_STEP_SUMMARY`: the verdict, and each failing case with what
 * its failing step expected and got (or why a file could not be run).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summariseTests, testSummary } from "./test_report.ts";
 * assert.equal(testSummary(summariseTests([], 1)), "## Mirage test: 0 passed, 0 failed ✅\n\n");
 * ```
 */
export function testSummary(run: TestRun): string {
  const lines = [
    `## Mirage test: ${run.passed} passed, ${run.failed} failed ${run.ok ? "✅" : "❌"}`,
    "",
  ];
  for (const f of run.files) {
    for (const e of f.errors) {
      lines.push(`- ❌ \`${cell(e.file)}:${e.line}:${e.col}\`: ${cell(e.message)}`);
    }
    for (const c of f.cases.filter((c) => !c.ok)) {
      lines.push(`- ❌ **${cell(c.name)}** (\`${cell(f.file)}\`): ${cell(failureMessage(c))}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
