/**
 * Policy test files (`*.test.yaml`, docs/policy-workflow.md): the typed document, and loading
 * it with the same YAML-with-positions loader and error rules as the policy and mock files.
 *
 * @module
 */

import type { Loaded } from "../config/types.ts";
import { loadDocumentFile, parseDocumentText } from "../config/load.ts";
import type { Outcome } from "../engine/outcome.ts";
import { POLICY_TEST } from "./test_schema.ts";

/**
 * An HTTP request a step sends.
 *
 * @example
 * ```ts
 * import type { TestRequest } from "./test_file.ts";
 * const r: TestRequest = { method: "POST", url: "https://api.acme.internal/v1/submit_bid", json: { amount: 50000 } };
 * ```
 */
export interface TestRequest {
  /** HTTP method; default `GET`. */
  readonly method?: string;
  /** Absolute `http` or `https` URL. */
  readonly url: string;
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body (sent with `content-type: application/json` unless a header says otherwise). */
  readonly json?: unknown;
  /** A text body. */
  readonly body?: string;
}

/**
 * A tool call a step makes.
 *
 * @example
 * ```ts
 * import type { TestToolCall } from "./test_file.ts";
 * const t: TestToolCall = { name: "issue_refund", args: { amount: 20 }, call_id: "c1" };
 * ```
 */
export interface TestToolCall {
  /** The tool's name. */
  readonly name: string;
  /** The tool's arguments. */
  readonly args?: unknown;
  /** The framework's call id: the same id with the same arguments is decided once. */
  readonly call_id?: string;
  /** Transport headers, where the agent's transport has them. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * What a step expects.
 *
 * @example
 * ```ts
 * import type { Expectation } from "./test_file.ts";
 * const e: Expectation = { outcome: "policy_violation", policy: "enforce_bid_limit", status: 403 };
 * ```
 */
export interface Expectation {
  /** The outcome. */
  readonly outcome: Outcome;
  /** The deciding rule. */
  readonly policy?: string;
  /** The HTTP status answered (request steps only). */
  readonly status?: number;
}

/**
 * One step: a request or a tool call, and what it must come to.
 *
 * @example
 * ```ts
 * import type { TestStep } from "./test_file.ts";
 * const s: TestStep = { tool: { name: "issue_refund", args: { amount: 20 } }, expect: "allowed" };
 * ```
 */
export interface TestStep {
  /** An HTTP request (exactly one of `request` and `tool`). */
  readonly request?: TestRequest;
  /** A tool call. */
  readonly tool?: TestToolCall;
  /** The outcome alone, or the outcome with the deciding rule and the status. */
  readonly expect: Outcome | Expectation;
  /** Seconds on the case's clock since the step before (rate windows); default 0. */
  readonly after_seconds?: number;
}

/**
 * One case: a sequence of steps on a fresh state store.
 *
 * @example
 * ```ts
 * import type { TestCase } from "./test_file.ts";
 * const c: TestCase = { name: "refunds are capped", steps: [{ tool: { name: "issue_refund", args: { amount: 20 } }, expect: "allowed" }] };
 * ```
 */
export interface TestCase {
  /** Unique in the file. */
  readonly name: string;
  /** The run id of the case's actions; default `test`. */
  readonly run_id?: string;
  /** The steps, in order. */
  readonly steps: readonly TestStep[];
}

/**
 * A whole test file.
 *
 * @example
 * ```ts
 * import type { PolicyTestDocument } from "./test_file.ts";
 * const doc: PolicyTestDocument = { policies: "policies.yaml", cases: [] };
 * ```
 */
export interface PolicyTestDocument {
  /** The policies file, relative to the test file. */
  readonly policies: string;
  /** The mocks file, relative to the test file; without one every route counts as declared. */
  readonly mocks?: string;
  /** The cases, in order. */
  readonly cases: readonly TestCase[];
}

/**
 * The expectation of a step, with the outcome-only form spelt out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expectationOf } from "./test_file.ts";
 * assert.deepEqual(expectationOf({ tool: { name: "t" }, expect: "allowed" }), { outcome: "allowed" });
 * ```
 */
export function expectationOf(step: TestStep): Expectation {
  return typeof step.expect === "string" ? { outcome: step.expect } : step.expect;
}

/**
 * Parses and validates the text of a test file; throws a `ConfigError` listing every mistake as
 * `file:line:col: message`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePolicyTest } from "./test_file.ts";
 * const loaded = parsePolicyTest(
 *   "policies: policies.yaml\ncases:\n  - name: ok\n    steps:\n      - tool: { name: t }\n        expect: allowed\n",
 *   "a.test.yaml",
 * );
 * assert.deepEqual(loaded.positionOf(["cases", 0, "steps", 0]), { file: "a.test.yaml", line: 5, col: 9 });
 * ```
 */
export function parsePolicyTest(text: string, file: string): Loaded<PolicyTestDocument> {
  return parseDocumentText<PolicyTestDocument>(POLICY_TEST, text, file);
}

/**
 * Reads and parses a test file (a missing file is a `MirageError` `file_not_found`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadPolicyTest } from "./test_file.ts";
 * const loaded = await loadPolicyTest("scenarios/payments/payments.test.yaml");
 * assert.equal(loaded.document.policies, "policies.yaml"); // as written, relative to the test file
 * assert.ok(loaded.document.cases.length > 0);
 * ```
 */
export function loadPolicyTest(path: string): Promise<Loaded<PolicyTestDocument>> {
  return loadDocumentFile<PolicyTestDocument>(POLICY_TEST, path);
}
