/**
 * The CI request path shared by `session().fetch` and `mirage proxy` (docs/architecture.md):
 * decide, record, then serve the mock or answer 403 / 404 — never serving a mock to a stopped
 * action in enforce mode. An evaluation that fails (a state store that cannot answer) is an
 * `error` answered 503 in both modes: CI has no upstream to fall back on.
 *
 * @module
 */

import { type HttpAction, httpAction } from "../engine/action.ts";
import type { PolicySet } from "../engine/compile_policies.ts";
import type { MockAnswer, MockRouter } from "../engine/compile_mocks.ts";
import { evaluateAction, type Evaluation } from "../engine/evaluate_action.ts";
import { goesThrough, type Mode } from "../engine/outcome.ts";
import { errorMessage } from "../errors.ts";
import { blockedAnswer, decisionHeaders, errorAnswer } from "../http/answers.ts";
import { buildEvent } from "../trace/event.ts";
import type { Recorder } from "../trace/recorder.ts";
import type { Redactor } from "../trace/redact.ts";
import { elapsedUs, type EventTiming, usBetween } from "../trace/timing.ts";

/** What the CI path decides with: the compiled files and the mode. */
export interface CiContext {
  /** `passthrough` serves a stopped action's mock anyway and records `enforced: false`. */
  readonly mode: Mode;
  /** The compiled policies. */
  readonly policies: PolicySet;
  /**
   * The declared surface. Without one (`mirage test` with no mocks file) every route counts as
   * declared, and a request that goes through is answered 200 with an empty body.
   */
  readonly mocks: MockRouter | undefined;
  /** Redacts secrets before events are recorded. */
  readonly redactor: Redactor;
}

const NO_BODY: ReadonlySet<number> = new Set([101, 204, 205, 304]);

/** What a request that goes through is answered with when no surface is declared. */
const UNDECLARED_ANSWER: MockAnswer = { status: 200, headers: {}, body: "", delayMs: 0 };

/** One request on its way through. */
interface InFlight {
  readonly ctx: CiContext;
  readonly recorder: Recorder;
  readonly runId: string;
  readonly start: number;
  readonly at: string;
}

function timing(f: InFlight, evaluateUs: number, decidedAt: number): EventTiming {
  return {
    at: f.at,
    evaluate_us: evaluateUs,
    decide_us: usBetween(f.start, decidedAt),
    total_us: elapsedUs(f.start),
  };
}

async function evaluationFailed(f: InFlight, action: HttpAction, cause: unknown) {
  const error = `evaluation failed: ${errorMessage(cause)}`;
  const event = buildEvent(
    { action, outcome: "error", enforced: true, response: { status: 503 }, error },
    f.ctx.redactor,
  );
  const now = performance.now();
  const seq = await f.recorder.record(f.runId, event, timing(f, 0, now));
  return errorAnswer(503, error, { runId: f.runId, event: seq });
}

function mockResponse(answer: MockAnswer, headers: Record<string, string>): Response {
  const status = answer.status;
  return new Response(NO_BODY.has(status) || answer.body === "" ? null : answer.body, {
    status,
    headers: { ...answer.headers, ...headers },
  });
}

async function answer(f: InFlight, e: Evaluation, evaluateUs: number, decidedAt: number) {
  const served = goesThrough(e.outcome) || f.ctx.mode === "passthrough";
  const mock = served
    ? e.route?.render() ?? (f.ctx.mocks ? undefined : UNDECLARED_ANSWER)
    : undefined;
  const event = buildEvent({
    action: e.action,
    evaluation: e,
    outcome: e.outcome,
    enforced: goesThrough(e.outcome) || mock === undefined,
    response: { status: mock?.status ?? (e.outcome === "unmatched_route" ? 404 : 403) },
  }, f.ctx.redactor);
  const seq = await f.recorder.record(f.runId, event, timing(f, evaluateUs, decidedAt));
  if (!mock) return blockedAnswer(e, event.decisions, f.runId, seq);
  if (mock.delayMs) await new Promise((r) => setTimeout(r, mock.delayMs));
  return mockResponse(mock, decisionHeaders(e, f.runId));
}

/**
 * Decides one request in CI mode, records it, and answers it as the proxy does.
 *
 * @example
 * ```ts
 * import { compileMocks, compilePolicies } from "@mirage/core";
 * import { compileRedactor } from "../trace/redact.ts";
 * import { Recorder } from "../trace/recorder.ts";
 * import { handleCiRequest } from "./ci_handler.ts";
 * const ctx = {
 *   mode: "enforce" as const,
 *   policies: compilePolicies({ policies: [] }),
 *   mocks: compileMocks({ mocks: [{ name: "ping", method: "GET", path: "/ping", response: { body: "pong" } }] }),
 *   redactor: compileRedactor([]),
 * };
 * const res = await handleCiRequest(ctx, new Recorder(), new Request("http://api.test/ping"), "r1");
 * console.log(await res.text()); // pong
 * ```
 */
export async function handleCiRequest(
  ctx: CiContext,
  recorder: Recorder,
  request: Request,
  runId: string,
): Promise<Response> {
  const f: InFlight = {
    ctx,
    recorder,
    runId,
    start: performance.now(),
    at: new Date().toISOString(),
  };
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const action = httpAction({
    method: request.method,
    url: request.url,
    headers: request.headers,
    runId,
    ...(body ? { body } : {}),
  });
  const evalStart = performance.now();
  let e: Evaluation;
  try {
    e = await evaluateAction(ctx.policies, ctx.mocks, action);
  } catch (cause) {
    return evaluationFailed(f, action, cause);
  }
  const decidedAt = performance.now();
  return answer(f, e, usBetween(evalStart, decidedAt), decidedAt);
}
