/**
 * Running one test file: its policies (and mocks) loaded once, each case on a fresh state store
 * and its own clock, each step decided through the path `session()` takes — HTTP steps through
 * the CI request path, tool steps through the tool-call path — and compared with what it expects.
 *
 * @module
 */

import { DEFAULT_MAX_BODY } from "../http/body_limit.ts";
import { dirname, isAbsolute, join } from "node:path";
import { ConfigError, type ConfigIssue, MirageError } from "../errors.ts";
import { loadMocks, loadPolicies } from "../config/load.ts";
import { requireFile } from "../config/require_file.ts";
import type { Loaded, PolicyDocument, SourcePosition } from "../config/types.ts";
import { type CiContext, handleCiRequest } from "../ci/ci_handler.ts";
import type { Decision } from "../engine/compile_policies.ts";
import { compilePolicies } from "../engine/compile_policies.ts";
import { compileMocks, type MockRouter } from "../engine/compile_mocks.ts";
import type { Outcome } from "../engine/outcome.ts";
import { MemoryStateStore } from "../state/memory_store.ts";
import { CallMemory } from "../tools/call_memory.ts";
import { decideToolAction, toolCallAction, type ToolContext } from "../tools/decide_tool.ts";
import type { ToolVerdict } from "../tools/tool_gate.ts";
import type { TraceEvent, TraceResponse } from "../trace/event.ts";
import { Recorder } from "../trace/recorder.ts";
import { compileRedactor, type Redactor } from "../trace/redact.ts";
import { RunIdRule } from "../trace/run_id.ts";
import { describeEvent } from "../trace/describe_event.ts";
import {
  type Expectation,
  expectationOf,
  loadPolicyTest,
  type PolicyTestDocument,
  type TestCase,
  type TestRequest,
  type TestStep,
} from "./test_file.ts";

/**
 * What a step came to.
 *
 * @example
 * ```ts
 * import type { StepOutcome } from "./run_test_file.ts";
 * const o: StepOutcome = { outcome: "policy_violation", policy: "enforce_bid_limit", status: 403 };
 * ```
 */
export interface StepOutcome {
  /** The outcome. */
  readonly outcome: Outcome;
  /** The deciding rule, if any. */
  readonly policy?: string;
  /** The HTTP status answered (request steps). */
  readonly status?: number;
}

/**
 * One step that ran.
 *
 * @example
 * ```ts
 * import type { StepResult } from "./run_test_file.ts";
 * const s: StepResult = {
 *   index: 1, kind: "tool", action: "tool issue_refund", ok: true, decisions: [],
 *   expected: { outcome: "allowed" }, actual: { outcome: "allowed" }, description: "#1 tool issue_refund → allowed",
 * };
 * ```
 */
export interface StepResult {
  /** 1-based position in the case. */
  readonly index: number;
  /** Where the step is written. */
  readonly at?: SourcePosition;
  /** `request` or `tool`. */
  readonly kind: "request" | "tool";
  /** `POST https://api.acme.internal/v1/submit_bid` or `tool issue_refund`. */
  readonly action: string;
  /** What the step expects. */
  readonly expected: Expectation;
  /** What it came to. */
  readonly actual: StepOutcome;
  /** Whether the two agree. */
  readonly ok: boolean;
  /** One decision per rule that applied, redacted as in traces. */
  readonly decisions: readonly Decision[];
  /** The event as a trace would show it (`describeEvent`). */
  readonly description: string;
  /**
   * What answered it, as a trace records it: `{status}` for a request; for a tool call
   * `{mock}`, `{ran: true}` (no mock: the real tool would run) or `{}` (stopped). Absent for a
   * call id decided before.
   */
  readonly response?: TraceResponse;
}

/**
 * One case that ran: its steps up to the first that failed.
 *
 * @example
 * ```ts
 * import type { CaseResult } from "./run_test_file.ts";
 * const c: CaseResult = { name: "refunds are capped", ok: true, duration_ms: 1, steps: [], not_run: 0 };
 * ```
 */
export interface CaseResult {
  /** The case's name. */
  readonly name: string;
  /** Where the case is written. */
  readonly at?: SourcePosition;
  /** Whether every step met its expectation. */
  readonly ok: boolean;
  /** Wall-clock time the case took. */
  readonly duration_ms: number;
  /** The steps that ran, in order; a failing step ends the case. */
  readonly steps: readonly StepResult[];
  /** Steps after a failing one, which did not run. */
  readonly not_run: number;
}

/**
 * A rule of the policies file a test file ran against.
 *
 * @example
 * ```ts
 * import type { RuleRef } from "./run_test_file.ts";
 * const r: RuleRef = { name: "enforce_bid_limit", action: "block" };
 * ```
 */
export interface RuleRef {
  /** The rule's name. */
  readonly name: string;
  /** What it does when it fails. */
  readonly action: "block" | "flag";
}

/**
 * One test file, run (or the reasons it could not be).
 *
 * @example
 * ```ts
 * import type { FileResult } from "./run_test_file.ts";
 * const f: FileResult = { file: "a.test.yaml", rules: [], cases: [], errors: [] };
 * ```
 */
export interface FileResult {
  /** The test file, as given. */
  readonly file: string;
  /** The policies file it names, resolved against the test file's folder. */
  readonly policies?: string;
  /** The mocks file it names, if any. */
  readonly mocks?: string;
  /** The rules of the policies file, in file order. */
  readonly rules: readonly RuleRef[];
  /** The cases, in order. */
  readonly cases: readonly CaseResult[];
  /** Why the file (or a file it names) could not be loaded; then no case ran. */
  readonly errors: readonly ConfigIssue[];
}

/** The compiled files every case of a test file shares. */
interface Suite {
  readonly test: Loaded<PolicyTestDocument>;
  readonly policies: Loaded<PolicyDocument>;
  readonly mocks: MockRouter | undefined;
  readonly redactor: Redactor;
}

/** Where each case's clock starts: a fixed instant, so that rate windows are deterministic. */
const CASE_EPOCH = Date.UTC(2026, 0, 1);
const DEFAULT_RUN_ID = "test";

/** A file a test file names, relative to the test file's folder. */
function besides(testFile: string, named: string): string {
  return isAbsolute(named) ? named : join(dirname(testFile), named);
}

function issuesOf(e: unknown, where: SourcePosition): ConfigIssue[] {
  if (e instanceof ConfigError) return [...e.issues];
  if (e instanceof MirageError) return [{ ...where, message: e.message }];
  throw e;
}

async function loadNamed<T>(
  test: Loaded<PolicyTestDocument>,
  key: "policies" | "mocks",
  load: (path: string) => Promise<Loaded<T>>,
): Promise<Loaded<T>> {
  const named = test.document[key] as string;
  const path = besides(test.file, named);
  const where = test.positionOf([key]) ?? { file: test.file, line: 1, col: 1 };
  try {
    return await load(await requireFile(path, key));
  } catch (e) {
    throw new ConfigError(issuesOf(e, where));
  }
}

async function loadSuite(file: string): Promise<Suite> {
  const test = await loadPolicyTest(file);
  const policies = await loadNamed(test, "policies", loadPolicies);
  const mocks = test.document.mocks === undefined
    ? undefined
    : compileMocks(await loadNamed(test, "mocks", loadMocks));
  return { test, policies, mocks, redactor: compileRedactor(policies.document.redact ?? []) };
}

/** The fetch `Request` of a request step. */
function requestOf(r: TestRequest): Request {
  const headers = new Headers(r.headers);
  let body: string | undefined = r.body;
  if (r.json !== undefined) {
    body = JSON.stringify(r.json);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return new Request(r.url, { method: r.method ?? "GET", headers, body: body ?? null });
}

function matches(expected: Expectation, actual: StepOutcome): boolean {
  return expected.outcome === actual.outcome &&
    (expected.policy === undefined || expected.policy === actual.policy) &&
    (expected.status === undefined || expected.status === actual.status);
}

/** The decision paths a case's steps go through, on the case's own store and clock. */
class CaseRun {
  readonly #runIds: RunIdRule;
  readonly #ci: CiContext;
  readonly #tools: ToolContext;
  readonly #events: TraceEvent[] = [];
  #now = CASE_EPOCH;

  constructor(suite: Suite, runId: string) {
    const clock = () => this.#now;
    const policies = compilePolicies(suite.policies, {
      store: new MemoryStateStore({ clock }),
      clock,
    });
    const recorder = new Recorder({
      strict: true,
      observers: [({ event }) => this.#events.push(event)],
    });
    this.#runIds = new RunIdRule({ option: runId, env: undefined });
    this.#ci = {
      mode: "enforce",
      policies,
      mocks: suite.mocks,
      redactor: suite.redactor,
      maxBody: DEFAULT_MAX_BODY,
    };
    this.#tools = {
      mode: "enforce",
      recorder,
      calls: new CallMemory(),
      serveMocks: true,
      config: () => ({ policies, surface: suite.mocks, redactor: suite.redactor }),
    };
  }

  /** Runs one step and returns what it came to, with the event it recorded, if any. */
  async step(step: TestStep): Promise<{ actual: StepOutcome; event?: TraceEvent }> {
    this.#now += (step.after_seconds ?? 0) * 1000;
    const before = this.#events.length;
    if (step.request) {
      const request = requestOf(step.request);
      const runId = this.#runIds.resolve({ header: request.headers });
      const res = await handleCiRequest(this.#ci, this.#tools.recorder, request, runId);
      await res.body?.cancel();
      const event = this.#events[before] as TraceEvent;
      return { actual: this.#outcomeOf(event, res.status), event };
    }
    const tool = step.tool as NonNullable<TestStep["tool"]>;
    const verdict = await decideToolAction(
      this.#tools,
      toolCallAction(this.#runIds, {
        tool: tool.name,
        args: tool.args,
        callId: tool.call_id,
        headers: tool.headers,
      }),
    );
    const event = this.#events[before];
    return event ? { actual: this.#outcomeOf(event), event } : { actual: verdictOutcome(verdict) };
  }

  #outcomeOf(event: TraceEvent, status?: number): StepOutcome {
    return {
      outcome: event.outcome,
      ...(event.policy === undefined ? {} : { policy: event.policy }),
      ...(status === undefined ? {} : { status }),
    };
  }

  close(): Promise<void> {
    return this.#ci.policies.store.close();
  }
}

function verdictOutcome(v: ToolVerdict): StepOutcome {
  return { outcome: v.outcome, ...(v.policy === undefined ? {} : { policy: v.policy }) };
}

function actionOf(step: TestStep): string {
  if (step.request) return `${(step.request.method ?? "GET").toUpperCase()} ${step.request.url}`;
  return `tool ${step.tool?.name}`;
}

/** A step that was not recorded (a call id decided before): the verdict it got again. */
function repeatedDescription(step: TestStep, actual: StepOutcome): string {
  return `${actionOf(step)} → ${actual.outcome} (call id ${step.tool?.call_id} decided before: ` +
    `the first verdict, not recorded again)`;
}

async function runCase(suite: Suite, c: TestCase, index: number): Promise<CaseResult> {
  const start = performance.now();
  const run = new CaseRun(suite, c.run_id ?? DEFAULT_RUN_ID);
  const steps: StepResult[] = [];
  try {
    for (const [j, step] of c.steps.entries()) {
      const { actual, event } = await run.step(step);
      const expected = expectationOf(step);
      const at = suite.test.positionOf(["cases", index, "steps", j]);
      const ok = matches(expected, actual);
      steps.push({
        index: j + 1,
        ...(at ? { at } : {}),
        kind: step.request ? "request" : "tool",
        action: actionOf(step),
        expected,
        actual,
        ok,
        decisions: event?.decisions ?? [],
        description: event ? describeEvent(event) : repeatedDescription(step, actual),
        ...(event ? { response: event.response } : {}),
      });
      if (!ok) break;
    }
  } finally {
    await run.close();
  }
  const at = suite.test.positionOf(["cases", index]);
  return {
    name: c.name,
    ...(at ? { at } : {}),
    ok: steps.every((s) => s.ok),
    duration_ms: performance.now() - start,
    steps,
    not_run: c.steps.length - steps.length,
  };
}

/**
 * Runs every case of a test file. A file that cannot be loaded (its own mistakes, or those of
 * the policies or mocks file it names) comes back with `errors` and no cases.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runTestFile } from "./run_test_file.ts";
 * const result = await runTestFile("scenarios/payments/payments.test.yaml");
 * assert.equal(result.policies, "scenarios/payments/policies.yaml"); // beside the test file
 * assert.deepEqual(result.errors, []);
 * assert.deepEqual(result.cases.filter((c) => !c.ok), []); // every case passes
 * ```
 */
export async function runTestFile(file: string): Promise<FileResult> {
  let suite: Suite;
  try {
    suite = await loadSuite(file);
  } catch (e) {
    return { file, rules: [], cases: [], errors: issuesOf(e, { file, line: 1, col: 1 }) };
  }
  const doc = suite.test.document;
  const cases: CaseResult[] = [];
  for (const [i, c] of doc.cases.entries()) cases.push(await runCase(suite, c, i));
  return {
    file,
    policies: suite.policies.file,
    ...(doc.mocks === undefined ? {} : { mocks: besides(file, doc.mocks) }),
    rules: suite.policies.document.policies.map((r) => ({
      name: r.name,
      action: r.action ?? "block",
    })),
    cases,
    errors: [],
  };
}
