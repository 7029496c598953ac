/**
 * `remoteGate()`: the tool gate of an agent whose Mirage runs elsewhere — a `mirage gateway`
 * in production or a `mirage proxy` in CI — asked over HTTP at `<baseUrl>/_mirage/v1/decide`.
 * The server decides, records and remembers call ids; this side only asks, and fails closed:
 * no answer in time, a refusal, or an answer it does not understand is an `error` verdict,
 * blocked in `enforce`.
 *
 * @module
 */

import type { Decision } from "../engine/compile_policies.ts";
import type { ToolResult } from "../engine/compile_tool_mocks.ts";
import { type DecidedOutcome, goesThrough, type Mode } from "../engine/outcome.ts";
import { errorMessage, MirageError } from "../errors.ts";
import { RUN_ID_HEADER, RunIdRule } from "../trace/run_id.ts";
import type { ToolCall, ToolGate, ToolMockAnswer, ToolVerdict } from "./tool_gate.ts";
import { failedVerdict } from "./verdict.ts";
import { isRecord } from "../is_record.ts";

/**
 * Options of {@link remoteGate}.
 *
 * @example
 * ```ts
 * import type { RemoteGateOptions } from "@mirage/core";
 * const o: RemoteGateOptions = { token: "decide-secret", timeoutMs: 1500, mode: "enforce" };
 * ```
 */
export interface RemoteGateOptions {
  /** Sent as `authorization: Bearer <token>` (a server's `--admin-token`). */
  readonly token?: string | undefined;
  /** How long to wait for the whole answer, in milliseconds; default 2000. Past it: `error`. */
  readonly timeoutMs?: number;
  /**
   * What a call the gate could not get a decision for comes to: `enforce` (default) blocks it,
   * `passthrough` allows it. Policy outcomes follow the server's own mode (its `enforced`).
   */
  readonly mode?: Mode;
}

/**
 * A gate that asks a running server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { remoteGate } from "@mirage/core";
 * const gate = remoteGate("http://127.0.0.1:8080");
 * assert.equal(gate.url, "http://127.0.0.1:8080/_mirage/v1/decide");
 * ```
 */
export interface RemoteGate extends ToolGate {
  /** The decide route asked. */
  readonly url: string;
  /** What a failure to get a decision comes to. */
  readonly mode: Mode;
  /** The answer deadline, in milliseconds. */
  readonly timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 2000;

const DECIDED: ReadonlySet<string> = new Set<DecidedOutcome>([
  "allowed",
  "flagged",
  "policy_violation",
  "unmatched_route",
]);

type Json = Record<string, unknown>;

/** What came back from the server: its whole answer, or why there is none. */
type Exchange =
  | { readonly answered: true; readonly status: number; readonly text: string }
  | { readonly answered: false; readonly why: string };

/** Why an answer is not understood, thrown while reading it. */
function unreadable(what: string): MirageError {
  return new MirageError("unreadable_answer", what);
}

function decideUrl(baseUrl: string | URL): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new MirageError("invalid_url", `remoteGate needs an http(s) URL, got '${baseUrl}'`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new MirageError("invalid_url", `remoteGate needs an http(s) URL, got ${base.protocol}`);
  }
  if (base.search || base.hash) {
    throw new MirageError("invalid_url", "remoteGate's URL cannot carry a query or fragment");
  }
  const path = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  return new URL(`${path}_mirage/v1/decide`, base);
}

function resultOf(v: unknown): ToolResult {
  if (!isRecord(v)) throw unreadable("a mock without a result");
  if (v.kind === "json" && "json" in v) return { kind: "json", json: v.json };
  if (v.kind === "text" && typeof v.text === "string") return { kind: "text", text: v.text };
  if (v.kind === "error" && typeof v.error === "string") return { kind: "error", error: v.error };
  throw unreadable(`a mock result of kind ${JSON.stringify(v.kind)}`);
}

function mockOf(v: unknown): ToolMockAnswer | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || typeof v.name !== "string") throw unreadable("a mock without a name");
  return { name: v.name, result: resultOf(v.result) };
}

function messageOf(answer: Json, decisions: readonly Decision[], outcome: string): string {
  if (typeof answer.message === "string") return answer.message;
  // A server from before `message` was answered: the deciding rule's message.
  const failing = decisions.find((d) => d.policy === answer.policy && !d.passed);
  return failing?.message ?? (goesThrough(outcome as DecidedOutcome) ? "allowed" : outcome);
}

/** A 2xx answer as a verdict; anything unexpected in it throws `unreadable_answer`. */
function verdictOf(value: unknown): ToolVerdict {
  if (!isRecord(value)) throw unreadable("not a JSON object");
  const { outcome, enforced, event, decisions, run_id: runId, policy } = value;
  if (typeof outcome !== "string" || !DECIDED.has(outcome)) {
    throw unreadable(`outcome ${JSON.stringify(outcome)}`);
  }
  if (typeof enforced !== "boolean") throw unreadable("no 'enforced'");
  if (typeof event !== "number" || !Number.isInteger(event)) throw unreadable("no 'event'");
  if (typeof runId !== "string") throw unreadable("no 'run_id'");
  if (!Array.isArray(decisions) || !decisions.every(isRecord)) {
    throw unreadable("no 'decisions'");
  }
  if (policy !== undefined && typeof policy !== "string") throw unreadable("a bad 'policy'");
  const decided = outcome as DecidedOutcome;
  const mock = mockOf(value.mock);
  const list = decisions as unknown as Decision[];
  return {
    outcome: decided,
    // A stopped call may run only when the server says it let it through (its passthrough).
    allowed: goesThrough(decided) || !enforced,
    enforced,
    message: messageOf(value, list, decided),
    decisions: list,
    event,
    runId,
    ...(policy === undefined ? {} : { policy }),
    ...(mock ? { mock } : {}),
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

class HttpToolGate implements RemoteGate {
  readonly url: string;
  readonly mode: Mode;
  readonly timeoutMs: number;
  readonly #token: string | undefined;
  /** Names the run of a verdict the server never recorded. */
  readonly #runIds = new RunIdRule();

  constructor(url: URL, options: RemoteGateOptions) {
    // Handed out as a value, it keeps its gate.
    this.decideTool = this.decideTool.bind(this);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new MirageError(
        "invalid_option",
        `timeoutMs must be a positive number, got ${timeoutMs}`,
      );
    }
    this.url = url.href;
    this.mode = options.mode ?? "enforce";
    this.timeoutMs = timeoutMs;
    this.#token = options.token;
  }

  async decideTool(call: ToolCall): Promise<ToolVerdict> {
    const headers = new Headers(call.headers);
    const runHeader = headers.get(RUN_ID_HEADER);
    const runId = this.#runIds.resolve({ header: runHeader, call: call.runId });
    const body = this.#body(call, headers);
    if (body instanceof Error) {
      return this.#failed(`cannot send the call to the Mirage gate: ${body.message}`, runId);
    }
    const exchange = await this.#post(body, runHeader);
    if (!exchange.answered) {
      return this.#failed(`cannot reach the Mirage gate at ${this.url}: ${exchange.why}`, runId);
    }
    const { status, text } = exchange;
    const value = parse(text);
    if (status < 200 || status > 299) return this.#refused(status, value, text, runId);
    try {
      return verdictOf(value);
    } catch (e) {
      const why = errorMessage(e);
      return this.#failed(
        `the Mirage gate at ${this.url} answered what this gate cannot read (${why})`,
        runId,
      );
    }
  }

  /** The posted call, or why it cannot be sent (arguments that are not JSON). */
  #body(call: ToolCall, headers: Headers): string | Error {
    const body: Json = { tool: call.tool };
    if (call.args !== undefined) body.args = call.args;
    if (call.callId !== undefined) body.call_id = call.callId;
    if (call.runId) body.run_id = call.runId;
    const sent: Record<string, string> = {};
    headers.forEach((value, name) => (sent[name] = value));
    if (Object.keys(sent).length > 0) body.headers = sent;
    try {
      return JSON.stringify(body);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Posts the call and reads the whole answer, within the deadline. */
  async #post(body: string, runHeader: string | null): Promise<Exchange> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (runHeader) headers[RUN_ID_HEADER] = runHeader;
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers,
        body,
        signal: controller.signal,
      });
      return { answered: true, status: res.status, text: await res.text() };
    } catch (e) {
      const why = controller.signal.aborted
        ? `no answer within ${this.timeoutMs} ms`
        : errorMessage(e);
      return { answered: false, why };
    } finally {
      clearTimeout(timer);
    }
  }

  #refused(status: number, value: unknown, text: string, runId: string): ToolVerdict {
    const body = isRecord(value) ? value : {};
    const said = typeof body.message === "string" ? body.message : text.slice(0, 200);
    const verdict = this.#failed(
      `the Mirage gate at ${this.url} answered ${status}: ${said}`,
      typeof body.run_id === "string" ? body.run_id : runId,
    );
    return typeof body.event === "number" ? { ...verdict, event: body.event } : verdict;
  }

  #failed(message: string, runId: string): ToolVerdict {
    return failedVerdict(this.mode, message, runId, 0);
  }
}

/**
 * A {@link ToolGate} that asks a running `mirage gateway` or `mirage proxy` at
 * `<baseUrl>/_mirage/v1/decide`. Returned at once (nothing is contacted until a call); throws
 * `MirageError` for a URL that is not http(s) or a timeout that is not positive.
 *
 * @example
 * ```ts ignore
 * import { remoteGate } from "@mirage/core";
 * const gate = remoteGate("http://127.0.0.1:8080", { token: Deno.env.get("MIRAGE_ADMIN_TOKEN") });
 * const v = await gate.decideTool({ tool: "issue_refund", args: { amount: 900 }, callId: "call_1" });
 * if (!v.allowed) console.log(v.message);
 * ```
 */
export function remoteGate(baseUrl: string | URL, options: RemoteGateOptions = {}): RemoteGate {
  return new HttpToolGate(decideUrl(baseUrl), options);
}
