/**
 * A table of runs, each linked to its page: id, mode, outcome, deciding policy, events (by
 * outcome, in full), side effects and last event. The runs page lists them all; the overview,
 * compact, the newest failing ones.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { OUTCOMES } from "../engine/outcome.ts";
import type { RunInfo } from "../trace/trace_reader.ts";
import type { PageLinks } from "./console_links.ts";
import { count, time } from "./format.ts";
import { OutcomeBadge } from "./parts.tsx";

/**
 * Props of {@link RunsTable}.
 *
 * @example
 * ```ts
 * import { servedLinks } from "./console_links.ts";
 * import type { RunsTableProps } from "./runs_table.tsx";
 * const p: RunsTableProps = { id: "runs", runs: [], links: servedLinks(0), full: true };
 * ```
 */
export interface RunsTableProps {
  /** The table's element id. */
  readonly id: string;
  /** The runs, in the order shown. */
  readonly runs: readonly RunInfo[];
  /** The page's links. */
  readonly links: PageLinks;
  /** Events by outcome and side effects as well. */
  readonly full: boolean;
}

/**
 * The table.
 *
 * @example
 * ```tsx
 * import { servedLinks } from "./console_links.ts";
 * import { RunsTable } from "./runs_table.tsx";
 * console.log(String(<RunsTable id="runs" runs={[]} links={servedLinks(0)} full />).startsWith("<div")); // true
 * ```
 */
export function RunsTable(props: RunsTableProps): Child {
  const { links, full } = props;
  return (
    <div class="wide">
      <table id={props.id}>
        <thead>
          <tr>
            <th>run</th>
            <th>mode</th>
            <th>outcome</th>
            <th>policy</th>
            <th class="num">events</th>
            {full ? OUTCOMES.map((o) => <th class="num">{o}</th>) : ""}
            {full ? <th class="num">side effects</th> : ""}
            <th>last event</th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((r) => (
            <tr data-run={r.run_id}>
              <td class="mono">
                <a href={links.run(r.run_id)}>{r.run_id}</a>
              </td>
              <td>{r.mode}</td>
              <td>
                <OutcomeBadge outcome={r.outcome} />
              </td>
              <td class="mono">{r.policy ?? "—"}</td>
              <td class="num">{count(r.events)}</td>
              {full
                ? OUTCOMES.map((o) => <td class={`num o-${o}`}>{count(r.counts[o] ?? 0)}</td>)
                : ""}
              {full ? <td class="num">{count(r.side_effect_count)}</td> : ""}
              <td class="when">{time(r.last_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
