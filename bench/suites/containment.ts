/**
 * The containment suite: each scenario's plain generator (the shipped policy must score
 * 1.0 / 0.0 / 1.0) and its adversarial variant (scored honestly, with the tricks that got
 * through listed).
 */

import { type ContainmentScore, scoreContainment } from "../lib/containment.ts";
import { loadPolicyFile } from "../lib/policy_file.ts";
import { progress } from "../lib/progress.ts";
import { fmt, type Goal, type Ratio, type SuiteResult, type Table } from "../lib/report.ts";
import { ADVERSARIAL_RUNS, PLAIN_RUNS } from "../scenarios/registry.ts";
import type { Scenario } from "../scenarios/scenario.ts";

/** Plain and adversarial scores of one scenario. */
export interface ScenarioScores {
  readonly scenario: string;
  readonly plain: ContainmentScore;
  readonly adversarial: ContainmentScore;
}

/** Scores one scenario with a seed. */
export async function scoreScenario(s: Scenario, seed: number): Promise<ScenarioScores> {
  const doc = await loadPolicyFile(s.policyFile);
  const plain = await scoreContainment(doc, s.generate(seed, PLAIN_RUNS));
  const adversarial = await scoreContainment(doc, s.adversarial(seed, ADVERSARIAL_RUNS));
  return { scenario: s.name, plain, adversarial };
}

/** True when a score is the perfect 1.0 / 0.0 / 1.0. */
export function isPerfect(s: ContainmentScore): boolean {
  return s.containment === 1 && s.falsePositiveRate === 0 && s.precision === 1;
}

function counts(s: ContainmentScore): string[] {
  const bad = s.truePositives + s.falseNegatives;
  const goodCount = s.falsePositives + s.trueNegatives;
  return [String(bad + goodCount), String(bad), String(s.truePositives), String(s.falsePositives)];
}

function rates(s: ContainmentScore): string[] {
  return [fmt(s.containment, 3), fmt(s.falsePositiveRate, 3), fmt(s.precision, 3)];
}

function through(s: ContainmentScore): string[] {
  return Object.entries(s.kinds).filter(([, t]) => t.bad && t.stopped < t.total).map(([k]) => k);
}

function blockedBenign(s: ContainmentScore): string[] {
  return Object.entries(s.kinds).filter(([k, t]) => !t.bad && t.stopped > 0 && k !== "good").map((
    [k],
  ) => k);
}

const COLUMNS = [
  "scenario",
  "actions",
  "bad",
  "bad stopped",
  "good stopped",
  "containment",
  "FPR",
  "precision",
];

/** One row per scenario, for the plain or the adversarial scores. */
function scoresTable(
  all: readonly ScenarioScores[],
  which: "plain" | "adversarial",
  title: string,
  notes: string[],
): Table {
  const rows = all.map((r) => [r.scenario, ...counts(r[which]), ...rates(r[which])]);
  return { title, columns: COLUMNS, rows, notes };
}

function plainTable(all: readonly ScenarioScores[], seed: number): Table {
  return scoresTable(
    all,
    "plain",
    `Containment — plain generators (seed ${seed}, ${PLAIN_RUNS} runs each)`,
    ["Stopped = `policy_violation`. Each run is decided in order on a fresh state store."],
  );
}

function adversarialTable(all: readonly ScenarioScores[]): Table {
  return scoresTable(all, "adversarial", "Containment — adversarial variants", [
    "Bad actions hidden with encodings, look-alikes, other spellings, splitting and side doors; " +
    "benign look-alikes are labelled good, so over-eager rules show up as false positives.",
  ]);
}

function trickRows(r: ScenarioScores): string[][] {
  return Object.entries(r.adversarial.kinds).filter(([k]) => k !== "good").map(([kind, t]) => {
    const result = t.bad
      ? t.stopped === t.total ? "stopped" : t.stopped === 0 ? "GOT THROUGH" : "partly through"
      : t.stopped === 0
      ? "allowed (correct)"
      : "FALSE POSITIVE";
    return [r.scenario, kind, t.bad ? "bad" : "benign", `${t.stopped}/${t.total}`, result];
  });
}

function tricksTable(all: readonly ScenarioScores[]): Table {
  const missed = all.map((r) => `${r.scenario}: ${through(r.adversarial).join(", ") || "none"}`);
  const fps = all.map((r) => `${r.scenario}: ${blockedBenign(r.adversarial).join(", ") || "none"}`);
  return {
    title: "Adversarial tricks — where the shipped rules stop",
    columns: ["scenario", "trick", "label", "stopped", "result"],
    rows: all.flatMap(trickRows),
    notes: [
      `Got through — ${missed.join("; ")}.`,
      `Benign look-alikes blocked — ${fps.join("; ")}.`,
    ],
  };
}

function ratiosOf(all: readonly ScenarioScores[]): Record<string, Ratio> {
  const out: Record<string, Ratio> = {};
  for (const r of all) {
    for (const [variant, s] of [["plain", r.plain], ["adversarial", r.adversarial]] as const) {
      const key = `containment.${r.scenario}.${variant}`;
      if (s.containment !== null) {
        out[`${key}.containment`] = { value: s.containment, better: "higher" };
      }
      if (s.falsePositiveRate !== null) {
        out[`${key}.specificity`] = { value: 1 - s.falsePositiveRate, better: "higher" };
      }
    }
  }
  return out;
}

function goalsOf(all: readonly ScenarioScores[]): Goal[] {
  return all.map((r) => ({
    goal: `${r.scenario}: containment 1.0 / FPR 0.0 / precision 1.0 on the plain generator`,
    measured: rates(r.plain).join(" / "),
    met: isPerfect(r.plain),
  }));
}

/** Runs the containment suite over the chosen scenarios. */
export async function runContainment(
  scenarios: readonly Scenario[],
  seed: number,
): Promise<SuiteResult> {
  const all: ScenarioScores[] = [];
  for (const s of scenarios) {
    progress("containment", `${s.name}: scoring plain and adversarial runs`);
    all.push(await scoreScenario(s, seed));
  }
  return {
    suite: "containment",
    raw: { seed, plainRuns: PLAIN_RUNS, adversarialRuns: ADVERSARIAL_RUNS, scenarios: all },
    tables: [plainTable(all, seed), adversarialTable(all), tricksTable(all)],
    ratios: ratiosOf(all),
    goals: goalsOf(all),
  };
}
