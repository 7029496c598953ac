/**
 * How rules fared, as table cells: applied, failed, blocked, fail rate and a bar of failures —
 * the same columns in the overview's policy friction and on the policies page.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { RuleCounts } from "../trace/run_stats.ts";
import { CountBar } from "./charts.tsx";
import type { PageLinks } from "./console_links.ts";
import { count, percent } from "./format.ts";
import type { RuleFigures } from "./overview_figures.ts";

/**
 * The header cells of the counts.
 *
 * @example
 * ```tsx
 * import { RuleCountHeads } from "./rule_counts.tsx";
 * console.log(String(<tr><RuleCountHeads /></tr>).includes("fail rate")); // true
 * ```
 */
export function RuleCountHeads(): Child {
  return (
    <>
      <th class="num">applied</th>
      <th class="num">failed</th>
      <th class="num">blocked</th>
      <th class="num">fail rate</th>
      <th></th>
    </>
  );
}

/**
 * The cells of one rule's counts; the bar is as long as its failures against `max`.
 *
 * @example
 * ```tsx
 * import { RuleCountCells } from "./rule_counts.tsx";
 * console.log(String(<tr><RuleCountCells counts={{ applied: 4, failed: 1, blocked: 1 }} max={2} /></tr>).includes("25%"));
 * ```
 */
export function RuleCountCells(props: { counts: RuleCounts; max: number }): Child {
  const { applied, failed, blocked } = props.counts;
  return (
    <>
      <td class="num applied">{count(applied)}</td>
      <td class="num failed">{count(failed)}</td>
      <td class="num blocked">{count(blocked)}</td>
      <td class="num">{percent(failed, applied)}</td>
      <td>
        <CountBar n={failed} max={props.max} outcome={blocked ? "policy_violation" : "flagged"} />
      </td>
    </>
  );
}

/**
 * A rule's name, linking to the runs it decided where a server can filter them.
 *
 * @example
 * ```tsx
 * import { servedLinks } from "./console_links.ts";
 * import { RuleName } from "./rule_counts.tsx";
 * console.log(String(<RuleName name="cap" links={servedLinks(0)} />)); // <a href="runs?policy=cap">cap</a>
 * ```
 */
export function RuleName(props: { name: string; links: PageLinks }): Child {
  return props.links.served
    ? <a href={props.links.runs({ policy: props.name })}>{props.name}</a>
    : <>{props.name}</>;
}

/**
 * Rules and their counts, one row each.
 *
 * @example
 * ```tsx
 * import { servedLinks } from "./console_links.ts";
 * import { RuleCountsTable } from "./rule_counts.tsx";
 * const rules = [{ rule: "cap", applied: 3, failed: 1, blocked: 1 }];
 * console.log(String(<RuleCountsTable id="friction" rules={rules} links={servedLinks(0)} max={1} />).includes('data-rule="cap"')); // true
 * ```
 */
export function RuleCountsTable(props: {
  id: string;
  rules: readonly RuleFigures[];
  links: PageLinks;
  max: number;
}): Child {
  return (
    <table id={props.id}>
      <thead>
        <tr>
          <th>rule</th>
          <RuleCountHeads />
        </tr>
      </thead>
      <tbody>
        {props.rules.map((r) => (
          <tr data-rule={r.rule}>
            <td class="mono">
              <RuleName name={r.rule} links={props.links} />
            </td>
            <RuleCountCells counts={r} max={props.max} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}
