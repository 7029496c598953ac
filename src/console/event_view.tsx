/**
 * One event as a reviewer reads it, on a run's timeline and in the live feed: what was asked
 * (method and path, or the tool), the outcome, route, deciding policy, whether Mirage enforced
 * it, what answered, each rule's decision with expected against actual and its message, the
 * request's query, headers and body as recorded (redacted values stay `[REDACTED]`), faults,
 * errors and timings. Everything here comes from agents and upstreams: it is only ever text.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { Decision } from "../engine/compile_policies.ts";
import type { TraceEvent, TraceRequest, TraceResponse } from "../trace/event.ts";
import type { EventTiming } from "../trace/timing.ts";
import { duration, pretty, value } from "./format.ts";
import { OutcomeBadge } from "./parts.tsx";

/**
 * What an event asked, in one line: `POST /v1/submit_bid` or `tool submit_bid`.
 *
 * @example
 * ```ts
 * import { requestLine } from "./event_view.tsx";
 * console.log(requestLine({ method: "GET", path: "/v1/x" }), requestLine({ tool: "refund" })); // GET /v1/x tool refund
 * ```
 */
export function requestLine(request: TraceRequest): string {
  if (request.tool !== undefined) return `tool ${request.tool}`;
  return `${request.method ?? "?"} ${request.path ?? ""}`;
}

/**
 * What answered an event, in words.
 *
 * @example
 * ```ts
 * import { responseLine } from "./event_view.tsx";
 * console.log(responseLine({ status: 403 }), responseLine({ mock: "lookup" }), responseLine({})); // status 403 mock lookup nothing ran
 * ```
 */
export function responseLine(response: TraceResponse): string {
  const parts: string[] = [];
  if (response.status !== undefined) parts.push(`status ${response.status}`);
  if (response.mock !== undefined) parts.push(`mock ${response.mock}`);
  if (response.ran) parts.push("the real tool ran");
  if (response.fault !== undefined) {
    parts.push(`fault ${response.fault}${response.delay_ms ? ` (${response.delay_ms} ms)` : ""}`);
  }
  if (response.bytes !== undefined) parts.push(`cut after ${response.bytes} body bytes`);
  if (parts.length === 0) return response.fault === undefined ? "nothing ran" : "no answer";
  return parts.join(" · ");
}

/** A labelled fact of an event, when it has one. */
function Fact(props: { label: string; value: string | undefined; block?: boolean }): Child {
  if (props.value === undefined) return "";
  const fact = (
    <>
      {props.label} <b>{props.value}</b>
    </>
  );
  return props.block ? <p class="facts">{fact}</p> : <span class="facts">{fact}</span>;
}

function Decisions(props: { decisions: readonly Decision[] }): Child {
  if (props.decisions.length === 0) return <p class="facts">No rule applied.</p>;
  return (
    <table class="decisions">
      <thead>
        <tr>
          <th>rule</th>
          <th>result</th>
          <th>field</th>
          <th>operator</th>
          <th>expected</th>
          <th>actual</th>
          <th>message</th>
        </tr>
      </thead>
      <tbody>
        {props.decisions.map((d) => (
          <tr class={d.passed ? "passed" : "failed"}>
            <td class="mono">{d.policy}</td>
            <td>
              {d.passed ? "passed" : d.action === "block" ? "failed · block" : "failed · flag"}
            </td>
            <td class="mono">{d.field}</td>
            <td class="mono">{d.operator}</td>
            <td class="mono expected">{value(d.expected)}</td>
            <td class="mono actual">
              {d.missing ? "(missing)" : value(d.actual)}
              {d.normalized?.length ? <div class="facts">after {d.normalized.join(", ")}</div> : ""}
            </td>
            <td>{d.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Pairs(props: { title: string; pairs: Record<string, unknown> }): Child {
  const entries = Object.entries(props.pairs);
  if (entries.length === 0) return "";
  return (
    <>
      <h3>{props.title}</h3>
      <table class="pairs">
        <tbody>
          {entries.map(([k, v]) => (
            <tr>
              <td class="mono">{k}</td>
              <td class="mono">{value(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function RequestDetails(props: { request: TraceRequest }): Child {
  const r = props.request;
  const body = r.tool !== undefined ? r.args : r.json ?? r.body;
  return (
    <>
      {r.host !== undefined
        ? (
          <p class="facts">
            host <b>{r.host}</b>
          </p>
        )
        : ""}
      {r.call_id !== undefined
        ? (
          <p class="facts">
            call id <b>{r.call_id}</b>
          </p>
        )
        : ""}
      <Pairs title="query" pairs={r.query ?? {}} />
      <Pairs title="request headers" pairs={r.headers ?? {}} />
      {body === undefined ? "" : (
        <>
          <h3>{r.tool !== undefined ? "arguments" : "body"}</h3>
          <pre>{pretty(body)}</pre>
        </>
      )}
    </>
  );
}

function Timing(props: { timing: EventTiming | null | undefined }): Child {
  const t = props.timing;
  if (!t) return "";
  return (
    <span class="facts">
      decided in <b>{duration(t.decide_us)}</b> (rules {duration(t.evaluate_us)})
      {t.upstream_us !== undefined ? ` · upstream ${duration(t.upstream_us)}` : ""}
    </span>
  );
}

/**
 * Props of {@link EventView}.
 *
 * @example
 * ```ts
 * import type { EventViewProps } from "./event_view.tsx";
 * const p: EventViewProps = {
 *   event: { seq: 1, request: { tool: "t" }, outcome: "allowed", enforced: true, decisions: [], response: {} },
 * };
 * ```
 */
export interface EventViewProps {
  /** The event. */
  readonly event: TraceEvent;
  /** Its timings, when known. */
  readonly timing?: EventTiming | null | undefined;
  /** The run's name and page link, shown before the event (the live feed). */
  readonly run?: { readonly id: string; readonly href: string; readonly mode?: string };
}

/**
 * One event of a timeline, as a list item.
 *
 * @example
 * ```tsx
 * import { EventView } from "./event_view.tsx";
 * const event = {
 *   seq: 1, request: { method: "GET", path: "/<script>" }, outcome: "allowed" as const,
 *   enforced: true, decisions: [], response: { status: 200 },
 * };
 * console.log(String(<EventView event={event} />).includes("&lt;script&gt;")); // true
 * ```
 */
export function EventView(props: EventViewProps): Child {
  const { event: e, run } = props;
  const failing = e.outcome !== "allowed";
  return (
    <li class={`event e-${e.outcome}`} id={`event-${e.seq}`} data-outcome={e.outcome}>
      <div class="event-head">
        {run ? <a class="mono" href={run.href}>{run.id}</a> : ""}
        <span class="seq">#{e.seq}</span>
        <span class="what mono">{requestLine(e.request)}</span>
        <OutcomeBadge outcome={e.outcome} />
        <Fact label="policy" value={e.policy} />
        <Fact label="route" value={e.route} />
        <span class="facts">
          {e.enforced ? "enforced" : <b>not enforced (let through)</b>}
        </span>
        <span class="facts response">→ {responseLine(e.response)}</span>
        {run?.mode ? <span class="facts">{run.mode}</span> : ""}
        <Timing timing={props.timing} />
      </div>
      {e.error !== undefined ? <p class="o-error">error: {e.error}</p> : ""}
      <Decisions decisions={e.decisions} />
      <details open={failing}>
        <summary>request</summary>
        <RequestDetails request={e.request} />
      </details>
    </li>
  );
}
