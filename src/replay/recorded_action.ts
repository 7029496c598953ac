/**
 * A trace event's request turned back into the action Mirage decided, as far as the trace holds
 * it — and, for every field a rule may read, whether the trace holds it honestly. A trace keeps
 * the request redacted and without transport headers; CI traces keep no host; no trace keeps the
 * URL's scheme and port, a tool call's headers, or a body the gateway could not inspect.
 *
 * @module
 */

import type { FieldStep } from "../config/field_path.ts";
import { type Action, httpAction, toolAction } from "../engine/action.ts";
import { type TraceEvent, TRANSPORT_HEADERS } from "../trace/event.ts";
import { REDACTED } from "../trace/redact.ts";
import type { FieldRead } from "./rule_reads.ts";

/**
 * A recorded request as an action, with what the trace does not hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFieldPath } from "../config/field_path.ts";
 * import { recordedAction } from "./recorded_action.ts";
 * const r = recordedAction(
 *   { seq: 1, request: { method: "GET", path: "/v1/x", headers: { authorization: "[REDACTED]" } }, outcome: "allowed", enforced: true, decisions: [], response: { status: 200 } },
 *   "r1",
 *   { routeParams: false },
 * );
 * const read = { path: parseFieldPath("headers.authorization"), presence: false };
 * assert.equal(r.gap(read), "headers.authorization is redacted in the trace");
 * assert.equal(r.gap({ path: parseFieldPath("path"), presence: false }), undefined); // held as it was
 * ```
 */
export interface RecordedAction {
  /** The action, with a stand-in host when the trace has none. */
  readonly action: Action;
  /** Whether the trace records the request's host. */
  readonly hostKnown: boolean;
  /** Why the trace cannot tell what a rule making `read` would see; undefined when it can. */
  gap(read: FieldRead): string | undefined;
}

/**
 * Options of {@link recordedAction}.
 *
 * @example
 * ```ts
 * import type { RecordedActionOptions } from "./recorded_action.ts";
 * const o: RecordedActionOptions = { routeParams: true };
 * ```
 */
export interface RecordedActionOptions {
  /** Whether path parameters will be computed again (a mocks file was given). */
  readonly routeParams: boolean;
}

/** The host of a replayed CI request: reserved, so that it can never name a real one. */
const STAND_IN_HOST = "replay.invalid";
const BODILESS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

function redactedIn(value: unknown): boolean {
  if (value === REDACTED) return true;
  if (Array.isArray(value)) return value.some(redactedIn);
  if (value !== null && typeof value === "object") return Object.values(value).some(redactedIn);
  return false;
}

/**
 * Whether reading `steps` from `value` meets a redacted value on the way, or (unless only the
 * field's presence is asked) in the value read.
 */
function readsRedacted(
  value: unknown,
  steps: readonly FieldStep[],
  at: number,
  presence: boolean,
): boolean {
  if (at === steps.length) return !presence && redactedIn(value);
  if (value === REDACTED) return true;
  const step = steps[at] as FieldStep;
  if (Array.isArray(value)) {
    if (step.kind === "key") return false;
    const items = step.kind === "all" ? value : [value[step.index]];
    return items.some((v) => readsRedacted(v, steps, at + 1, presence));
  }
  if (value === null || typeof value !== "object" || step.kind !== "key") return false;
  if (!Object.hasOwn(value, step.key)) return false;
  return readsRedacted((value as Record<string, unknown>)[step.key], steps, at + 1, presence);
}

function redacted(value: unknown, read: FieldRead): string | undefined {
  const { path, presence } = read;
  return readsRedacted(value, path.steps, 0, presence)
    ? `${path.source} is redacted in the trace`
    : undefined;
}

/** An `error` event the gateway recorded before deciding: its body may not have been read. */
function bodyWithheld(event: TraceEvent): boolean {
  const r = event.request;
  return event.outcome === "error" && event.decisions.length === 0 &&
    r.json === undefined && r.body === undefined && !BODILESS.has(r.method ?? "");
}

function httpGap(event: TraceEvent, read: FieldRead, options: RecordedActionOptions) {
  const r = event.request;
  const path = read.path;
  switch (path.root) {
    case "url":
    case "scheme":
    case "port":
      return `${path.source}: traces do not record the URL's scheme and port`;
    case "host":
      return r.host === undefined ? "host: CI traces do not record the host" : undefined;
    case "params":
      return options.routeParams
        ? undefined
        : `${path.source}: path parameters are not recorded (give --mocks to match routes again)`;
    case "query":
      return redacted(r.query, read);
    case "headers": {
      const step = path.steps[0];
      if (step?.kind !== "key") return "headers: transport headers are not recorded";
      if (TRANSPORT_HEADERS.has(step.key)) {
        return `${path.source}: '${step.key}' is a transport header, not recorded`;
      }
      return redacted(r.headers, read);
    }
    case "payload":
      if (bodyWithheld(event)) {
        return `${path.source}: the body was not inspected when recorded (${event.error})`;
      }
      return redacted(r.json ?? r.body, read);
    default:
      return undefined;
  }
}

function toolGap(event: TraceEvent, read: FieldRead): string | undefined {
  const path = read.path;
  if (path.root === "headers") return `${path.source}: tool-call traces record no headers`;
  if (path.root === "payload") return redacted(event.request.args, read);
  return undefined;
}

function actionOf(event: TraceEvent, runId: string): Action {
  const r = event.request;
  if (r.tool !== undefined) {
    return toolAction({
      tool: r.tool,
      args: r.args,
      runId,
      ...(r.call_id === undefined ? {} : { callId: r.call_id }),
    });
  }
  const base = httpAction({
    method: r.method ?? "GET",
    url: `http://${r.host ?? STAND_IN_HOST}/`,
    headers: r.headers ?? {},
    runId,
  });
  // Path, query and body exactly as recorded: parsing them again could read them otherwise.
  return { ...base, path: r.path ?? "/", query: r.query ?? {}, payload: r.json ?? r.body };
}

/**
 * The action a trace event recorded, in run `runId`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordedAction } from "./recorded_action.ts";
 * const r = recordedAction(
 *   { seq: 3, request: { method: "POST", path: "/v1/submit_bid", json: { amount: 50000 } }, outcome: "policy_violation", enforced: true, decisions: [], response: { status: 403 } },
 *   "procurement",
 *   { routeParams: true },
 * );
 * assert.ok(r.action.kind === "http");
 * assert.deepEqual(r.action.payload, { amount: 50000 });
 * assert.equal(r.hostKnown, false); // a CI trace keeps no host
 * ```
 */
export function recordedAction(
  event: TraceEvent,
  runId: string,
  options: RecordedActionOptions,
): RecordedAction {
  const tool = event.request.tool !== undefined;
  return {
    action: actionOf(event, runId),
    hostKnown: tool || event.request.host !== undefined,
    gap: (read) => tool ? toolGap(event, read) : httpGap(event, read, options),
  };
}
