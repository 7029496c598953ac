/**
 * What each console page shows, from the trace store to a page's body: the same for a served
 * console and an exported one, which differ only in their links.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { type RunEntry, runFilter, type TraceReader } from "../trace/trace_reader.ts";
import type { PageLinks, RunsParams } from "./console_links.ts";
import { EventView } from "./event_view.tsx";
import type { LiveEvent } from "./live_feed.ts";
import { LivePage } from "./live_page.tsx";
import { overviewFigures, ruleFigures } from "./overview_figures.ts";
import { OverviewPage } from "./overview_page.tsx";
import { PoliciesPage } from "./policies_page.tsx";
import { policyListing } from "./policy_rules.ts";
import { EVENTS_PER_PAGE, RunPage } from "./run_page.tsx";
import { RUNS_PER_PAGE, RunsPage } from "./runs_page.tsx";

/**
 * A page's title and body.
 *
 * @example
 * ```ts
 * import type { PageContent } from "./console_pages.tsx";
 * const p: PageContent = { title: "Runs", body: "none" };
 * ```
 */
export interface PageContent {
  /** The title. */
  readonly title: string;
  /** The body. */
  readonly body: Child;
}

/** The distinct values of one field of the runs, sorted. */
function distinct(entries: readonly RunEntry[], pick: (e: RunEntry) => string | undefined) {
  const values = new Set<string>();
  for (const e of entries) {
    const v = pick(e);
    if (v !== undefined) values.add(v);
  }
  return [...values].sort();
}

/**
 * Renders every page of the console over one reader.
 *
 * @example
 * ```ts
 * import { TraceReader } from "../trace/trace_reader.ts";
 * import { servedLinks } from "./console_links.ts";
 * import { ConsolePages } from "./console_pages.tsx";
 * const pages = new ConsolePages(new TraceReader(await Deno.makeTempDir()), undefined);
 * const { title } = pages.runs([], {}, servedLinks(0));
 * console.log(title); // Runs
 * ```
 */
export class ConsolePages {
  /** The reader. */
  readonly reader: TraceReader;
  /** The policy file, when known. */
  readonly policies: string | undefined;

  /** Pages over `reader`, listing the rules of `policies` when given. */
  constructor(reader: TraceReader, policies: string | undefined) {
    this.reader = reader;
    this.policies = policies;
  }

  /** The overview of `entries` (every run, as `scan` gives them), for one mode or all. */
  overview(entries: readonly RunEntry[], mode: string | undefined, links: PageLinks): PageContent {
    const shown = mode === undefined ? entries : entries.filter((e) => e.info.mode === mode);
    const figures = overviewFigures(shown, entries, mode ?? "all");
    return {
      title: mode === undefined ? "Overview" : `Overview · ${mode}`,
      body: (
        <OverviewPage figures={figures} mode={mode ?? "all"} links={links} dir={this.reader.dir} />
      ),
    };
  }

  /** A page of the runs of `entries` that match `params`, newest first. */
  runs(entries: readonly RunEntry[], params: RunsParams, links: PageLinks): PageContent {
    const matching = entries.filter(runFilter(params));
    const page = params.page ?? 1;
    const runs = matching.slice((page - 1) * RUNS_PER_PAGE, page * RUNS_PER_PAGE);
    return {
      title: "Runs",
      body: (
        <RunsPage
          runs={runs.map((e) => e.info)}
          total={matching.length}
          params={params}
          links={links}
          modes={distinct(entries, (e) => e.info.mode)}
          policies={distinct(entries, (e) => e.info.policy)}
        />
      ),
    };
  }

  /** Page `page` (from 1) of a run; `undefined` when there is no such run. */
  async run(runId: string, page: number, links: PageLinks): Promise<PageContent | undefined> {
    const run = await this.reader.run(runId);
    if (!run) return undefined;
    const offset = (page - 1) * EVENTS_PER_PAGE;
    const events = await this.reader.events(runId, {
      offset,
      limit: EVENTS_PER_PAGE,
      timings: true,
    });
    if (!events) return undefined;
    const digest = await this.reader.digest(runId);
    return {
      title: `Run ${run.run_id}`,
      body: <RunPage run={run} page={events} digest={digest} links={links} dir={this.reader.dir} />,
    };
  }

  /** The path of the run's trace file, written from its journal first when it changed. */
  async traceFile(runId: string): Promise<string | undefined> {
    const run = (await this.reader.materialise(runId)) ?? (await this.reader.run(runId));
    return run?.trace;
  }

  /** The live page. */
  live(links: PageLinks): Child {
    return <LivePage links={links} />;
  }

  /** The rules of the policy file, against what the traces say of them. */
  async rules(entries: readonly RunEntry[], links: PageLinks): Promise<PageContent> {
    const listing = await policyListing(this.policies, ruleFigures(entries));
    return { title: "Policies", body: <PoliciesPage listing={listing} links={links} /> };
  }

  /** A page that only says something. */
  message(text: string): Child {
    return <p class="warn">{text}</p>;
  }

  /** One new event for the live page, as HTML text (its run linked from the live page). */
  liveRow(live: LiveEvent, links: PageLinks): string {
    const row = (
      <EventView
        event={live.event}
        timing={live.timing}
        run={{ id: live.runId, href: links.run(live.runId), mode: live.mode ?? "" }}
      />
    );
    const missed = live.missed
      ? <li class="event">{`${live.missed} events were skipped: this page could not keep up`}</li>
      : "";
    return `${String(missed)}${String(row)}`;
  }
}
