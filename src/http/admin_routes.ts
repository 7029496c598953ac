/**
 * The admin routes under `/_mirage/` shared by the CI proxy and the gateway: `health`,
 * `metrics` and the runs of a trace directory. Each server passes what it knows; the returned
 * app can be extended with more routes before it is mounted.
 *
 * @module
 */

import { Hono } from "hono";
import { listRuns, readTrace } from "../trace/trace_reader.ts";
import { tracePaths } from "../trace/trace_paths.ts";
import type { Trace } from "../trace/trace.ts";
import { type Metrics, METRICS_CONTENT_TYPE } from "./metrics.ts";

/** Where the admin routes are mounted. */
export const ADMIN_PREFIX = "/_mirage";

/** What the admin routes read. */
export interface AdminOptions {
  /** Server-specific health fields (routes, policies, mode, …); `ok` and `uptime` are added. */
  readonly health: () => Record<string, unknown>;
  /** The server's metrics. */
  readonly metrics: Metrics;
  /** The trace directory, when the server writes traces. */
  readonly traces: string | undefined;
  /** Server start, in `performance.now()` milliseconds; default: when the routes were built. */
  readonly startedAt?: number;
}

/** One run in `GET /_mirage/v1/runs`. */
export interface RunListing {
  /** The run id. */
  run_id: string;
  /** The run's worst outcome. */
  outcome: Trace["outcome"];
  /** The policy of the worst event, if any. */
  policy?: string;
  /** Violating actions with side effects that still landed. */
  side_effect_count: number;
  /** Events by outcome. */
  counts: Trace["counts"];
  /** Number of events. */
  events: number;
  /** Path of the trace file. */
  trace: string;
}

function listing(dir: string, trace: Trace): RunListing {
  const run: RunListing = {
    run_id: trace.run_id,
    outcome: trace.outcome,
    side_effect_count: trace.side_effect_count,
    counts: trace.counts,
    events: trace.events.length,
    trace: tracePaths(dir, trace.run_id).trace,
  };
  if (trace.policy !== undefined) run.policy = trace.policy;
  return run;
}

async function runsOf(dir: string): Promise<RunListing[]> {
  const runs: RunListing[] = [];
  for (const id of await listRuns(dir)) {
    const trace = await readTrace(dir, id);
    if (trace) runs.push(listing(dir, trace));
  }
  return runs;
}

/**
 * Builds the admin app; mount it with `app.route(ADMIN_PREFIX, adminRoutes(...))`. Unknown
 * admin paths answer 404 here instead of reaching the server's catch-all.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { ADMIN_PREFIX, adminRoutes } from "./admin_routes.ts";
 * import { Metrics } from "./metrics.ts";
 * const app = new Hono();
 * app.route(ADMIN_PREFIX, adminRoutes({ health: () => ({ mode: "enforce" }), metrics: new Metrics(), traces: undefined }));
 * ```
 */
export function adminRoutes(options: AdminOptions): Hono {
  const started = options.startedAt ?? performance.now();
  const admin = new Hono();
  admin.get("/health", (c) => {
    const uptime = Math.round((performance.now() - started) / 10) / 100;
    return c.json({ ok: true, ...options.health(), uptime });
  });
  admin.get(
    "/metrics",
    (c) => c.body(options.metrics.render(), 200, { "content-type": METRICS_CONTENT_TYPE }),
  );
  admin.get(
    "/v1/runs",
    async (c) => c.json({ runs: options.traces ? await runsOf(options.traces) : [] }),
  );
  admin.get("/v1/runs/:id", async (c) => {
    const id = c.req.param("id");
    const trace = options.traces ? await readTrace(options.traces, id) : undefined;
    return trace
      ? c.json(trace)
      : c.json({ error: "not_found", message: `no trace for run '${id}'` }, 404);
  });
  admin.all(
    "*",
    (c) => c.json({ error: "not_found", message: `no admin route ${c.req.path}` }, 404),
  );
  return admin;
}
