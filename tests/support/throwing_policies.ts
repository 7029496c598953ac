/**
 * A policy set whose every decision rejects, as one over a state store that cannot answer: what
 * the fail-closed tests of each surface decide with.
 */

import type { PolicySet } from "../../src/engine/compile_policies.ts";
import { MemoryStateStore } from "../../src/state/memory_store.ts";

/** Rejects every decision with "store unavailable". */
export const THROWING: PolicySet = {
  size: 1,
  counts: { block: 1, flag: 0 },
  redact: [],
  store: new MemoryStateStore(),
  decide: () => Promise.reject(new Error("store unavailable")),
};
