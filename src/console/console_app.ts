/**
 * The review console as a hono app over one trace directory: `/` the overview, `/runs`,
 * `/runs/<run id>` (its raw trace at `/runs/<run id>/trace.json`), `/live` (its event stream
 * at `/live/events`) and `/policies`, all read-only. `mirage console` serves it at `/`; the
 * proxy, gateway and mcp mount it at `/_mirage/console/` behind their admin guard. Every
 * answer carries the console's security headers; nothing but GET is answered.
 *
 * Pages answer from the runs' stored summaries (`TraceReader.scan`); only a run's own page
 * reads events, a page of them.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { type Outcome, OUTCOMES } from "../engine/outcome.ts";
import { errorMessage } from "../errors.ts";
import type { Recorder } from "../trace/recorder.ts";
import { TraceReader } from "../trace/trace_reader.ts";
import { type PageDepth, type RunsParams, servedLinks } from "./console_links.ts";
import { ConsolePages, type PageContent } from "./console_pages.tsx";
import { renderPage, type Section } from "./layout.tsx";
import { type LiveFeed, recorderFeed } from "./live_feed.ts";
import { pageHeaders } from "./page_headers.ts";

/**
 * Options of {@link ConsoleApp}.
 *
 * @example
 * ```ts
 * import { TraceReader } from "../trace/trace_reader.ts";
 * import type { ConsoleAppOptions } from "./console_app.ts";
 * import { directoryFeed } from "./live_feed.ts";
 * const reader = new TraceReader("artifacts/traces");
 * const o: ConsoleAppOptions = { reader, live: directoryFeed(reader), policies: "policies.yaml" };
 * ```
 */
export interface ConsoleAppOptions {
  /** The trace directory's reader (keep one per directory: it remembers summaries). */
  readonly reader: TraceReader;
  /** The policy file whose rules the policies page lists, when one is known. */
  readonly policies?: string | undefined;
  /** Where the live page's events come from. */
  readonly live: LiveFeed;
  /** What the header says the traces come from; default the directory. */
  readonly source?: string | undefined;
}

/** Keeps a quiet event stream open through proxies that close idle connections. */
const HEARTBEAT_MS = 15_000;

/** A request the console cannot answer as asked: 400. */
class BadRequest extends Error {}

function pageNumber(text: string | undefined): number {
  if (text === undefined || text === "") return 1;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new BadRequest("?page must be 1 or more");
  return Number(text);
}

function runsParams(c: Context): RunsParams {
  const outcome = c.req.query("outcome") || undefined;
  if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome)) {
    throw new BadRequest(`?outcome must be one of ${OUTCOMES.join(", ")}`);
  }
  return {
    outcome: outcome as Outcome | undefined,
    mode: c.req.query("mode") || undefined,
    policy: c.req.query("policy") || undefined,
    search: c.req.query("search") || undefined,
    page: pageNumber(c.req.query("page")),
  };
}

/**
 * The console over one trace directory.
 *
 * @example
 * ```ts
 * import { TraceReader } from "../trace/trace_reader.ts";
 * import { ConsoleApp } from "./console_app.ts";
 * import { directoryFeed } from "./live_feed.ts";
 * const reader = new TraceReader(await Deno.makeTempDir());
 * const app = new ConsoleApp({ reader, live: directoryFeed(reader) });
 * const page = await app.fetch(new Request("http://127.0.0.1/runs"));
 * console.log(page.status, page.headers.get("x-content-type-options")); // 200 nosniff
 * await page.body?.cancel();
 * app.close();
 * ```
 */
export class ConsoleApp {
  readonly #options: ConsoleAppOptions;
  readonly #pages: ConsolePages;
  readonly #app: Hono;
  readonly #closing = new AbortController();

  /** A console over `options.reader`'s directory. */
  constructor(options: ConsoleAppOptions) {
    this.#options = options;
    this.#pages = new ConsolePages(options.reader, options.policies);
    this.#app = this.#build();
  }

  /** Answers one request; paths are the console's own (`/`, `/runs`, …). */
  fetch = (request: Request): Response | Promise<Response> => this.#app.fetch(request);

  /** Ends the live streams, so that a server can finish its in-flight requests and stop. */
  close(): void {
    this.#closing.abort();
  }

  #page(c: Context, section: Section, depth: PageDepth, content: PageContent): Response {
    const source = this.#options.source ?? this.#options.reader.dir;
    const frame = {
      title: content.title,
      section,
      links: servedLinks(depth),
      source,
      live: section === "live",
    };
    return c.html(renderPage(frame, content.body));
  }

  #say(c: Context, status: 400 | 404 | 405 | 500, title: string, text: string): Response {
    c.status(status);
    return this.#page(c, "overview", 0, { title, body: this.#pages.message(text) });
  }

  #build(): Hono {
    const app = new Hono();
    const pages = this.#pages;
    const reader = this.#options.reader;
    app.use("*", async (c, next) => {
      await next();
      for (const [name, value] of Object.entries(pageHeaders())) c.res.headers.set(name, value);
    });
    app.get("/", async (c) => {
      const mode = c.req.query("mode") || undefined;
      return this.#page(
        c,
        "overview",
        0,
        pages.overview(await reader.scan(), mode, servedLinks(0)),
      );
    });
    app.get("/runs", async (c) => {
      const params = runsParams(c);
      return this.#page(c, "runs", 0, pages.runs(await reader.scan(), params, servedLinks(0)));
    });
    // `.` and `..` cannot be path segments: their links are `runs/?id=..` (and `&raw=1`).
    app.get("/runs/", (c) => {
      const id = c.req.query("id");
      if (id === undefined) return c.redirect("../runs", 308);
      return c.req.query("raw") ? this.#trace(c, id) : this.#run(c, id);
    });
    app.get("/runs/:id", (c) => this.#run(c, c.req.param("id")));
    app.get("/runs/:id/trace.json", (c) => this.#trace(c, c.req.param("id")));
    app.get("/live", (c) => {
      return this.#page(c, "live", 0, { title: "Live", body: pages.live(servedLinks(0)) });
    });
    app.get("/live/events", (c) => this.#stream(c));
    app.get("/policies", async (c) => {
      return this.#page(c, "policies", 0, await pages.rules(await reader.scan(), servedLinks(0)));
    });
    app.all("*", (c) => {
      if (c.req.method === "GET" || c.req.method === "HEAD") {
        return this.#say(c, 404, "Not found", `Nothing here: ${c.req.path}`);
      }
      c.header("allow", "GET, HEAD");
      return this.#say(c, 405, "Read-only", "The console only reads: it answers GET alone.");
    });
    app.onError((e, c) =>
      e instanceof BadRequest
        ? this.#say(c, 400, "Bad request", e.message)
        : this.#say(c, 500, "Error", errorMessage(e))
    );
    return app;
  }

  async #run(c: Context, runId: string): Promise<Response> {
    const page = await this.#pages.run(runId, pageNumber(c.req.query("page")), servedLinks(1));
    return page
      ? this.#page(c, "runs", 1, page)
      : this.#say(c, 404, "No such run", `No run '${runId}'.`);
  }

  async #trace(c: Context, runId: string): Promise<Response> {
    const path = await this.#pages.traceFile(runId);
    const file = path && await Deno.open(path, { read: true }).catch(() => undefined);
    if (!file) return this.#say(c, 404, "No such run", `No run '${runId}'.`);
    return new Response(file.readable, {
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  }

  #stream(c: Context): Response {
    const feed = this.#options.live;
    const closing = this.#closing.signal;
    const links = servedLinks(0);
    return streamSSE(c, async (stream) => {
      const gone = new AbortController();
      stream.onAbort(() => gone.abort());
      const signal = AbortSignal.any([gone.signal, closing]);
      const heartbeat = setInterval(() => void stream.write(": keep-alive\n\n"), HEARTBEAT_MS);
      try {
        const ready = () => void stream.writeSSE({ event: "ready", data: "following" });
        for await (const live of feed(signal, ready)) {
          await stream.writeSSE({ event: "event", data: this.#pages.liveRow(live, links) });
        }
      } finally {
        clearInterval(heartbeat);
      }
    });
  }
}

/**
 * What a server knows that its console shows.
 *
 * @example
 * ```ts
 * import { Recorder } from "../trace/recorder.ts";
 * import type { ServerConsoleOptions } from "./console_app.ts";
 * const o: ServerConsoleOptions = {
 *   surface: "gateway", mode: "enforce", traces: "artifacts/traces", policies: "policies.yaml", recorder: new Recorder(),
 * };
 * ```
 */
export interface ServerConsoleOptions {
  /** `proxy`, `gateway` or `mcp`, for the header. */
  readonly surface: string;
  /** The server's mode. */
  readonly mode: string;
  /** Its trace directory. */
  readonly traces: string;
  /** Its policies file. */
  readonly policies: string;
  /** Its recorder: the live page shows what it records. */
  readonly recorder: Recorder;
}

/**
 * The console a server mounts at `/_mirage/console/`: its trace directory, its policies file,
 * its recorder's events live.
 *
 * @example
 * ```ts
 * import { Recorder } from "../trace/recorder.ts";
 * import { serverConsole } from "./console_app.ts";
 * const app = serverConsole({
 *   surface: "proxy", mode: "ci", traces: await Deno.makeTempDir(), policies: "policies/procurement.yaml",
 *   recorder: new Recorder(),
 * });
 * app.close();
 * ```
 */
export function serverConsole(options: ServerConsoleOptions): ConsoleApp {
  return new ConsoleApp({
    reader: new TraceReader(options.traces),
    live: recorderFeed(options.recorder, options.mode),
    policies: options.policies,
    source: `mirage ${options.surface} · ${options.mode} · ${options.traces}`,
  });
}
