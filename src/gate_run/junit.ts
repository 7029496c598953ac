/**
 * JUnit XML of a gate report, for CI systems that show test results: one `<testsuite>` per
 * run, one `<testcase>` per listed event, failing events as `<failure>`; the events a large run
 * does not list (see `MAX_LISTED_EVENTS`) are one more test case, failing when any of them does.
 *
 * @module
 */

import type { GatedRun, GateEvent, GateReport } from "./gate_runs.ts";

/**
 * Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xmlEscape } from "./junit.ts";
 * assert.equal(xmlEscape(`<b a="1">Tom & Jerry's\u0007</b>`), "&lt;b a=&quot;1&quot;&gt;Tom &amp; Jerry&apos;s&lt;/b&gt;");
 * ```
 */
export function xmlEscape(text: string): string {
  return text
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&apos;");
}

function testcase(run: GatedRun, e: GateEvent): string {
  const open = `    <testcase classname="mirage.${xmlEscape(run.run_id)}" name="${
    xmlEscape(e.name)
  }"`;
  if (!e.fails) return `${open}/>`;
  const text = e.next ? `${e.description}\n${e.next}` : e.description;
  return [
    `${open}>`,
    `      <failure message="${xmlEscape(e.description)}" type="${e.outcome}">${
      xmlEscape(text)
    }</failure>`,
    "    </testcase>",
  ].join("\n");
}

/** The events a large run does not list, as one test case. */
function omittedCase(run: GatedRun): string | undefined {
  const { events, failing } = run.omitted;
  if (events === 0) return undefined;
  const name = `${events} more events (${failing} failing)`;
  const open = `    <testcase classname="mirage.${xmlEscape(run.run_id)}" name="${
    xmlEscape(name)
  }"`;
  if (failing === 0) return `${open}/>`;
  const message = `${failing} more failing events; see the trace: ${run.trace}`;
  return [
    `${open}>`,
    `      <failure message="${xmlEscape(message)}" type="omitted">${xmlEscape(message)}</failure>`,
    "    </testcase>",
  ].join("\n");
}

function cases(run: GatedRun): string[] {
  const out = run.events.map((e) => testcase(run, e));
  const omitted = omittedCase(run);
  if (omitted) out.push(omitted);
  return out;
}

function failuresOf(run: GatedRun): number {
  return run.events.filter((e) => e.fails).length + (run.omitted.failing > 0 ? 1 : 0);
}

function testsuite(run: GatedRun): string {
  const all = cases(run);
  const attrs = `name="${xmlEscape(run.run_id)}" tests="${all.length}" failures="${
    failuresOf(run)
  }" errors="0"`;
  if (all.length === 0) return `  <testsuite ${attrs}/>`;
  return [`  <testsuite ${attrs}>`, ...all, "  </testsuite>"].join("\n");
}

/** Problems (missing traces, a failing command) as one suite, so that they fail the report too. */
function problemSuite(problems: readonly string[]): string {
  const cases = problems.map((p) =>
    [
      `    <testcase classname="mirage.gate" name="${xmlEscape(p)}">`,
      `      <failure message="${xmlEscape(p)}" type="gate"/>`,
      "    </testcase>",
    ].join("\n")
  );
  return [
    `  <testsuite name="mirage.gate" tests="${problems.length}" failures="${problems.length}" errors="0">`,
    ...cases,
    "  </testsuite>",
  ]
    .join("\n");
}

/**
 * Renders a gate report as JUnit XML.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { junitXml } from "./junit.ts";
 * const xml = junitXml({ passed: false, traces: "t", runs: [], problems: ["no traces in t"] });
 * assert.match(xml, /<testsuites name="mirage" tests="1" failures="1" errors="0">/);
 * assert.match(xml, /<failure message="no traces in t" type="gate"\/>/);
 * ```
 */
export function junitXml(report: GateReport): string {
  const tests = report.runs.reduce((n, r) => n + cases(r).length, 0) + report.problems.length;
  const failures = report.runs.reduce((n, r) => n + failuresOf(r), 0) + report.problems.length;
  const suites = report.runs.map(testsuite);
  if (report.problems.length) suites.push(problemSuite(report.problems));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mirage" tests="${tests}" failures="${failures}" errors="0">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
