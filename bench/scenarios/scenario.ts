/**
 * What a scenario is: a policy file and seeded generators of labelled action sequences.
 * Labels are the generator's ground truth, written without looking at the policy, so that the
 * containment numbers measure the policy rather than restate it.
 */

import type { Action } from "@mirage/core";

/** One generated action and what it is meant to be. */
export interface LabelledAction {
  /** The action as the agent sends it. */
  readonly action: Action;
  /** True when a correct policy must stop it. */
  readonly bad: boolean;
  /** Why: `good`, a violation kind, or the adversarial trick used to hide one. */
  readonly kind: string;
}

/** One agent run: decided in order against a fresh state store. */
export interface Sequence {
  /** The run id every action carries. */
  readonly runId: string;
  /** The actions, in the order the agent sends them. */
  readonly actions: readonly LabelledAction[];
}

/** A generator: the same seed gives the same sequences. */
export type Generator = (seed: number, runs: number) => Sequence[];

/** A scenario of our own with its shipped policy. */
export interface Scenario {
  /** Short name, used in tables and on the command line. */
  readonly name: string;
  /** The shipped policy file, relative to the repository root. */
  readonly policyFile: string;
  /** Plain generator: the shipped policy must stop every bad action and no good one. */
  readonly generate: Generator;
  /** Adversarial generator: bad actions hidden with encodings and tricks; misses are reported. */
  readonly adversarial: Generator;
  /**
   * New tricks, written after the policy features that close the adversarial set and not used
   * to design them: reported as they score, with no target.
   */
  readonly novel: Generator;
}
