/**
 * The admin routes under `/_mirage/` shared by the CI proxy, the gateway and mcp: `health`,
 * `metrics`, `v1/decide` (where the server decides for SDK adapters), the runs of a trace
 * directory and the review console, all behind the server's {@link AdminGuard}. Each server
 * passes what it knows.
 *
 * The runs answer from the journals' summaries (`trace_reader.ts`), whatever the directory's
 * size: `GET v1/runs?offset=&limit=&outcome=&mode=&policy=&search=` pages the runs newest
 * first, `GET v1/runs/:id?offset=&limit=` gives the run's summary and a page of its events
 * (limit 100 by default, 1,000 at most). Neither writes a trace file.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { type Outcome, OUTCOMES } from "../engine/outcome.ts";
import { errorMessage, MirageError } from "../errors.ts";
import { TraceReader } from "../trace/trace_reader.ts";
import { type AdminGuard, CONSOLE_ROUTE } from "./admin_guard.ts";
import { errorAnswer } from "./answers.ts";
import { type DecideContext, handleDecide } from "./decide_route.ts";
import { type Metrics, METRICS_CONTENT_TYPE } from "./metrics.ts";
import { ADMIN_PREFIX } from "./reserved_path.ts";

/**
 * What the admin routes read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AdminOptions, adminApp } from "./admin_routes.ts";
 * import { AdminGuard } from "./admin_guard.ts";
 * import { Metrics } from "./metrics.ts";
 * const traces = await Deno.makeTempDir();
 * const options: AdminOptions = {
 *   health: () => ({ mode: "enforce" }),
 *   metrics: new Metrics(),
 *   traces,
 *   guard: new AdminGuard({ adminToken: "s3cret" }),
 * };
 * const admin = adminApp(options);
 * const info = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 } };
 * const refused = await admin.request("/_mirage/v1/runs", {}, info);
 * assert.equal(refused.status, 401);
 * const runs = await admin.request("/_mirage/v1/runs", {
 *   headers: { authorization: "Bearer s3cret" },
 * }, info);
 * assert.equal((await runs.json()).total, 0);
 * await Deno.remove(traces, { recursive: true });
 * ```
 */
export interface AdminOptions {
  /** Server-specific health fields (routes, policies, mode, …); `ok` and `uptime` are added. */
  readonly health: () => Record<string, unknown>;
  /** The server's metrics. */
  readonly metrics: Metrics;
  /** The trace directory, when the server writes traces. */
  readonly traces: string | undefined;
  /** Server start, in `performance.now()` milliseconds; default: when the routes were built. */
  readonly startedAt?: number;
  /** Who may use the routes; every route, `health` aside, goes through it. */
  readonly guard: AdminGuard;
  /** What `POST v1/decide` decides with, on servers that decide actions for SDK adapters. */
  readonly decide?: DecideContext | undefined;
  /**
   * The review console, mounted at `console/` (it answers its own paths: `/`, `/runs`, …);
   * `console` without the slash redirects there, so that its relative links resolve.
   */
  readonly console?: ((request: Request) => Response | Promise<Response>) | undefined;
}

/** The largest page the runs routes answer. */
const MAX_PAGE = 1_000;

function count(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) {
    throw new MirageError("invalid_query", `?${name} must be an integer from 0 to ${max}`);
  }
  return n;
}

function outcomeOf(text: string | undefined): Outcome | undefined {
  if (text === undefined || text === "") return undefined;
  if ((OUTCOMES as readonly string[]).includes(text)) return text as Outcome;
  throw new MirageError("invalid_query", `?outcome must be one of ${OUTCOMES.join(", ")}`);
}

function page(c: Context): { offset: number; limit: number } {
  return {
    offset: count(c.req.query("offset"), "offset", 0, Number.MAX_SAFE_INTEGER),
    limit: count(c.req.query("limit"), "limit", 100, MAX_PAGE),
  };
}

/**
 * A new app with the admin routes at `/_mirage`, for a server that hands admin paths to
 * it (`isAdminPath`) and every other request to its own path; pass the connection info as the
 * app's environment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adminApp } from "./admin_routes.ts";
 * import { AdminGuard } from "./admin_guard.ts";
 * import { Metrics } from "./metrics.ts";
 * const admin = adminApp({ health: () => ({ mode: "enforce" }), metrics: new Metrics(), traces: undefined, guard: new AdminGuard() });
 * const info = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 } };
 * const res = await admin.request("/_mirage/health", {}, info);
 * const health = await res.json();
 * assert.equal(health.ok, true);
 * assert.equal(health.mode, "enforce");
 * ```
 */
export function adminApp(options: AdminOptions): Hono {
  return new Hono().route(ADMIN_PREFIX, adminRoutes(options));
}

/**
 * Builds the admin app; mount it with `app.route(ADMIN_PREFIX, adminRoutes(...))` and pass the
 * connection info as the app's environment (`app.fetch(request, info)`): the guard reads the
 * client's address there. Unknown admin paths answer 404 here (after the guard) instead of
 * reaching the server's catch-all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { adminRoutes } from "./admin_routes.ts";
 * import { ADMIN_PREFIX } from "./reserved_path.ts";
 * import { AdminGuard } from "./admin_guard.ts";
 * import { Metrics } from "./metrics.ts";
 * const app = new Hono();
 * app.route(ADMIN_PREFIX, adminRoutes({ health: () => ({ mode: "enforce" }), metrics: new Metrics(), traces: undefined, guard: new AdminGuard() }));
 * const info = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 } };
 * const res = await app.request("/_mirage/nowhere", {}, info);
 * assert.equal(res.status, 404);
 * assert.equal((await res.json()).error, "not_found");
 * ```
 */
export function adminRoutes(options: AdminOptions): Hono {
  const started = options.startedAt ?? performance.now();
  const admin = new Hono();
  admin.use("*", options.guard.middleware(ADMIN_PREFIX));
  const decide = options.decide;
  if (decide) admin.post("/v1/decide", (c) => handleDecide(decide, c.req.raw));
  const review = options.console;
  if (review) {
    const query = (c: Context) => new URL(c.req.url).search;
    admin.get(CONSOLE_ROUTE, (c) => c.redirect(`${CONSOLE_ROUTE.slice(1)}/${query(c)}`, 308));
    admin.mount(CONSOLE_ROUTE, review);
  }
  admin.get("/health", (c) => {
    const uptime = Math.round((performance.now() - started) / 10) / 100;
    return c.json({ ok: true, ...options.health(), uptime });
  });
  admin.get(
    "/metrics",
    (c) => c.body(options.metrics.render(), 200, { "content-type": METRICS_CONTENT_TYPE }),
  );
  const reader = options.traces === undefined ? undefined : new TraceReader(options.traces);
  admin.get("/v1/runs", async (c) => {
    const query = {
      ...page(c),
      outcome: outcomeOf(c.req.query("outcome")),
      mode: c.req.query("mode") || undefined,
      policy: c.req.query("policy") || undefined,
      search: c.req.query("search") || undefined,
    };
    if (!reader) return c.json({ runs: [], total: 0, offset: query.offset, limit: query.limit });
    return c.json(await reader.list(query));
  });
  admin.get("/v1/runs/:id", async (c) => {
    const id = c.req.param("id");
    const p = page(c);
    const run = await reader?.run(id);
    const events = run && await reader?.events(id, p);
    return run && events
      ? c.json({ run, ...events })
      : c.json({ error: "not_found", message: `no trace for run '${id}'` }, 404);
  });
  admin.onError((e) =>
    e instanceof MirageError && e.code === "invalid_query"
      ? errorAnswer(400, e.message, { code: e.code })
      : errorAnswer(500, errorMessage(e))
  );
  admin.all(
    "*",
    (c) => c.json({ error: "not_found", message: `no admin route ${c.req.path}` }, 404),
  );
  return admin;
}
