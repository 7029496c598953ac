/**
 * Every link a console page holds, built here and nowhere else: relative to the page, so that
 * the same pages work at `/`, under `/_mirage/console/`, behind a proxy's sub-path, and as
 * static files opened from disk. A run id goes into a link percent-encoded (served) or as its
 * sanitised file name (exported); no link is ever taken from a trace.
 *
 * @module
 */

import type { Outcome } from "../engine/outcome.ts";
import { sanitiseRunId } from "../trace/run_id.ts";

/**
 * The runs page's filters and page number.
 *
 * @example
 * ```ts
 * import type { RunsParams } from "./console_links.ts";
 * const p: RunsParams = { outcome: "policy_violation", mode: "ci", page: 2 };
 * ```
 */
export interface RunsParams {
  /** Only runs with this outcome. */
  readonly outcome?: Outcome | undefined;
  /** Only runs in this mode. */
  readonly mode?: string | undefined;
  /** Only runs this policy decided (served only). */
  readonly policy?: string | undefined;
  /** Only run ids containing this (served only). */
  readonly search?: string | undefined;
  /** The page, from 1. */
  readonly page?: number | undefined;
}

/**
 * The links of one page.
 *
 * @example
 * ```ts
 * import { servedLinks } from "./console_links.ts";
 * const links = servedLinks(1);
 * console.log(links.run("a/b c"), links.runs({ outcome: "flagged" })); // ../runs/a%2Fb%20c ../runs?outcome=flagged
 * ```
 */
export interface PageLinks {
  /** True when a server answers the links (search, the policy filter and the live feed work). */
  readonly served: boolean;
  /** The overview, for one mode or all. */
  overview(mode?: string): string;
  /** The runs page. */
  runs(params?: RunsParams): string;
  /** A run's page; `page` counts pages of its events from 1. */
  run(runId: string, page?: number): string;
  /** A run's raw trace (JSON). */
  trace(runId: string): string;
  /** The live page. */
  live(): string;
  /** The live page's event stream (served only). */
  liveStream(): string;
  /** The policies page. */
  policies(): string;
}

/**
 * How deep a page is below the console's root: 0 for most, 1 for a run's page.
 *
 * @example
 * ```ts
 * import type { PageDepth } from "./console_links.ts";
 * const run: PageDepth = 1;
 * ```
 */
export type PageDepth = 0 | 1;

function up(depth: PageDepth): string {
  return depth === 0 ? "" : "../";
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : "";
}

/** A run id as a path segment; `.` and `..` cannot be one (browsers resolve them away). */
function runPath(runId: string): string {
  return runId === "." || runId === ".."
    ? `runs/?id=${encodeURIComponent(runId)}`
    : `runs/${encodeURIComponent(runId)}`;
}

/**
 * Links between served pages (`/`, `runs`, `runs/<id>`, `live`, `policies`), for a page at
 * `depth`.
 *
 * @example
 * ```ts
 * import { servedLinks } from "./console_links.ts";
 * console.log(servedLinks(0).trace("r1")); // runs/r1/trace.json
 * ```
 */
export function servedLinks(depth: PageDepth): PageLinks {
  const root = up(depth);
  return {
    served: true,
    overview: (mode) => `${root}./${query({ mode })}`,
    runs: (p = {}) =>
      `${root}runs${
        query({
          outcome: p.outcome,
          mode: p.mode,
          policy: p.policy,
          search: p.search,
          page: p.page === 1 ? undefined : p.page,
        })
      }`,
    run: (runId, page) => {
      const path = runPath(runId);
      const more = page === undefined || page === 1 ? undefined : page;
      return `${root}${path}${
        more === undefined ? "" : `${path.includes("?") ? "&" : "?"}page=${more}`
      }`;
    },
    trace: (runId) =>
      runId === "." || runId === ".."
        ? `${root}runs/?id=${encodeURIComponent(runId)}&raw=1`
        : `${root}runs/${encodeURIComponent(runId)}/trace.json`,
    live: () => `${root}live`,
    liveStream: () => `${root}live/events`,
    policies: () => `${root}policies`,
  };
}

/** A safe file-name part for a value from a trace (a mode). */
function fileWord(text: string): string {
  return sanitiseRunId(text);
}

/**
 * The file of an exported runs list: `runs.html`, `runs-outcome-flagged-mode-ci-2.html`.
 *
 * @example
 * ```ts
 * import { runsFile } from "./console_links.ts";
 * console.log(runsFile({ outcome: "flagged", page: 2 })); // runs-outcome-flagged-2.html
 * ```
 */
export function runsFile(p: RunsParams): string {
  const parts = ["runs"];
  if (p.outcome) parts.push("outcome", p.outcome);
  if (p.mode) parts.push("mode", fileWord(p.mode));
  if (p.page !== undefined && p.page > 1) parts.push(String(p.page));
  return `${parts.join("-")}.html`;
}

/**
 * The file of an exported overview: `index.html`, `index-mode-ci.html`.
 *
 * @example
 * ```ts
 * import { overviewFile } from "./console_links.ts";
 * console.log(overviewFile("enforce")); // index-mode-enforce.html
 * ```
 */
export function overviewFile(mode?: string): string {
  return mode ? `index-mode-${fileWord(mode)}.html` : "index.html";
}

/**
 * The file of an exported run page, under `runs/`: its sanitised id, and after `~` (which no
 * sanitised id holds, so that page 2 of run `r1` is never the file of run `r1-2`) the page of
 * events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runFile } from "./console_links.ts";
 * assert.equal(runFile("r1", 3), "r1~3.html");
 * assert.notEqual(runFile("r1", 2), runFile("r1-2"));
 * assert.match(runFile("a/b"), /^a_b-.*\.html$/);
 * ```
 */
export function runFile(runId: string, page = 1): string {
  return `${sanitiseRunId(runId)}${page > 1 ? `~${page}` : ""}.html`;
}

/**
 * The file of an exported run's raw trace, under `runs/`.
 *
 * @example
 * ```ts
 * import { runTraceFile } from "./console_links.ts";
 * console.log(runTraceFile("r1")); // r1.json
 * ```
 */
export function runTraceFile(runId: string): string {
  return `${sanitiseRunId(runId)}.json`;
}

/**
 * Links between exported files (`index.html`, `runs.html`, `runs/<id>.html`, …), for a page
 * at `depth`. Search and the policy filter need a server: they are dropped.
 *
 * @example
 * ```ts
 * import { exportLinks } from "./console_links.ts";
 * console.log(exportLinks(1).runs({ mode: "ci" })); // ../runs-mode-ci.html
 * ```
 */
export function exportLinks(depth: PageDepth): PageLinks {
  const root = up(depth);
  return {
    served: false,
    overview: (mode) => `${root}${overviewFile(mode)}`,
    runs: (p = {}) => `${root}${runsFile({ outcome: p.outcome, mode: p.mode, page: p.page })}`,
    run: (runId, page) => `${root}runs/${encodeURIComponent(runFile(runId, page))}`,
    trace: (runId) => `${root}runs/${encodeURIComponent(runTraceFile(runId))}`,
    live: () => `${root}live.html`,
    liveStream: () => "",
    policies: () => `${root}policies.html`,
  };
}
