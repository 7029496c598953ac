/**
 * `@mirage/core`: the deterministic policy runtime for AI agents.
 *
 * Load a policy file and a mocks file, compile them once, and decide every outbound action
 * (an HTTP request or a tool call) with no model in the loop. In tests, `session()` gives a
 * drop-in `fetch` that serves the declared mocks, stops violations and writes a deterministic
 * trace; `assertClean()` is the gate. Tool calls go through a {@link ToolGate}: the session
 * itself in CI, `guard()` in-process in production, `remoteGate()` against a running
 * `mirage gateway` or `mirage proxy`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { session } from "@mirage/core";
 *
 * await using mirage = await session({
 *   runId: "procurement",
 *   policies: "policies/procurement.yaml",
 *   mocks: "mocks/procurement.yaml",
 * });
 * const res = await mirage.fetch("http://api.acme.internal/v1/get_quote", { method: "POST", body: "{}" });
 * assert.deepEqual(await res.json(), { quote_id: "Q-001", price: 24500 });
 * mirage.assertClean();
 * ```
 *
 * @module
 */

export type {
  Condition,
  ConditionDefaults,
  ConditionOperator,
  FieldCondition,
  Loaded,
  MatchValue,
  MockMatch,
  MockResponse,
  MockRoute,
  MocksDocument,
  NormalizeStep,
  OperatorName,
  PolicyDocument,
  PolicyRule,
  SourcePosition,
  ToolMock,
  ToolMockMatch,
  ToolMockResult,
} from "./config/types.ts";
export {
  loadMocks,
  loadPolicies,
  parseMocks,
  parsePolicies,
  validateMocks,
  validatePolicies,
} from "./config/load.ts";
export { lintConfig, lintPolicies } from "./config/lint.ts";
export type {
  ChaosFault,
  FaultDelay,
  FaultKind,
  RouteFault,
  RouteFaultKind,
  ToolFault,
  ToolFaultKind,
} from "./config/fault_types.ts";
export {
  ChaosNetworkError,
  ConfigError,
  type ConfigIssue,
  MirageError,
  MirageViolationError,
} from "./errors.ts";

export {
  type Action,
  type HttpAction,
  httpAction,
  type HttpActionInit,
  type ToolAction,
  toolAction,
  type ToolActionInit,
} from "./engine/action.ts";
export { type PayloadReading, readPayload } from "./engine/payload.ts";
export {
  type CompileOptions,
  compilePolicies,
  type DecideOptions,
  type Decision,
  type PolicySet,
  type Verdict,
} from "./engine/compile_policies.ts";
export {
  compileAnswer,
  compileMocks,
  type MockAnswer,
  type MockRouter,
  type RouteMatch,
} from "./engine/compile_mocks.ts";
export {
  compileToolMocks,
  type MatchedToolMock,
  type ToolMockRouter,
  type ToolResult,
} from "./engine/compile_tool_mocks.ts";
export { evaluateAction, type Evaluation } from "./engine/evaluate_action.ts";
export {
  type ChaosProfiles,
  type ChaosRun,
  compileChaos,
  type RouteFaultHit,
  type ToolFaultHit,
} from "./engine/compile_chaos.ts";
export { type ChaosOption, type ChaosSwitch, chaosSwitch } from "./engine/chaos_switch.ts";
export {
  DEFAULT_IDLE_TTL_MS,
  type StateCheck,
  type StateMark,
  type StateResult,
  type StateStore,
  type StateTransaction,
  type StoreStatus,
  storeStatus,
} from "./state/state_store.ts";
export { MemoryStateStore, type MemoryStoreOptions } from "./state/memory_store.ts";
export { RedisStateStore, redisStore, type RedisStoreOptions } from "./state/redis_store.ts";

export {
  compareOutcomes,
  type DecidedOutcome,
  isFailing,
  type Mode,
  type Outcome,
  type OutcomeCounts,
  OUTCOMES,
  type PolicyOutcome,
} from "./engine/outcome.ts";

export type { PendingEvent, TraceEvent, TraceRequest, TraceResponse } from "./trace/event.ts";
export { type RunSummary, summariseRun } from "./trace/run_summary.ts";
export { buildTrace, type Trace } from "./trace/trace.ts";
export type { TraceHead } from "./trace/trace_files.ts";
export type { EventTiming } from "./trace/timing.ts";
export {
  type EventPage,
  type EventQuery,
  type FollowAllOptions,
  type FollowedEvent,
  type FollowOptions,
  listRuns,
  materialiseTrace,
  readTrace,
  type RunEntry,
  type RunFilter,
  type RunInfo,
  type RunPage,
  type RunQuery,
  TraceReader,
} from "./trace/trace_reader.ts";
export { type RuleCounts, RunStats, type StatsState } from "./trace/run_stats.ts";
export { type HistogramState, LatencyHistogram } from "./trace/latency_histogram.ts";
export type { TimelineState } from "./trace/outcome_timeline.ts";
export type { CountsState } from "./trace/top_counts.ts";
export { TraceStore, type TraceStoreOptions } from "./trace/trace_store.ts";

export { type MirageSession, session, type SessionOptions } from "./session/session.ts";

export type { ToolCall, ToolGate, ToolMockAnswer, ToolVerdict } from "./tools/tool_gate.ts";
export { type Guard, guard, type GuardOptions } from "./tools/guard.ts";
export { type RemoteGate, remoteGate, type RemoteGateOptions } from "./tools/remote_gate.ts";
