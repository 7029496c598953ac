/**
 * `guard()`: the tool gate for production agents that run Mirage in their own process. The
 * same compiled evaluator as the gateway, in-process: no socket, no mocks, state in the given
 * store, traces only when asked.
 *
 * @module
 */

import { type AuditLog, type AuditOptions, openAuditLog } from "../audit/audit_log.ts";
import { loadPolicies } from "../config/load.ts";
import type { PolicyDocument } from "../config/types.ts";
import { compilePolicies } from "../engine/compile_policies.ts";
import type { Mode } from "../engine/outcome.ts";
import { MirageError } from "../errors.ts";
import type { StateStore } from "../state/state_store.ts";
import { compileRedactor } from "../trace/redact.ts";
import { Recorder } from "../trace/recorder.ts";
import { RunIdRule } from "../trace/run_id.ts";
import { TraceStore } from "../trace/trace_store.ts";
import { CallMemory } from "./call_memory.ts";
import { decideToolAction, toolCallAction, type ToolContext } from "./decide_tool.ts";
import type { ToolCall, ToolGate, ToolVerdict } from "./tool_gate.ts";

/**
 * Options of {@link guard}; only the policies are required.
 *
 * @example
 * ```ts
 * import type { GuardOptions } from "@mirage/core";
 * const o: GuardOptions = { policies: "scenarios/support_refunds/policies.yaml", mode: "passthrough", runId: "support" };
 * ```
 */
export interface GuardOptions {
  /** A file path, YAML text, or a document. */
  policies: string | URL | PolicyDocument;
  /** `enforce` (default) blocks violations; `passthrough` allows them and records `enforced: false`. */
  mode?: Mode;
  /** State store for the state operators (a shared one holds limits across processes); default in memory. */
  store?: StateStore;
  /** Trace directory; default `false`: nothing is written. */
  traces?: string | false;
  /** The run id of calls without their own; default `MIRAGE_RUN_ID`, else `"default"`. */
  runId?: string;
  /** Clock for rate windows, in milliseconds; default `Date.now`. */
  clock?: () => number;
  /** Append a hash-chained audit entry per decision to a directory (docs/audit.md); default none. */
  audit?: AuditOptions;
}

/**
 * A running in-process gate; dispose it to close its store and trace store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guard } from "@mirage/core";
 * await using gate = await guard({ policies: { policies: [] }, runId: "agent-7" });
 * assert.equal(gate.runId, "agent-7");
 * assert.equal(gate.mode, "enforce");
 * ```
 */
export interface Guard extends ToolGate, AsyncDisposable {
  /** The run id of calls without their own. */
  readonly runId: string;
  /** `enforce` or `passthrough`. */
  readonly mode: Mode;
  /** Decides a tool call; a gate that is closed rejects. */
  decideTool(call: ToolCall): Promise<ToolVerdict>;
  /** Writes the traces (if any) and closes the store. */
  close(): Promise<void>;
}

class InProcessGuard implements Guard {
  readonly runId: string;
  readonly mode: Mode;
  readonly #runIds: RunIdRule;
  readonly #ctx: ToolContext;
  readonly #traces: TraceStore | undefined;
  readonly #audit: AuditLog | undefined;
  #closed = false;

  constructor(
    runIds: RunIdRule,
    ctx: ToolContext,
    traces: TraceStore | undefined,
    audit: AuditLog | undefined,
  ) {
    // Handed out as values (`execute: gate.decideTool`), so each keeps its gate.
    this.decideTool = this.decideTool.bind(this);
    this.close = this.close.bind(this);
    this.#runIds = runIds;
    this.runId = runIds.fallback;
    this.mode = ctx.mode;
    this.#ctx = ctx;
    this.#traces = traces;
    this.#audit = audit;
  }

  async decideTool(call: ToolCall): Promise<ToolVerdict> {
    if (this.#closed) throw new MirageError("gate_closed", `guard '${this.runId}' is closed`);
    return await decideToolAction(this.#ctx, toolCallAction(this.#runIds, call));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#traces?.close();
    await this.#audit?.close();
    await this.#ctx.config().policies.store.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Loads and compiles the policies and returns an in-process {@link ToolGate}. Throws
 * `ConfigError` (every issue as `file:line:col: message`) when the file is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guard } from "@mirage/core";
 * await using gate = await guard({
 *   policies: { policies: [{ name: "refund_limit", tool: "issue_refund", field: "amount", operator: "max", value: 500, message: "Refunds above 500 need a supervisor." }] },
 * });
 * const v = await gate.decideTool({ tool: "issue_refund", args: { amount: 900 } });
 * assert.equal(v.allowed, false);
 * assert.equal(v.message, "Refunds above 500 need a supervisor.");
 * ```
 */
export async function guard(options: GuardOptions): Promise<Guard> {
  const policies = compilePolicies(await loadPolicies(options.policies), {
    ...(options.store ? { store: options.store } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const mode = options.mode ?? "enforce";
  const traces = options.traces === undefined || options.traces === false
    ? undefined
    : new TraceStore({ dir: options.traces, mode, reset: false });
  const redactor = compileRedactor(policies.redact);
  const writer = { surface: "guard", mode, policiesDigest: policies.digest };
  const audit = await openAuditLog(options.audit, writer, async () => {
    await traces?.close();
    await policies.store.close();
  });
  const ctx: ToolContext = {
    mode,
    recorder: new Recorder({ traces, audit }),
    calls: new CallMemory(),
    config: () => ({ policies, redactor }),
  };
  return new InProcessGuard(new RunIdRule({ option: options.runId }), ctx, traces, audit);
}
