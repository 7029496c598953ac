/**
 * The rules of the loaded policy file, each beside how often it applied, failed and blocked
 * across the runs shown (from the runs' stored statistics), and the rules the traces name
 * that the file no longer has. The file is read again for every page, so that a reload shows.
 *
 * @module
 */

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadPolicies } from "../config/load.ts";
import type { PolicyRule, SourcePosition } from "../config/types.ts";
import { errorMessage } from "../errors.ts";
import type { RuleCounts } from "../trace/run_stats.ts";
import type { RuleFigures } from "./overview_figures.ts";

/**
 * One rule of the file, as the policies page lists it.
 *
 * @example
 * ```ts
 * import type { RuleRow } from "./policy_rules.ts";
 * const r: RuleRow = {
 *   name: "enforce_bid_limit", scope: "POST /v1/submit_bid · tool submit_bid", condition: "amount max 25000",
 *   action: "block", onMissing: "fail", message: "Bids above 25,000 need human approval.",
 *   counts: { applied: 3, failed: 1, blocked: 1 },
 * };
 * ```
 */
export interface RuleRow {
  /** The rule's name. */
  readonly name: string;
  /** Its description, if it has one. */
  readonly description?: string | undefined;
  /** What it applies to: methods, path, host, tools. */
  readonly scope: string;
  /** What it checks: `field operator value`, a `when` tree or a CEL `expr`. */
  readonly condition: string;
  /** What a failure does. */
  readonly action: "block" | "flag";
  /** What a missing field means. */
  readonly onMissing: "fail" | "pass";
  /** Its message. */
  readonly message: string;
  /** Where it is written. */
  readonly position?: SourcePosition | undefined;
  /** How it fared in the runs shown. */
  readonly counts: RuleCounts;
}

/**
 * The policies page's content.
 *
 * @example
 * ```ts
 * import type { PolicyListing } from "./policy_rules.ts";
 * const l: PolicyListing = { file: "policies.yaml", rules: [], others: [] };
 * ```
 */
export interface PolicyListing {
  /** The policies file, when one is known. */
  readonly file?: string | undefined;
  /** The file's digest, when it loaded. */
  readonly digest?: string | undefined;
  /** Its rules, in file order. */
  readonly rules: readonly RuleRow[];
  /** Rules the traces name that the file does not have (or every rule, without a file). */
  readonly others: readonly RuleFigures[];
  /** Why the file could not be read, when it could not. */
  readonly error?: string | undefined;
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function scopeOf(rule: PolicyRule): string {
  const http = [list(rule.method).join("|"), rule.host ?? "", rule.path ?? ""].filter(Boolean);
  const parts = http.length ? [http.join(" ")] : [];
  const tools = list(rule.tool);
  if (tools.length) parts.push(`tool ${tools.join(", ")}`);
  return parts.length ? parts.join(" · ") : "every action";
}

function conditionOf(rule: PolicyRule): string {
  if (rule.expr !== undefined) return `expr: ${rule.expr}`;
  if (rule.when !== undefined) return `when: ${JSON.stringify(rule.when)}`;
  const operand = rule.value === undefined ? "" : ` ${JSON.stringify(rule.value)}`;
  return `${rule.field ?? ""} ${rule.operator ?? ""}${operand}`.trim();
}

const NONE: RuleCounts = { applied: 0, failed: 0, blocked: 0 };

/**
 * The listing of `file` (when given) against the counts seen in the traces.
 *
 * @example
 * ```ts
 * import { policyListing } from "./policy_rules.ts";
 * const listing = await policyListing("policies/procurement.yaml", []);
 * console.log(listing.rules[0]?.name); // enforce_bid_limit
 * ```
 */
export async function policyListing(
  file: string | undefined,
  seen: readonly RuleFigures[],
): Promise<PolicyListing> {
  if (file === undefined) return { rules: [], others: seen };
  const counts = new Map(seen.map((r) => [r.rule, r]));
  try {
    const loaded = await loadPolicies(pathToFileURL(resolve(file)));
    const rules = loaded.document.policies.map((rule, i): RuleRow => ({
      name: rule.name,
      description: rule.description,
      scope: scopeOf(rule),
      condition: conditionOf(rule),
      action: rule.action ?? "block",
      onMissing: rule.on_missing ?? "fail",
      message: rule.message,
      position: loaded.positionOf(["policies", i, "name"]),
      counts: counts.get(rule.name) ?? NONE,
    }));
    const named = new Set(rules.map((r) => r.name));
    return {
      file,
      digest: loaded.digest,
      rules,
      others: seen.filter((r) => !named.has(r.rule)),
    };
  } catch (e) {
    return { file, rules: [], others: seen, error: errorMessage(e) };
  }
}
