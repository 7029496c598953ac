/**
 * The CI request path shared by `session().fetch` and `mirage proxy`: decide, record, then
 * serve the mock or answer 403 / 404 — never serving a mock to a stopped action.
 */

import { httpAction } from "../engine/action.ts";
import type { PolicySet } from "../engine/compile_policies.ts";
import type { MockRouter } from "../engine/compile_mocks.ts";
import { evaluateAction, type Evaluation } from "../engine/evaluate_action.ts";
import type { Redactor } from "../trace/redact.ts";
import { type TraceEvent, traceRequest } from "../trace/event.ts";
import type { EventTiming, TraceStore } from "../trace/trace_store.ts";
import { elapsedUs } from "../trace/timing.ts";
import { blockedBody, blockedStatus, decisionHeaders, jsonAnswer } from "../http/answers.ts";

/** What the CI path needs: the compiled files, the mode and where traces go. */
export interface CiContext {
  /** False in passthrough: a stopped action is served anyway and recorded `enforced: false`. */
  readonly enforce: boolean;
  readonly policies: PolicySet;
  readonly mocks: MockRouter;
  readonly redactor: Redactor;
  readonly traces: TraceStore | undefined;
}

/** A handled request: the answer, its trace event and timings. */
export interface Handled {
  readonly response: Response;
  readonly event: TraceEvent;
  readonly timing: EventTiming;
}

/** Counts events per run when no trace store does. */
export type SeqCounter = (runId: string) => number;

const NO_BODY: ReadonlySet<number> = new Set([101, 204, 205, 304]);

function eventOf(
  ctx: CiContext,
  e: Evaluation,
  status: number,
  enforced: boolean,
): Omit<TraceEvent, "seq"> {
  const event: Omit<TraceEvent, "seq"> = {
    request: ctx.redactor.request(traceRequest(e.action)),
    outcome: e.outcome,
    enforced,
    decisions: ctx.redactor.decisions(e.decisions),
    response: { status },
  };
  if (e.route) event.route = e.route.name;
  if (e.policy !== undefined) event.policy = e.policy;
  return event;
}

function served(e: Evaluation): boolean {
  return e.outcome === "allowed" || e.outcome === "flagged";
}

/** Decides one request in CI mode and answers it as the proxy does. */
export async function handleCiRequest(
  ctx: CiContext,
  request: Request,
  runId: string,
  nextSeq: SeqCounter,
): Promise<Handled> {
  const start = performance.now();
  const at = new Date().toISOString();
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const action = httpAction({
    method: request.method,
    url: request.url,
    headers: request.headers,
    runId,
    ...(body ? { body } : {}),
  });
  const decideStart = performance.now();
  const e = await evaluateAction(ctx.policies, ctx.mocks, action);
  const decideUs = elapsedUs(decideStart);
  const answer = served(e) || !ctx.enforce ? e.route?.render() : undefined;
  const status = answer?.status ?? blockedStatus(e);
  const event = eventOf(ctx, e, status, served(e) || answer === undefined);
  const timing: EventTiming = { at, decide_us: decideUs, total_us: elapsedUs(start) };
  const seq = ctx.traces ? await ctx.traces.record(runId, event, timing) : nextSeq(runId);
  const headers = decisionHeaders(e, runId);
  if (answer?.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
  const response = answer
    ? new Response(NO_BODY.has(status) || answer.body === "" ? null : answer.body, {
      status,
      headers: { ...answer.headers, ...headers },
    })
    : jsonAnswer(status, blockedBody({ ...e, decisions: event.decisions }, runId, seq), headers);
  return { response, event: { seq, ...event }, timing };
}
