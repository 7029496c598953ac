/**
 * One suite, by name: the containment suite on the chosen scenarios (all of them when none is
 * chosen), the others as they are.
 */

import type { SuiteName } from "./cli_args.ts";
import type { SuiteResult } from "./report.ts";
import { SCENARIOS } from "../scenarios/registry.ts";
import { runContainment } from "../suites/containment.ts";
import { runDecide } from "../suites/decide.ts";
import { runGateway } from "../suites/gateway.ts";
import { runMcp } from "../suites/mcp.ts";
import { runPeers } from "../suites/peers.ts";
import { runScale } from "../suites/scale.ts";
import { runState } from "../suites/state.ts";
import { runTraces } from "../suites/traces.ts";

/** Runs the suite `name` in this process. */
export function runSuite(
  name: SuiteName,
  scenarios: readonly string[],
  seed: number,
): Promise<SuiteResult> {
  switch (name) {
    case "containment": {
      const chosen = scenarios.length === 0
        ? SCENARIOS
        : SCENARIOS.filter((s) => scenarios.includes(s.name));
      return runContainment(chosen, seed);
    }
    case "decide":
      return runDecide(seed);
    case "scale":
      return runScale();
    case "peers":
      return runPeers(seed);
    case "gateway":
      return runGateway();
    case "state":
      return runState(seed);
    case "traces":
      return runTraces();
    case "mcp":
      return runMcp();
  }
}
