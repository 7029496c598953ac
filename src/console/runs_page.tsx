/**
 * The runs page: every run, newest first, a page at a time, filtered by outcome, mode, the
 * policy that decided it and its id (the last two where a server answers).
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { OUTCOMES } from "../engine/outcome.ts";
import type { RunInfo } from "../trace/trace_reader.ts";
import type { PageLinks, RunsParams } from "./console_links.ts";
import { count } from "./format.ts";
import { Pager } from "./parts.tsx";
import { RunsTable } from "./runs_table.tsx";

/**
 * Runs per page.
 *
 * @example
 * ```ts
 * import { RUNS_PER_PAGE } from "./runs_page.tsx";
 * console.log(Math.ceil(120 / RUNS_PER_PAGE)); // 3
 * ```
 */
export const RUNS_PER_PAGE = 50;

/**
 * Props of {@link RunsPage}.
 *
 * @example
 * ```ts
 * import { servedLinks } from "./console_links.ts";
 * import type { RunsProps } from "./runs_page.tsx";
 * const p: RunsProps = { runs: [], total: 0, params: {}, links: servedLinks(0), modes: [], policies: [] };
 * ```
 */
export interface RunsProps {
  /** The runs of the page. */
  readonly runs: readonly RunInfo[];
  /** Runs matching the filters, over every page. */
  readonly total: number;
  /** The filters and page. */
  readonly params: RunsParams;
  /** The page's links. */
  readonly links: PageLinks;
  /** Every mode seen, for the filter. */
  readonly modes: readonly string[];
  /** Every deciding policy seen, for the filter. */
  readonly policies: readonly string[];
}

function Chips(props: {
  label: string;
  values: readonly string[];
  chosen: string | undefined;
  href: (value: string | undefined) => string;
}): Child {
  return (
    <p class="chips">
      <span class="muted">{props.label}:</span>
      {[undefined, ...props.values].map((v) => {
        const text = v ?? "all";
        const href = props.href(v);
        return v === props.chosen
          ? <a class="on" href={href} aria-current="true">{text}</a>
          : <a href={href}>{text}</a>;
      })}
    </p>
  );
}

function Filters(props: RunsProps): Child {
  const { params: p, links } = props;
  return (
    <form class="filters" method="get" action={links.runs()}>
      {p.outcome ? <input type="hidden" name="outcome" value={p.outcome} /> : ""}
      {p.mode ? <input type="hidden" name="mode" value={p.mode} /> : ""}
      <label>
        policy
        <select name="policy">
          <option value="">any</option>
          {props.policies.map((name) =>
            name === p.policy
              ? <option value={name} selected>{name}</option>
              : <option value={name}>{name}</option>
          )}
        </select>
      </label>
      <label>
        run id contains
        <input type="search" name="search" value={p.search ?? ""} />
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}

/**
 * The runs page's body.
 *
 * @example
 * ```tsx
 * import { servedLinks } from "./console_links.ts";
 * import { RunsPage } from "./runs_page.tsx";
 * const html = String(<RunsPage runs={[]} total={0} params={{}} links={servedLinks(0)} modes={[]} policies={[]} />);
 * console.log(html.includes("No runs match")); // true
 * ```
 */
export function RunsPage(props: RunsProps): Child {
  const { params: p, links, total } = props;
  const page = p.page ?? 1;
  const pages = Math.max(1, Math.ceil(total / RUNS_PER_PAGE));
  const keep = { policy: p.policy, search: p.search };
  return (
    <>
      <h1>Runs · {count(total)}</h1>
      <Chips
        label="outcome"
        values={OUTCOMES}
        chosen={p.outcome}
        href={(o) => links.runs({ ...keep, mode: p.mode, outcome: o as RunsParams["outcome"] })}
      />
      <Chips
        label="mode"
        values={props.modes}
        chosen={p.mode}
        href={(m) => links.runs({ ...keep, outcome: p.outcome, mode: m })}
      />
      {links.served ? <Filters {...props} /> : ""}
      {props.runs.length === 0
        ? <p class="muted">No runs match.</p>
        : <RunsTable id="runs" runs={props.runs} links={links} full />}
      <Pager
        page={page}
        pages={pages}
        href={(n) => links.runs({ ...p, page: n })}
      />
    </>
  );
}
