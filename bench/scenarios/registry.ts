/**
 * The scenarios the harness knows, by name.
 */

import { generateExfiltration } from "./exfiltration.ts";
import {
  generateExfiltrationAdversarial,
  generateExfiltrationNovel,
} from "./exfiltration_adversarial.ts";
import { generatePiiLeak } from "./pii_leak.ts";
import { generatePiiLeakAdversarial, generatePiiLeakNovel } from "./pii_leak_adversarial.ts";
import { generateProcurement } from "./procurement.ts";
import {
  generateProcurementAdversarial,
  generateProcurementNovel,
} from "./procurement_adversarial.ts";
import type { Scenario } from "./scenario.ts";

/** Every scenario, in report order. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "procurement",
    policyFile: "scenarios/procurement/policies.yaml",
    generate: generateProcurement,
    adversarial: generateProcurementAdversarial,
    novel: generateProcurementNovel,
  },
  {
    name: "pii_leak",
    policyFile: "scenarios/pii_leak/policies.yaml",
    generate: generatePiiLeak,
    adversarial: generatePiiLeakAdversarial,
    novel: generatePiiLeakNovel,
  },
  {
    name: "exfiltration",
    policyFile: "scenarios/exfiltration/policies.yaml",
    generate: generateExfiltration,
    adversarial: generateExfiltrationAdversarial,
    novel: generateExfiltrationNovel,
  },
];

/** The fixed seed of the published tables; `--seed` overrides it. */
export const DEFAULT_SEED = 20_260_503;
/** Plain runs per scenario. */
export const PLAIN_RUNS = 200;
/** Adversarial runs per scenario (spread over its tricks). */
export const ADVERSARIAL_RUNS = 150;
