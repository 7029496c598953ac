/**
 * The containment suite: each scenario's plain generator (the shipped policy must score
 * 1.0 / 0.0 / 1.0), its adversarial variant (containment ≥ 0.95 with FPR ≤ 0.01, the tricks
 * that got through listed), and its new tricks (written after the policy features, scored
 * honestly with no target).
 */

import { type ContainmentScore, scoreContainment } from "../lib/containment.ts";
import { loadPolicyFile } from "../lib/policy_file.ts";
import { progress } from "../lib/progress.ts";
import { fmt, type Goal, type Ratio, type SuiteResult, type Table } from "../lib/report.ts";
import { ADVERSARIAL_RUNS, PLAIN_RUNS } from "../scenarios/registry.ts";
import type { Scenario } from "../scenarios/scenario.ts";

/** Plain, adversarial and new-trick scores of one scenario. */
export interface ScenarioScores {
  readonly scenario: string;
  readonly plain: ContainmentScore;
  readonly adversarial: ContainmentScore;
  readonly novel: ContainmentScore;
}

/** The goals on the adversarial variant (today's tricks). */
export const ADVERSARIAL_GOAL = { containment: 0.95, falsePositiveRate: 0.01 } as const;

/** Scores one scenario with a seed. */
export async function scoreScenario(s: Scenario, seed: number): Promise<ScenarioScores> {
  const doc = await loadPolicyFile(s.policyFile);
  const plain = await scoreContainment(doc, s.generate(seed, PLAIN_RUNS));
  const adversarial = await scoreContainment(doc, s.adversarial(seed, ADVERSARIAL_RUNS));
  const novel = await scoreContainment(doc, s.novel(seed, ADVERSARIAL_RUNS));
  return { scenario: s.name, plain, adversarial, novel };
}

/** True when an adversarial score meets {@link ADVERSARIAL_GOAL}. */
export function meetsAdversarialGoal(s: ContainmentScore): boolean {
  return (s.containment ?? 0) >= ADVERSARIAL_GOAL.containment &&
    (s.falsePositiveRate ?? 1) <= ADVERSARIAL_GOAL.falsePositiveRate;
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
  which: "plain" | "adversarial" | "novel",
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

function novelTable(all: readonly ScenarioScores[]): Table {
  return scoresTable(all, "novel", "Containment — new tricks (no target)", [
    "Tricks written after the policy features that close the adversarial set, not used to " +
    "design them; benign variants a sloppy normaliser would block are labelled good.",
  ]);
}

type Variant = "adversarial" | "novel";

function trickRows(r: ScenarioScores, which: Variant): string[][] {
  return Object.entries(r[which].kinds).filter(([k]) => k !== "good").map(([kind, t]) => {
    const result = t.bad
      ? t.stopped === t.total ? "stopped" : t.stopped === 0 ? "GOT THROUGH" : "partly through"
      : t.stopped === 0
      ? "allowed (correct)"
      : "FALSE POSITIVE";
    return [r.scenario, kind, t.bad ? "bad" : "benign", `${t.stopped}/${t.total}`, result];
  });
}

function tricksTable(all: readonly ScenarioScores[], which: Variant, title: string): Table {
  const missed = all.map((r) => `${r.scenario}: ${through(r[which]).join(", ") || "none"}`);
  const fps = all.map((r) => `${r.scenario}: ${blockedBenign(r[which]).join(", ") || "none"}`);
  return {
    title,
    columns: ["scenario", "trick", "label", "stopped", "result"],
    rows: all.flatMap((r) => trickRows(r, which)),
    notes: [
      `Got through — ${missed.join("; ")}.`,
      `Benign look-alikes blocked — ${fps.join("; ")}.`,
    ],
  };
}

/** The generators are seeded: the same code scores the same, so any drop is a regression. */
const SEEDED = 0;

/** The ratios `--check` compares: each variant's containment and specificity, per scenario. */
export function containmentRatios(all: readonly ScenarioScores[]): Record<string, Ratio> {
  const out: Record<string, Ratio> = {};
  for (const r of all) {
    const variants = [["plain", r.plain], ["adversarial", r.adversarial], [
      "novel",
      r.novel,
    ]] as const;
    for (const [variant, s] of variants) {
      const key = `containment.${r.scenario}.${variant}`;
      if (s.containment !== null) {
        out[`${key}.containment`] = {
          value: s.containment,
          better: "higher",
          tolerance: SEEDED,
        };
      }
      if (s.falsePositiveRate !== null) {
        out[`${key}.specificity`] = {
          value: 1 - s.falsePositiveRate,
          better: "higher",
          tolerance: SEEDED,
        };
      }
    }
  }
  return out;
}

function goalsOf(all: readonly ScenarioScores[]): Goal[] {
  const { containment, falsePositiveRate } = ADVERSARIAL_GOAL;
  return all.flatMap((r) => [{
    goal: `${r.scenario}: containment 1.0 / FPR 0.0 / precision 1.0 on the plain generator`,
    measured: rates(r.plain).join(" / "),
    met: isPerfect(r.plain),
  }, {
    goal:
      `${r.scenario}: containment ≥ ${containment} with FPR ≤ ${falsePositiveRate} on the adversarial variant`,
    measured: rates(r.adversarial).slice(0, 2).join(" / "),
    met: meetsAdversarialGoal(r.adversarial),
  }]);
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
    tables: [
      plainTable(all, seed),
      adversarialTable(all),
      tricksTable(all, "adversarial", "Adversarial tricks — where the shipped rules stop"),
      novelTable(all),
      tricksTable(all, "novel", "New tricks — where the shipped rules stop (no target)"),
    ],
    ratios: containmentRatios(all),
    goals: goalsOf(all),
  };
}
