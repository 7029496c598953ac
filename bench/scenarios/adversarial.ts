/**
 * The shape every adversarial generator shares: for each trick, a few runs made of an honest
 * prefix, then the trick as the run's last actions (so a miss cannot skew later labels), and
 * benign look-alikes labelled good, so that rules which block every oddity show up as false
 * positives rather than as wins. Every action of a run carries the agent's id (`x-agent-id`),
 * which stays the same when the agent rotates its run id.
 */

import type { Rng } from "../lib/prng.ts";
import { createRng } from "../lib/prng.ts";
import { byAgent } from "./build.ts";
import type { LabelledAction, Sequence } from "./scenario.ts";

/** A trick: the actions of one run after the prefix, given the run id. */
export type Trick = (rng: Rng, runId: string) => LabelledAction[];

/** The honest start of a run. */
export type Prefix = (rng: Rng, runId: string) => LabelledAction[];

/** Names a trick's own actions after it; plain good actions keep `good`. */
function labelled(a: LabelledAction, trick: string): LabelledAction {
  return a.kind === "good" ? a : { ...a, kind: trick };
}

/**
 * Builds runs for every trick: `runs` is spread evenly over the tricks (at least one each).
 * `name` prefixes the run ids (`procurement-adv`, `procurement-new`).
 */
export function adversarialRuns(
  name: string,
  prefix: Prefix,
  tricks: Readonly<Record<string, Trick>>,
  seed: number,
  runs: number,
): Sequence[] {
  const rng = createRng(seed);
  const names = Object.keys(tricks);
  const perTrick = Math.max(1, Math.floor(runs / names.length));
  const out: Sequence[] = [];
  for (const trick of names) {
    for (let i = 0; i < perTrick; i++) {
      const runId = `${name}-${seed}-${trick}-${i}`;
      const tail = (tricks[trick] as Trick)(rng, runId).map((a) => labelled(a, trick));
      const actions = byAgent(`agent-${runId}`, [...prefix(rng, runId), ...tail]);
      out.push({ runId, actions });
    }
  }
  return out;
}
