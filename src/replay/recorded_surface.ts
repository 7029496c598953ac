/**
 * The declared surface as a trace recorded it, for a replay without a mocks file: whether a
 * route (or, under `strict_tools`, a tool mock) matched each event, read from the event itself,
 * so that the one evaluator decides it with the routing it had. Where the trace does not say,
 * the routing is unknown.
 *
 * @module
 */

import type { Action } from "../engine/action.ts";
import { withParams } from "../engine/action.ts";
import type { MockRouter, RouteMatch } from "../engine/compile_mocks.ts";
import type { ToolMockRouter } from "../engine/compile_tool_mocks.ts";
import type { TraceEvent } from "../trace/event.ts";

/**
 * Whether an event's request was inside the declared surface when it was recorded.
 *
 * @example
 * ```ts
 * import type { Routing } from "./recorded_surface.ts";
 * const r: Routing = "unknown";
 * ```
 */
export type Routing = "matched" | "unmatched" | "unknown";

/**
 * What a whole run says about its surface: CI always declares one; a gateway run shows one only
 * through a route name or an `unmatched_route`; `strict_tools` only through a tool call that
 * was `unmatched_route`.
 *
 * @example
 * ```ts
 * import type { SurfaceEvidence } from "./recorded_surface.ts";
 * const e: SurfaceEvidence = { routes: true, strictTools: false };
 * ```
 */
export interface SurfaceEvidence {
  /** HTTP requests were matched against declared routes. */
  readonly routes: boolean;
  /** Tool calls were matched against declared tools under `strict_tools`. */
  readonly strictTools: boolean;
}

/**
 * What a run's events show of its surface.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { surfaceEvidence } from "./recorded_surface.ts";
 * assert.deepEqual(surfaceEvidence("ci", []), { routes: true, strictTools: false });
 * assert.deepEqual(surfaceEvidence("enforce", []), { routes: false, strictTools: false });
 * ```
 */
export function surfaceEvidence(mode: string, events: readonly TraceEvent[]): SurfaceEvidence {
  const http = events.filter((e) => e.request.tool === undefined);
  const tools = events.filter((e) => e.request.tool !== undefined);
  return {
    routes: mode === "ci" ||
      http.some((e) => e.route !== undefined || e.outcome === "unmatched_route"),
    strictTools: tools.some((e) => e.outcome === "unmatched_route"),
  };
}

/**
 * The routing an event was decided with. A request that a declared surface would have routed
 * records the route's name whatever its outcome, so a violation without one was outside it; an
 * `error` recorded before deciding says nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordedRouting } from "./recorded_surface.ts";
 * const e = { seq: 1, request: { method: "POST", path: "/x" }, outcome: "policy_violation" as const, enforced: true, decisions: [], response: { status: 403 } };
 * assert.equal(recordedRouting(e, { routes: true, strictTools: false }), "unmatched");
 * ```
 */
export function recordedRouting(event: TraceEvent, evidence: SurfaceEvidence): Routing {
  if (event.outcome === "unmatched_route") return "unmatched";
  if (event.request.tool !== undefined) {
    if (!evidence.strictTools || event.response.mock !== undefined) return "matched";
    return "unknown";
  }
  if (!evidence.routes || event.route !== undefined) return "matched";
  return event.outcome === "error" ? "unknown" : "unmatched";
}

const NO_TOOLS: ToolMockRouter = {
  size: 0,
  strict: false,
  tools: new Set(),
  match: () => undefined,
};

const UNDECLARED_TOOLS: ToolMockRouter = { ...NO_TOOLS, strict: true };

class RecordedSurface implements MockRouter {
  readonly size = 0;
  readonly tools: ToolMockRouter;
  readonly #route: string | undefined;

  constructor(matched: boolean, route: string | undefined) {
    this.tools = matched ? NO_TOOLS : UNDECLARED_TOOLS;
    this.#route = matched ? route ?? "" : undefined;
  }

  match(action: Action): RouteMatch | undefined {
    if (action.kind !== "http" || this.#route === undefined) return undefined;
    const routed = withParams(action, {});
    // A replay decides again and answers nothing: the recorded answer is not served.
    return {
      name: this.#route,
      action: routed,
      render: () => ({ status: 200, headers: {}, body: "", delayMs: 0 }),
    };
  }
}

/**
 * A surface that matches (with the recorded route's name) or misses every action. A miss stops
 * an action before state, so the unmatched surface also decides without changing any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateAction, compilePolicies, httpAction } from "@mirage/core";
 * import { recordedSurface } from "./recorded_surface.ts";
 * const e = await evaluateAction(compilePolicies({ policies: [] }), recordedSurface(false), httpAction({ method: "GET", url: "http://x.test/" }));
 * assert.equal(e.outcome, "unmatched_route");
 * ```
 */
export function recordedSurface(matched: boolean, route?: string): MockRouter {
  return new RecordedSurface(matched, route);
}
