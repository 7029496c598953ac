/**
 * The typed faults of `mocks.yaml` (docs/chaos.md): the `faults:` of a route or a tool mock, and
 * the named `chaos:` profiles that aim faults at mocks by name. Faults fire only in a chaos run
 * (`--chaos`, or the `chaos` option of `session()` and `startProxy`).
 *
 * @module
 */

/**
 * The profile of the faults declared on the mocks themselves (`faults:`), which `--chaos <seed>`
 * turns on; named profiles live under `chaos:`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PROFILE } from "./fault_types.ts";
 * assert.equal(DEFAULT_PROFILE, "default");
 * ```
 */
export const DEFAULT_PROFILE = "default";

/**
 * What a route fault does instead of serving the mock: answer a `status` (with its own headers
 * and body), `reset` the connection (no answer at all), `timeout` (no answer until the client
 * gives up, at most `after_ms`), or `delay` the mock's answer.
 *
 * @example
 * ```ts
 * import type { RouteFaultKind } from "@mirage/core";
 * const kind: RouteFaultKind = "reset";
 * ```
 */
export type RouteFaultKind = "status" | "reset" | "timeout" | "delay";

/**
 * What a tool-mock fault does: the call fails with an `error` result, a `timeout` (a wait, then
 * an error result), or the mock's result comes after a `delay`.
 *
 * @example
 * ```ts
 * import type { ToolFaultKind } from "@mirage/core";
 * const kind: ToolFaultKind = "error";
 * ```
 */
export type ToolFaultKind = "error" | "timeout" | "delay";

/**
 * Any fault kind, as traces record it (`response.fault`).
 *
 * @example
 * ```ts
 * import type { FaultKind } from "@mirage/core";
 * const kinds: FaultKind[] = ["status", "reset", "timeout", "delay", "error"];
 * ```
 */
export type FaultKind = RouteFaultKind | ToolFaultKind;

/**
 * A delay: a fixed number of milliseconds, or `[min, max]` for one drawn uniformly (and
 * reproducibly) per call.
 *
 * @example
 * ```ts
 * import type { FaultDelay } from "@mirage/core";
 * const fixed: FaultDelay = 1500;
 * const uniform: FaultDelay = [200, 2000];
 * ```
 */
export type FaultDelay = number | [number, number];

/**
 * One declared fault of a route (`mocks[].faults`).
 *
 * @example
 * ```ts
 * import type { RouteFault } from "@mirage/core";
 * const f: RouteFault = { fault: "status", rate: 0.3, status: 503, body: { error: "busy" } };
 * ```
 */
export interface RouteFault {
  /** What the fault does. */
  fault: RouteFaultKind;
  /** Share of the calls it hits, from 0 (exclusive) to 1; default 1 (every call). */
  rate?: number;
  /** `status`: the status answered; default 503. */
  status?: number;
  /** `status`: response headers (templates allowed). */
  headers?: Record<string, string>;
  /** `status`: the body — a string is text, any other value is served as JSON. */
  body?: unknown;
  /** `timeout`: how long the connection is held before it is dropped; default 30000 ms. */
  after_ms?: number;
  /** `delay`: how much later the mock answers. */
  delay_ms?: FaultDelay;
}

/**
 * One declared fault of a tool mock (`tools[].faults`).
 *
 * @example
 * ```ts
 * import type { ToolFault } from "@mirage/core";
 * const f: ToolFault = { fault: "error", rate: 0.5, error: "supplier API unavailable" };
 * ```
 */
export interface ToolFault {
  /** What the fault does. */
  fault: ToolFaultKind;
  /** Share of the calls it hits, from 0 (exclusive) to 1; default 1. */
  rate?: number;
  /** `error` and `timeout`: the error result's message (templates allowed). */
  error?: string;
  /** `timeout`: how long the call waits before it fails; default 30000 ms. */
  after_ms?: number;
  /** `delay`: how much later the mock answers. */
  delay_ms?: FaultDelay;
}

/**
 * One fault of a named chaos profile, aimed at mocks by name: `route:` for route mocks (a route
 * fault), `tool:` for tool mocks (a tool fault).
 *
 * @example
 * ```ts
 * import type { ChaosFault } from "@mirage/core";
 * const f: ChaosFault = { route: "submit_payment", fault: "status", rate: 0.3, status: 503 };
 * ```
 */
export interface ChaosFault {
  /** The route mock(s) it applies to, by name. */
  route?: string | string[];
  /** The tool mock(s) it applies to, by name. */
  tool?: string | string[];
  /** What the fault does: a route fault kind for `route:`, a tool fault kind for `tool:`. */
  fault: FaultKind;
  /** Share of the calls it hits, from 0 (exclusive) to 1; default 1. */
  rate?: number;
  /** As in {@link RouteFault}. */
  status?: number;
  /** As in {@link RouteFault}. */
  headers?: Record<string, string>;
  /** As in {@link RouteFault}. */
  body?: unknown;
  /** As in {@link ToolFault}. */
  error?: string;
  /** As in {@link RouteFault} and {@link ToolFault}. */
  after_ms?: number;
  /** As in {@link RouteFault} and {@link ToolFault}. */
  delay_ms?: FaultDelay;
}
