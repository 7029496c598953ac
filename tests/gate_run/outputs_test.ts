import assert from "node:assert/strict";
import { annotations } from "../../src/gate_run/annotations.ts";
import type { GateReport } from "../../src/gate_run/gate_runs.ts";
import { junitXml, xmlEscape } from "../../src/gate_run/junit.ts";
import { stepSummary } from "../../src/gate_run/step_summary.ts";
import { formatReport } from "../../src/gate_run/text_report.ts";
import { parseJunit } from "../support/junit_parse.ts";

const report: GateReport = {
  passed: false,
  traces: "t",
  problems: ["no trace for run 'x|y' in t"],
  runs: [{
    run_id: "r|1",
    outcome: "policy_violation",
    policy: "cap",
    counts: { allowed: 1, flagged: 0, policy_violation: 1, unmatched_route: 0, error: 0 },
    side_effect_count: 0,
    trace: "t/r_1.json",
    passed: false,
    event_count: 2,
    omitted: { events: 0, failing: 0 },
    events: [
      {
        seq: 1,
        name: "#1 GET /a",
        outcome: "allowed",
        description: "#1 GET /a → allowed",
        fails: false,
      },
      {
        seq: 2,
        name: "#2 POST /b",
        outcome: "policy_violation",
        policy: "cap",
        description: "#2 POST /b → policy_violation · cap: amount max 10, got 50% — a, b: c\nd",
        fails: true,
        next: "Next: fix the agent",
      },
    ],
  }],
};

Deno.test("annotations: workflow command escaping of data and properties", () => {
  assert.deepEqual(annotations(report), [
    "::error title=Mirage policy_violation in run r|1::" +
    "#2 POST /b → policy_violation · cap: amount max 10, got 50%25 — a, b: c%0Ad%0ANext: fix the agent",
    "::error title=Mirage gate::no trace for run 'x|y' in t",
  ]);
  const title =
    annotations({ ...report, runs: [{ ...report.runs[0]!, run_id: "a:b,c" }], problems: [] })[0];
  assert.match(title ?? "", /^::error title=Mirage policy_violation in run a%3Ab%2Cc::/);
});

Deno.test("step summary: table cells and lists are escaped", () => {
  const md = stepSummary(report);
  assert.match(md, /^## Mirage gate: failed ❌\n/);
  assert.match(
    md,
    /^\| r\\\|1 \| ❌ policy_violation \(cap\) \| 1 \| 0 \| 1 \| 0 \| 0 \| 0 \| `t\/r_1\.json` \|$/m,
  );
  assert.match(
    md,
    /^- \*\*r\\\|1\*\* #2 POST \/b → policy_violation · cap: amount max 10, got 50% — a, b: c d$/m,
  );
  assert.match(md, /^ {2}- Next: fix the agent$/m);
  assert.match(md, /### Problems\n\n- no trace for run 'x\\\|y' in t/);
});

Deno.test("junit: counts, escaping, and problems as a failing suite", () => {
  const xml = junitXml(report);
  assert.match(xml, /<testsuites name="mirage" tests="3" failures="2" errors="0">/);
  const [run, problems] = parseJunit(xml);
  assert.equal(run?.attrs.name, "r|1");
  assert.equal(run?.cases[1]?.failure?.message, report.runs[0]?.events[1]?.description);
  assert.equal(problems?.attrs.name, "mirage.gate");
  assert.equal(problems?.cases[0]?.failure?.message, "no trace for run 'x|y' in t");
  assert.equal(
    xmlEscape(`<a href="x">&'\u0001</a>`),
    "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;",
  );
});

Deno.test("text report: runs, events with hints, verdict", () => {
  const text = formatReport(report, false);
  assert.match(text, /^✗ run r\|1 · policy_violation · cap$/m);
  assert.match(
    text,
    /^ {2}counts: 1 allowed · 0 flagged · 1 policy_violation · 0 unmatched_route · 0 error$/m,
  );
  assert.match(text, /^ {2}side_effect_count: 0$/m);
  assert.match(text, /^ {2}trace: t\/r_1\.json$/m);
  assert.match(text, /^ {4}Next: fix the agent$/m);
  assert.doesNotMatch(text, /#1 GET \/a/);
  assert.match(text, /\[mirage\] gate failed · 1 of 1 run not clean · 1 problem$/);
  const clean = formatReport({ passed: true, traces: "t", problems: [], runs: [] }, false);
  assert.equal(clean, "[mirage] gate passed · 0 runs clean");
});
