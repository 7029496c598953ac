/**
 * Rule coverage of a test run: for each rule of each policies file the tests ran against, how
 * many steps it applied to and how many it failed. A rule no step applied to is untested; a rule
 * no step made fail has never been seen to stop (or flag) anything.
 *
 * @module
 */

import type { FileResult } from "./run_test_file.ts";

/**
 * One rule's coverage.
 *
 * @example
 * ```ts
 * import type { RuleCoverage } from "./coverage.ts";
 * const r: RuleCoverage = { name: "enforce_bid_limit", action: "block", applied: 3, failed: 1 };
 * ```
 */
export interface RuleCoverage {
  /** The rule's name. */
  readonly name: string;
  /** What it does when it fails. */
  readonly action: "block" | "flag";
  /** Steps it applied to. */
  readonly applied: number;
  /** Steps it failed. */
  readonly failed: number;
}

/**
 * The coverage of one policies file, over every test file that ran against it.
 *
 * @example
 * ```ts
 * import type { PolicyCoverage } from "./coverage.ts";
 * const c: PolicyCoverage = { policies: "policies.yaml", rules: [], never_applied: [], never_failed: [] };
 * ```
 */
export interface PolicyCoverage {
  /** The policies file. */
  readonly policies: string;
  /** Every rule, in file order. */
  readonly rules: readonly RuleCoverage[];
  /** Rules no step applied to. */
  readonly never_applied: readonly string[];
  /** Rules that applied but never failed. */
  readonly never_failed: readonly string[];
}

interface Tally {
  action: "block" | "flag";
  applied: number;
  failed: number;
}

/**
 * Coverage per policies file, in the order the files were first met.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coverageOf } from "./coverage.ts";
 * const [c] = coverageOf([{
 *   file: "a.test.yaml", policies: "p.yaml", rules: [{ name: "cap", action: "block" }], errors: [],
 *   cases: [],
 * }]);
 * assert.deepEqual(c?.never_applied, ["cap"]);
 * ```
 */
export function coverageOf(files: readonly FileResult[]): PolicyCoverage[] {
  const byFile = new Map<string, Map<string, Tally>>();
  for (const f of files) {
    if (f.policies === undefined) continue;
    let rules = byFile.get(f.policies);
    if (!rules) {
      rules = new Map(f.rules.map((r) => [r.name, { action: r.action, applied: 0, failed: 0 }]));
      byFile.set(f.policies, rules);
    }
    for (const step of f.cases.flatMap((c) => c.steps)) {
      for (const d of step.decisions) {
        const tally = rules.get(d.policy);
        if (!tally) continue;
        tally.applied++;
        if (!d.passed) tally.failed++;
      }
    }
  }
  return [...byFile].map(([policies, tallies]) => {
    const rules = [...tallies].map(([name, t]) => ({ name, ...t }));
    return {
      policies,
      rules,
      never_applied: rules.filter((r) => r.applied === 0).map((r) => r.name),
      never_failed: rules.filter((r) => r.applied > 0 && r.failed === 0).map((r) => r.name),
    };
  });
}
