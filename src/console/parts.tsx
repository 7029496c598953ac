/**
 * Small pieces every console page uses: an outcome's badge, the outcome legend, a figure's
 * card, a pager. Everything they show goes through hono/jsx, which escapes text and
 * attributes.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { OUTCOMES } from "../engine/outcome.ts";

/**
 * An outcome as a coloured badge.
 *
 * @example
 * ```tsx
 * import { OutcomeBadge } from "./parts.tsx";
 * console.log(String(<OutcomeBadge outcome="policy_violation" />));
 * ```
 */
export function OutcomeBadge(props: { outcome: string }): Child {
  return <span class={`badge o-${props.outcome}`}>{props.outcome}</span>;
}

/**
 * The outcome colours, named.
 *
 * @example
 * ```tsx
 * import { Legend } from "./parts.tsx";
 * console.log(String(<Legend />).includes("unmatched_route")); // true
 * ```
 */
export function Legend(): Child {
  return (
    <p class="legend">
      {OUTCOMES.map((o) => (
        <span class={`o-${o}`}>
          <i></i>
          {o}
        </span>
      ))}
    </p>
  );
}

/**
 * One figure: a label, a big value, a line of detail.
 *
 * @example
 * ```tsx
 * import { Card } from "./parts.tsx";
 * console.log(String(<Card label="Containment" value="100%" detail="2 of 2 stopped" />));
 * ```
 */
export function Card(props: { label: string; value: string; detail?: Child; id?: string }): Child {
  return (
    <div class="card" id={props.id}>
      <div class="label">{props.label}</div>
      <div class="value">{props.value}</div>
      {props.detail === undefined ? "" : <div class="detail">{props.detail}</div>}
    </div>
  );
}

/**
 * Links to the previous and next page of a list, and where this page is.
 *
 * @example
 * ```tsx
 * import { Pager } from "./parts.tsx";
 * console.log(String(<Pager page={2} pages={5} href={(p) => `runs?page=${p}`} />));
 * ```
 */
export function Pager(
  props: { page: number; pages: number; href: (page: number) => string },
): Child {
  const { page, pages, href } = props;
  if (pages <= 1) return "";
  return (
    <p class="pager">
      {page > 1 ? <a href={href(1)}>« first</a> : <span class="muted">« first</span>}
      {page > 1
        ? <a href={href(page - 1)} rel="prev">‹ previous</a>
        : <span class="muted">‹ previous</span>}
      <span>
        page {page} of {pages}
      </span>
      {page < pages
        ? <a href={href(page + 1)} rel="next">next ›</a>
        : <span class="muted">next ›</span>}
      {page < pages ? <a href={href(pages)}>last »</a> : <span class="muted">last »</span>}
    </p>
  );
}
