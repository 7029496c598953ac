/**
 * The console's one stylesheet, embedded in every page (so that `deno compile` and an exported
 * folder carry it, and no request leaves the page). The Content-Security-Policy allows it by
 * its hash, not by `unsafe-inline`.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * The stylesheet. Outcome colours are classes (`o-<outcome>` for text and badges,
 * `f-<outcome>` for chart fills, `e-<outcome>` for an event's border), so that no page needs a
 * `style` attribute.
 *
 * @example
 * ```ts
 * import { CONSOLE_CSS } from "./styles.ts";
 * console.log(CONSOLE_CSS.includes(".o-policy_violation")); // true
 * ```
 */
export const CONSOLE_CSS = `
:root {
  --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --panel: #f6f8fa;
  --allowed: #1a7f37; --flagged: #9a6700; --error: #8250df; --unmatched_route: #bc4c00;
  --policy_violation: #cf222e; --link: #0969da;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 4px 24px; align-items: baseline; padding: 12px 24px; border-bottom: 1px solid var(--line); background: var(--panel); }
header .brand { font-weight: 600; font-size: 16px; }
header nav a { margin-right: 16px; }
header nav a[aria-current="page"] { font-weight: 600; color: var(--fg); }
header .source { color: var(--muted); font-size: 12px; margin-left: auto; }
main { padding: 16px 24px 48px; max-width: 1280px; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 20px; margin: 8px 0 16px; word-break: break-all; }
h2 { font-size: 16px; margin: 28px 0 8px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
p.muted, .muted { color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge, .badge[class] { color: #fff; }
.badge.o-allowed { background: var(--allowed); } .badge.o-flagged { background: var(--flagged); }
.badge.o-error { background: var(--error); } .badge.o-unmatched_route { background: var(--unmatched_route); }
.badge.o-policy_violation { background: var(--policy_violation); }
.badge.plain { background: var(--muted); }
.o-allowed { color: var(--allowed); } .o-flagged { color: var(--flagged); } .o-error { color: var(--error); }
.o-unmatched_route { color: var(--unmatched_route); } .o-policy_violation { color: var(--policy_violation); }
.f-allowed { fill: var(--allowed); } .f-flagged { fill: var(--flagged); } .f-error { fill: var(--error); }
.f-unmatched_route { fill: var(--unmatched_route); } .f-policy_violation { fill: var(--policy_violation); }
.f-bar { fill: var(--link); } .f-track { fill: var(--panel); }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .axis { stroke: var(--line); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; margin: 8px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--bg); }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .detail { color: var(--muted); font-size: 12px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 8px 32px; }
.grid2 > section, .wide { min-width: 0; overflow-x: auto; }
td.when { white-space: nowrap; }
.badge + .policy { margin-left: 8px; }
.chips { margin: 6px 0; } .chips a, .chips span { margin-right: 10px; }
.chips .on { font-weight: 600; color: var(--fg); }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin: 8px 0 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
form.filters input, form.filters select, form.filters button { font: inherit; padding: 3px 6px; }
.legend span { margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.legend .o-allowed i { background: var(--allowed); } .legend .o-flagged i { background: var(--flagged); }
.legend .o-error i { background: var(--error); } .legend .o-unmatched_route i { background: var(--unmatched_route); }
.legend .o-policy_violation i { background: var(--policy_violation); }
details > summary { cursor: pointer; color: var(--muted); }
ol.timeline { list-style: none; padding: 0; margin: 0; }
ol.timeline > li { border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
ol.timeline > li.e-allowed { border-left-color: var(--allowed); } ol.timeline > li.e-flagged { border-left-color: var(--flagged); }
ol.timeline > li.e-error { border-left-color: var(--error); } ol.timeline > li.e-unmatched_route { border-left-color: var(--unmatched_route); }
ol.timeline > li.e-policy_violation { border-left-color: var(--policy_violation); }
.event-head { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; }
.event-head .seq { color: var(--muted); font-variant-numeric: tabular-nums; }
.event-head .what { font-weight: 600; word-break: break-all; }
.facts { color: var(--muted); font-size: 12px; }
.facts b { color: var(--fg); font-weight: 500; }
tr.failed td { background: #fff1f0; }
.pager { margin: 12px 0; } .pager a, .pager span { margin-right: 14px; }
table.pairs td:first-child { width: 30%; white-space: nowrap; }
table.facts-table th { width: 170px; }
.warn { border: 1px solid var(--flagged); background: #fff8c5; border-radius: 6px; padding: 8px 12px; }
`;

/**
 * The stylesheet's CSP source, `'sha256-…'`.
 *
 * @example
 * ```ts
 * import { CSS_HASH } from "./styles.ts";
 * console.log(CSS_HASH.startsWith("'sha256-")); // true
 * ```
 */
export const CSS_HASH = `'sha256-${createHash("sha256").update(CONSOLE_CSS).digest("base64")}'`;
