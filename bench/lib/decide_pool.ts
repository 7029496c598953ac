/**
 * Pools of procurement actions for the latency suites: the actions of seeded procurement runs,
 * flattened in order, so that requires_prior and sum_lte see the histories they would in use.
 */

import type { Action } from "@mirage/core";
import { generateProcurement } from "../scenarios/procurement.ts";

/** The actions of `runs` seeded procurement runs, in order. */
export function procurementPool(seed: number, runs = 64): Action[] {
  return generateProcurement(seed, runs).flatMap((s) => s.actions.map((a) => a.action));
}

/** The pool narrowed to one kind of request (by path), for per-kind rows. */
export function poolWhere(pool: readonly Action[], path: string): Action[] {
  return pool.filter((a) => a.kind === "http" && a.path === path);
}
