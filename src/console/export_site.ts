/**
 * `mirage console --export <dir>`: the console's pages written as static HTML, for a CI
 * artifact that a reviewer opens from disk — no server, no network, no script. Links are
 * relative files: `index.html` (and one overview per mode), `runs.html` paged and filtered by
 * outcome and mode (`runs-outcome-policy_violation-mode-ci-2.html`), each run's pages
 * `runs/<run>.html` with its raw trace `runs/<run>.json`, `policies.html`, `live.html`.
 *
 * The directory is the export's own: an earlier export there is replaced whole, and any other
 * non-empty directory is refused rather than written into.
 *
 * @module
 */

import { join } from "node:path";
import { OUTCOMES } from "../engine/outcome.ts";
import { MirageError } from "../errors.ts";
import { type RunEntry, runFilter, TraceReader } from "../trace/trace_reader.ts";
import {
  exportLinks,
  overviewFile,
  runFile,
  runsFile,
  type RunsParams,
  runTraceFile,
} from "./console_links.ts";
import { ConsolePages, type PageContent } from "./console_pages.tsx";
import { type Frame, renderPage, type Section } from "./layout.tsx";
import { EVENTS_PER_PAGE } from "./run_page.tsx";
import { RUNS_PER_PAGE } from "./runs_page.tsx";

/** Marks a directory as an export, so that exporting again may replace it. */
const MARKER = ".mirage-console";

/**
 * Options of {@link exportConsole}.
 *
 * @example
 * ```ts
 * import type { ExportOptions } from "@mirage/core/console";
 * const o: ExportOptions = { traces: "artifacts/traces", out: "artifacts/console", policies: "policies.yaml" };
 * ```
 */
export interface ExportOptions {
  /** The trace directory. */
  readonly traces: string;
  /** Where the pages go (created; an earlier export there is replaced). */
  readonly out: string;
  /** The policy file whose rules the policies page lists. */
  readonly policies?: string | undefined;
}

/**
 * What an export wrote.
 *
 * @example
 * ```ts
 * import type { ExportReport } from "@mirage/core/console";
 * const r: ExportReport = { out: "artifacts/console", runs: 3, files: 19 };
 * ```
 */
export interface ExportReport {
  /** The directory written. */
  readonly out: string;
  /** Runs exported. */
  readonly runs: number;
  /** Files written. */
  readonly files: number;
}

async function prepare(out: string): Promise<void> {
  const entries: string[] = [];
  try {
    for await (const e of Deno.readDir(out)) entries.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new MirageError(
      "export_refused",
      `${out} is not empty and holds no earlier export: give an empty or new directory`,
    );
  }
  if (entries.length > 0) await Deno.remove(out, { recursive: true });
  await Deno.mkdir(join(out, "runs"), { recursive: true });
  await Deno.writeTextFile(join(out, MARKER), "written by mirage console --export\n");
}

class Site {
  files = 0;
  readonly #out: string;
  readonly #source: string;

  constructor(out: string, source: string) {
    this.#out = out;
    this.#source = source;
  }

  async write(file: string, section: Section, content: PageContent): Promise<void> {
    const depth = file.startsWith("runs/") ? 1 : 0;
    const frame: Frame = {
      title: content.title,
      section,
      links: exportLinks(depth),
      source: this.#source,
    };
    await Deno.writeTextFile(join(this.#out, file), renderPage(frame, content.body));
    this.files++;
  }

  async copy(from: string, file: string): Promise<void> {
    await Deno.copyFile(from, join(this.#out, file));
    this.files++;
  }
}

async function writeRuns(site: Site, pages: ConsolePages, entries: readonly RunEntry[]) {
  const modes = [...new Set(entries.map((e) => e.info.mode))];
  const links = exportLinks(0);
  for (const outcome of [undefined, ...OUTCOMES]) {
    for (const mode of [undefined, ...modes]) {
      const filter: RunsParams = { outcome, mode };
      const total = entries.filter(runFilter(filter)).length;
      const count = Math.max(1, Math.ceil(total / RUNS_PER_PAGE));
      for (let page = 1; page <= count; page++) {
        const params = { ...filter, page };
        await site.write(runsFile(params), "runs", pages.runs(entries, params, links));
      }
    }
  }
}

async function writeRun(site: Site, pages: ConsolePages, entry: RunEntry): Promise<void> {
  const id = entry.info.run_id;
  const trace = await pages.traceFile(id);
  if (trace) await site.copy(trace, `runs/${runTraceFile(id)}`);
  const links = exportLinks(1);
  const count = Math.max(1, Math.ceil(entry.info.events / EVENTS_PER_PAGE));
  for (let page = 1; page <= count; page++) {
    const content = await pages.run(id, page, links);
    if (content) await site.write(`runs/${runFile(id, page)}`, "runs", content);
  }
}

/**
 * Writes the console's pages for `options.traces` into `options.out`.
 *
 * @example
 * ```ts
 * import { exportConsole } from "@mirage/core/console";
 * const out = `${await Deno.makeTempDir()}/console`;
 * const report = await exportConsole({ traces: await Deno.makeTempDir(), out });
 * console.log(report.runs, report.files > 0); // 0 true
 * ```
 */
export async function exportConsole(options: ExportOptions): Promise<ExportReport> {
  await prepare(options.out);
  const reader = new TraceReader(options.traces);
  const pages = new ConsolePages(reader, options.policies);
  const entries = await reader.scan();
  const site = new Site(options.out, options.traces);
  const links = exportLinks(0);
  await site.write(overviewFile(), "overview", pages.overview(entries, undefined, links));
  for (const mode of new Set(entries.map((e) => e.info.mode))) {
    await site.write(overviewFile(mode), "overview", pages.overview(entries, mode, links));
  }
  await writeRuns(site, pages, entries);
  for (const entry of entries) await writeRun(site, pages, entry);
  await site.write("policies.html", "policies", await pages.rules(entries, links));
  await site.write("live.html", "live", { title: "Live", body: pages.live(links) });
  return { out: options.out, runs: entries.length, files: site.files };
}
