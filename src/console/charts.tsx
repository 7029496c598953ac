/**
 * The console's charts, drawn on the server as SVG (no chart library, no script): outcomes
 * stacked over time, one stacked bar of outcome counts, and a bar beside each count of a list.
 * Each chart has a title per bar and a table with the same numbers, for reading and for
 * screen readers.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { type OutcomeCounts, OUTCOMES } from "../engine/outcome.ts";
import { count, time } from "./format.ts";
import type { TimeSeries } from "./overview_figures.ts";

const WIDTH = 560;
const HEIGHT = 170;
const LEFT = 44;
const BOTTOM = 22;
const TOP = 8;

function total(counts: readonly number[]): number {
  return counts.reduce((a, b) => a + b, 0);
}

/** A bucket's span as text: its start, and its width when wider than a minute. */
function span(start: number, stepMs: number): string {
  const minutes = stepMs / 60_000;
  const width = minutes < 60
    ? `${minutes} min`
    : minutes < 2880
    ? `${minutes / 60} h`
    : `${minutes / 1440} d`;
  return `${time(start)} (+${width})`;
}

/**
 * Outcomes stacked over time, one bar per bucket, with the same numbers as a table.
 *
 * @example
 * ```tsx
 * import { OutcomeBars } from "./charts.tsx";
 * const series = { stepMs: 60_000, buckets: [{ start: 0, counts: [2, 0, 0, 0, 1] }] };
 * console.log(String(<OutcomeBars series={series} what="events" />).startsWith("<figure")); // true
 * ```
 */
export function OutcomeBars(props: { series: TimeSeries; what: string }): Child {
  const { series, what } = props;
  const buckets = series.buckets;
  if (buckets.length === 0) return <p class="muted">No timed {what} yet.</p>;
  const first = (buckets[0] as { start: number }).start;
  const last = (buckets.at(-1) as { start: number }).start;
  const slots = Math.round((last - first) / series.stepMs) + 1;
  const max = Math.max(1, ...buckets.map((b) => total(b.counts)));
  const plotW = WIDTH - LEFT - 4;
  const plotH = HEIGHT - TOP - BOTTOM;
  const slot = plotW / slots;
  const barW = Math.min(40, Math.max(1, slot * 0.8));
  const bars = buckets.map((b) => {
    const x = LEFT + ((b.start - first) / series.stepMs) * slot + (slot - barW) / 2;
    let y = TOP + plotH;
    return (
      <g>
        <title>{`${span(b.start, series.stepMs)}: ${count(total(b.counts))} ${what}`}</title>
        {OUTCOMES.map((o, i) => {
          const n = b.counts[i] ?? 0;
          if (n === 0) return "";
          const h = (n / max) * plotH;
          y -= h;
          return (
            <rect
              class={`f-${o}`}
              x={x.toFixed(1)}
              y={y.toFixed(1)}
              width={barW.toFixed(1)}
              height={h.toFixed(1)}
            >
              <title>{`${span(b.start, series.stepMs)}: ${count(n)} ${o}`}</title>
            </rect>
          );
        })}
      </g>
    );
  });
  const base = TOP + plotH;
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={`${what} by outcome over time`}
      >
        <line class="axis" x1={LEFT} y1={base} x2={WIDTH - 4} y2={base} />
        <line class="axis" x1={LEFT} y1={TOP} x2={LEFT} y2={base} />
        <text x={LEFT - 6} y={TOP + 9} text-anchor="end">{count(max)}</text>
        <text x={LEFT - 6} y={base} text-anchor="end">0</text>
        <text x={LEFT} y={HEIGHT - 6}>{time(first)}</text>
        {slots > 1 ? <text x={WIDTH - 4} y={HEIGHT - 6} text-anchor="end">{time(last)}</text> : ""}
        {bars}
      </svg>
      <details>
        <summary>{what} by outcome, as a table</summary>
        <table>
          <thead>
            <tr>
              <th>from</th>
              {OUTCOMES.map((o) => <th class="num">{o}</th>)}
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr>
                <td>{span(b.start, series.stepMs)}</td>
                {OUTCOMES.map((_, i) => <td class="num">{count(b.counts[i] ?? 0)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/**
 * Counts by outcome as one stacked bar, followed by the counts in words.
 *
 * @example
 * ```tsx
 * import { OutcomeSplit } from "./charts.tsx";
 * const counts = { allowed: 2, flagged: 0, policy_violation: 1, unmatched_route: 0, error: 0 };
 * console.log(String(<OutcomeSplit counts={counts} what="events" />).includes("policy_violation 1")); // true
 * ```
 */
export function OutcomeSplit(props: { counts: OutcomeCounts; what: string }): Child {
  const { counts, what } = props;
  const sum = OUTCOMES.reduce((n, o) => n + (counts[o] ?? 0), 0);
  let x = 0;
  return (
    <div class="split">
      <svg
        viewBox="0 0 400 14"
        width="100%"
        height="14"
        preserveAspectRatio="none"
        role="img"
        aria-label={`${what} by outcome`}
      >
        {sum === 0 ? <rect class="f-track" x="0" y="0" width="400" height="14" /> : ""}
        {OUTCOMES.map((o) => {
          const n = counts[o] ?? 0;
          if (n === 0 || sum === 0) return "";
          const w = (n / sum) * 400;
          const rect = (
            <rect class={`f-${o}`} x={x.toFixed(1)} y="0" width={w.toFixed(1)} height="14">
              <title>{`${count(n)} ${o}`}</title>
            </rect>
          );
          x += w;
          return rect;
        })}
      </svg>
      <p class="legend">
        {OUTCOMES.map((o) => (
          <span class={`o-${o}`}>
            <i></i>
            {`${o} ${count(counts[o] ?? 0)}`}
          </span>
        ))}
      </p>
    </div>
  );
}

/**
 * A bar for one count of a list, as wide as its share of the largest.
 *
 * @example
 * ```tsx
 * import { CountBar } from "./charts.tsx";
 * console.log(String(<CountBar n={3} max={6} />).includes('width="60.0"')); // true
 * ```
 */
export function CountBar(props: { n: number; max: number; outcome?: string }): Child {
  const w = props.max > 0 ? (props.n / props.max) * 120 : 0;
  return (
    <svg viewBox="0 0 120 10" width="120" height="10" aria-hidden="true">
      <rect class="f-track" x="0" y="0" width="120" height="10" />
      <rect
        class={props.outcome ? `f-${props.outcome}` : "f-bar"}
        x="0"
        y="0"
        width={w.toFixed(1)}
        height="10"
      />
    </svg>
  );
}
