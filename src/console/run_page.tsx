/**
 * One run: what it came to (outcome, deciding policy, counts, `side_effect_count`, the digest
 * of its trace), the raw trace, the command that gates it, and its timeline of events a page
 * at a time.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { EventPage, RunInfo } from "../trace/trace_reader.ts";
import { OutcomeSplit } from "./charts.tsx";
import type { PageLinks } from "./console_links.ts";
import { EventView } from "./event_view.tsx";
import { count, shellWord, time } from "./format.ts";
import { OutcomeBadge, Pager } from "./parts.tsx";

/**
 * Events per page of a run.
 *
 * @example
 * ```ts
 * import { EVENTS_PER_PAGE } from "./run_page.tsx";
 * console.log(Math.floor(250 / EVENTS_PER_PAGE) + 1); // 3: event 251 is on page 3
 * ```
 */
export const EVENTS_PER_PAGE = 100;

/**
 * Props of {@link RunPage}.
 *
 * @example
 * ```ts
 * import { servedLinks } from "./console_links.ts";
 * import type { RunProps } from "./run_page.tsx";
 * const p: RunProps = {
 *   run: {
 *     run_id: "r1", mode: "ci", outcome: "allowed", side_effect_count: 0, events: 0, trace: "t/r1.json",
 *     counts: { allowed: 0, flagged: 0, policy_violation: 0, unmatched_route: 0, error: 0 },
 *   },
 *   page: { events: [], offset: 0, limit: 100, next_offset: null },
 *   digest: undefined, links: servedLinks(1), dir: "t",
 * };
 * ```
 */
export interface RunProps {
  /** The run. */
  readonly run: RunInfo;
  /** The page of its events shown, with timings. */
  readonly page: EventPage;
  /** The trace file's digest, when it is current. */
  readonly digest: string | undefined;
  /** The page's links. */
  readonly links: PageLinks;
  /** The trace directory, for the gate command. */
  readonly dir: string;
}

/**
 * The command that gates this run in CI.
 *
 * @example
 * ```ts
 * import { gateCommand } from "./run_page.tsx";
 * console.log(gateCommand("artifacts/traces", "nightly run")); // mirage gate-run --traces artifacts/traces --run-id 'nightly run'
 * ```
 */
export function gateCommand(dir: string, runId: string): string {
  return `mirage gate-run --traces ${shellWord(dir)} --run-id ${shellWord(runId)}`;
}

/**
 * A run's page body.
 *
 * @example
 * ```tsx
 * import { servedLinks } from "./console_links.ts";
 * import { RunPage } from "./run_page.tsx";
 * const run = {
 *   run_id: "r1", mode: "ci", outcome: "allowed" as const, side_effect_count: 0, events: 0, trace: "t/r1.json",
 *   counts: { allowed: 0, flagged: 0, policy_violation: 0, unmatched_route: 0, error: 0 },
 * };
 * const page = { events: [], offset: 0, limit: 100, next_offset: null };
 * console.log(String(<RunPage run={run} page={page} digest={undefined} links={servedLinks(1)} dir="t" />).includes("gate-run")); // true
 * ```
 */
export function RunPage(props: RunProps): Child {
  const { run, page, links } = props;
  const number = Math.floor(page.offset / EVENTS_PER_PAGE) + 1;
  const pages = Math.max(1, Math.ceil(run.events / EVENTS_PER_PAGE));
  return (
    <>
      <h1>
        Run <span class="mono">{run.run_id}</span>
      </h1>
      <table class="facts-table" id="run-facts">
        <tbody>
          <tr>
            <th>outcome</th>
            <td>
              <OutcomeBadge outcome={run.outcome} />
              {run.policy !== undefined ? <span class="mono policy">{run.policy}</span> : ""}
            </td>
          </tr>
          <tr>
            <th>mode</th>
            <td>{run.mode}</td>
          </tr>
          <tr>
            <th>events</th>
            <td>{count(run.events)}</td>
          </tr>
          <tr>
            <th>side_effect_count</th>
            <td id="side-effect-count">{count(run.side_effect_count)}</td>
          </tr>
          <tr>
            <th>first / last event</th>
            <td>{`${time(run.first_at)} / ${time(run.last_at)}`}</td>
          </tr>
          <tr>
            <th>digest</th>
            <td class="mono" id="digest">
              {props.digest ??
                "not written since the last event: open the raw trace (or run gate-run) to write it"}
            </td>
          </tr>
          <tr>
            <th>raw trace</th>
            <td>
              <a href={links.trace(run.run_id)} id="raw-trace">{`${run.run_id}.json`}</a>
            </td>
          </tr>
          <tr>
            <th>gate it</th>
            <td>
              <code id="gate-command">{gateCommand(props.dir, run.run_id)}</code>
            </td>
          </tr>
        </tbody>
      </table>
      <OutcomeSplit counts={run.counts} what="events" />
      <h2>Timeline</h2>
      <Pager page={number} pages={pages} href={(n) => links.run(run.run_id, n)} />
      {page.events.length === 0
        ? <p class="muted">No events on this page.</p>
        : (
          <ol class="timeline" id="timeline">
            {page.events.map((e, i) => <EventView event={e} timing={page.timings?.[i]} />)}
          </ol>
        )}
      <Pager page={number} pages={pages} href={(n) => links.run(run.run_id, n)} />
    </>
  );
}
