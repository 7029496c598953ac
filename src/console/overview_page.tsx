/**
 * The overview: every run of the trace store at a glance — runs and events by outcome over
 * time, containment, decision latency and time to decide, policy friction, the busiest routes
 * and tools, and CI runs beside gateway traffic, one mode or all.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { OUTCOMES } from "../engine/outcome.ts";
import { CountBar, OutcomeBars, OutcomeSplit } from "./charts.tsx";
import type { PageLinks } from "./console_links.ts";
import { count, duration, percent } from "./format.ts";
import type { Headline, OverviewFigures, Percentiles } from "./overview_figures.ts";
import { Card, Legend } from "./parts.tsx";
import { RuleCountsTable } from "./rule_counts.tsx";
import { RunsTable } from "./runs_table.tsx";

function PercentileLine(props: { p: Percentiles }): Child {
  const { p } = props;
  if (p.count === 0) return "no timed events";
  return `p95 ${duration(p.p95)} · p99 ${duration(p.p99)} · ${count(p.count)} timed`;
}

function ModeChips(props: { modes: readonly Headline[]; mode: string; links: PageLinks }): Child {
  const { links, mode } = props;
  const all = ["all", ...props.modes.map((m) => m.mode)];
  return (
    <p class="chips">
      <span class="muted">mode:</span>
      {all.map((m) => {
        const href = links.overview(m === "all" ? undefined : m);
        return m === mode
          ? <a class="on" href={href} aria-current="true">{m}</a>
          : <a href={href}>{m}</a>;
      })}
    </p>
  );
}

function Headlines(props: { figures: OverviewFigures }): Child {
  const { total, upstream } = props.figures;
  const failing = total.runOutcomes.policy_violation + total.runOutcomes.unmatched_route +
    total.runOutcomes.error;
  return (
    <div class="cards">
      <Card label="Runs" value={count(total.runs)} detail={`${count(failing)} failing the gate`} />
      <Card
        label="Events"
        value={count(total.events)}
        detail={`${count(total.outcomes.policy_violation)} violations · ${
          count(total.outcomes.flagged)
        } flagged`}
      />
      <Card
        id="containment"
        label="Containment"
        value={percent(total.contained, total.violations)}
        detail={`${count(total.contained)} of ${
          count(total.violations)
        } violations stopped before a side effect · ${
          count(total.sideEffects)
        } side effects landed`}
      />
      <Card
        id="decision-latency"
        label="Decision latency p50"
        value={duration(total.evaluate.p50)}
        detail={<PercentileLine p={total.evaluate} />}
      />
      <Card
        id="time-to-decide"
        label="Time to decide p50"
        value={duration(total.decide.p50)}
        detail={<PercentileLine p={total.decide} />}
      />
      {upstream.count > 0
        ? (
          <Card
            label="Upstream p50"
            value={duration(upstream.p50)}
            detail={<PercentileLine p={upstream} />}
          />
        )
        : ""}
    </div>
  );
}

function SideBySide(props: { modes: readonly Headline[]; links: PageLinks }): Child {
  return (
    <table id="modes">
      <thead>
        <tr>
          <th>mode</th>
          <th class="num">runs</th>
          <th class="num">events</th>
          {OUTCOMES.map((o) => <th class="num">{o}</th>)}
          <th class="num">containment</th>
          <th class="num">side effects</th>
          <th class="num">decide p50 / p95 / p99</th>
          <th class="num">rules p95</th>
        </tr>
      </thead>
      <tbody>
        {props.modes.map((m) => (
          <tr data-mode={m.mode}>
            <td>
              <a href={props.links.overview(m.mode)}>{m.mode}</a>
            </td>
            <td class="num">
              <a href={props.links.runs({ mode: m.mode })}>{count(m.runs)}</a>
            </td>
            <td class="num">{count(m.events)}</td>
            {OUTCOMES.map((o) => <td class={`num o-${o}`}>{count(m.outcomes[o])}</td>)}
            <td class="num">{percent(m.contained, m.violations)}</td>
            <td class="num">{count(m.sideEffects)}</td>
            <td class="num">
              {`${duration(m.decide.p50)} / ${duration(m.decide.p95)} / ${duration(m.decide.p99)}`}
            </td>
            <td class="num">{duration(m.evaluate.p95)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Friction(props: { figures: OverviewFigures; links: PageLinks }): Child {
  const rules = props.figures.rules.filter((r) => r.failed > 0).slice(0, 10);
  if (rules.length === 0) return <p class="muted">No rule failed.</p>;
  const max = Math.max(...rules.map((r) => r.failed));
  return <RuleCountsTable id="friction" rules={rules} links={props.links} max={max} />;
}

function Busiest(props: { rows: readonly [string, number][]; what: string; id: string }): Child {
  if (props.rows.length === 0) return <p class="muted">No {props.what} yet.</p>;
  const max = props.rows[0]?.[1] ?? 0;
  return (
    <table id={props.id}>
      <thead>
        <tr>
          <th>{props.what}</th>
          <th class="num">events</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map(([key, n]) => (
          <tr>
            <td class="mono">{key}</td>
            <td class="num">{count(n)}</td>
            <td>
              <CountBar n={n} max={max} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Failing(props: { figures: OverviewFigures; links: PageLinks }): Child {
  const runs = props.figures.failing;
  if (runs.length === 0) return <p class="muted">No run fails the gate.</p>;
  return <RunsTable id="failing" runs={runs} links={props.links} full={false} />;
}

/**
 * Props of {@link OverviewPage}.
 *
 * @example
 * ```ts
 * import { servedLinks } from "./console_links.ts";
 * import { overviewFigures } from "./overview_figures.ts";
 * import type { OverviewProps } from "./overview_page.tsx";
 * const p: OverviewProps = { figures: overviewFigures([]), mode: "all", links: servedLinks(0), dir: "artifacts/traces" };
 * ```
 */
export interface OverviewProps {
  /** The figures. */
  readonly figures: OverviewFigures;
  /** The mode shown, or `all`. */
  readonly mode: string;
  /** The page's links. */
  readonly links: PageLinks;
  /** The trace directory, for the empty state. */
  readonly dir: string;
}

/**
 * The overview's body.
 *
 * @example
 * ```tsx
 * import { servedLinks } from "./console_links.ts";
 * import { overviewFigures } from "./overview_figures.ts";
 * import { OverviewPage } from "./overview_page.tsx";
 * const html = String(<OverviewPage figures={overviewFigures([])} mode="all" links={servedLinks(0)} dir="t" />);
 * console.log(html.includes("No runs")); // true
 * ```
 */
export function OverviewPage(props: OverviewProps): Child {
  const { figures, links } = props;
  if (figures.modes.length === 0) {
    return (
      <>
        <h1>Overview</h1>
        <p class="muted">
          No runs in {props.dir}{" "}
          yet: they appear as soon as a session, the proxy, the gateway or mirage mcp records into
          it.
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Overview{props.mode === "all" ? "" : ` · ${props.mode}`}</h1>
      <ModeChips modes={figures.modes} mode={props.mode} links={links} />
      <Headlines figures={figures} />
      <h2>Runs by outcome</h2>
      <OutcomeSplit counts={figures.total.runOutcomes} what="runs" />
      <div class="grid2">
        <section>
          <h2>Events by outcome over time</h2>
          <OutcomeBars series={figures.events} what="events" />
        </section>
        <section>
          <h2>Runs by outcome over time</h2>
          <OutcomeBars series={figures.runs} what="runs" />
        </section>
      </div>
      <Legend />
      <h2>CI runs and gateway traffic, side by side</h2>
      <div class="wide">
        <SideBySide modes={figures.modes} links={links} />
      </div>
      <div class="grid2">
        <section>
          <h2>Policy friction: the rules that fail most</h2>
          <Friction figures={figures} links={links} />
        </section>
        <section>
          <h2>Newest runs failing the gate</h2>
          <Failing figures={figures} links={links} />
        </section>
        <section>
          <h2>Top routes</h2>
          <Busiest rows={figures.routes} what="route" id="routes" />
        </section>
        <section>
          <h2>Top tools</h2>
          <Busiest rows={figures.tools} what="tool" id="tools" />
        </section>
      </div>
    </>
  );
}
