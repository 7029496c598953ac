/**
 * The typed documents of `policies.yaml` and `mocks.yaml` (docs/language.md), as the
 * validator returns them and as a caller may pass them as objects.
 *
 * @module
 */

import type { ConditionOperator, OperatorName } from "./operators.ts";
import type { NormalizeStep } from "./normalize_steps.ts";
import type { ChaosFault, RouteFault, ToolFault } from "./fault_types.ts";

export type { ConditionOperator, OperatorName } from "./operators.ts";
export type { NormalizeStep } from "./normalize_steps.ts";

/**
 * One comparison of a field against a value.
 *
 * @example
 * ```ts
 * import type { FieldCondition } from "@mirage/core";
 * const limit: FieldCondition = { field: "amount", operator: "max", value: 25000 };
 * ```
 */
export interface FieldCondition {
  /** A field path (docs/language.md#fields); a bare path means `payload.<path>`. */
  field: string;
  /**
   * The operator, as written (aliases are kept so that decisions read like the file); state
   * operators stand only at a rule's top level.
   */
  operator: ConditionOperator;
  /** The operand; its type depends on the operator. Absent for `exists` / `not_exists`. */
  value?: unknown;
  /**
   * Normalisation steps: the comparison must also hold for the forms they make of the value
   * (default: the enclosing group's, rule's or file's; `[]` for none).
   */
  normalize?: NormalizeStep[];
  /** With a regex operator: a match counts only when its digits pass the checksum. */
  checksum?: "luhn";
}

/**
 * The `normalize` default a condition group gives the conditions inside it.
 *
 * @example
 * ```ts
 * import type { ConditionDefaults } from "@mirage/core";
 * const d: ConditionDefaults = { normalize: ["nfkc", "case_fold"] };
 * ```
 */
export interface ConditionDefaults {
  /** Steps for the conditions inside that set none themselves. */
  normalize?: NormalizeStep[];
}

/**
 * A condition tree: a single comparison, or `all` / `any` / `not` of conditions.
 *
 * @example
 * ```ts
 * import type { Condition } from "@mirage/core";
 * const c: Condition = { any: [{ field: "amount", operator: "lt", value: 100 }, { not: { field: "vip", operator: "exists" } }] };
 * ```
 */
export type Condition =
  | FieldCondition
  | ({ all: Condition[] } & ConditionDefaults)
  | ({ any: Condition[] } & ConditionDefaults)
  | ({ not: Condition } & ConditionDefaults);

/**
 * One rule of `policies.yaml`. Exactly one of `field`/`operator`/`value`, `when` or `expr`
 * says what must hold; the scope keys (`method`, `path`, `host`, `tool`) say where.
 *
 * @example
 * ```ts
 * import type { PolicyRule } from "@mirage/core";
 * const rule: PolicyRule = {
 *   name: "enforce_bid_limit",
 *   method: "POST",
 *   path: "/v1/submit_bid",
 *   field: "amount",
 *   operator: "max",
 *   value: 25000,
 *   message: "Bids above 25,000 need human approval.",
 * };
 * ```
 */
export interface PolicyRule {
  /** Unique in the file. */
  name: string;
  /** Free text for reviewers. */
  description?: string;
  /** HTTP methods the rule applies to; omitted = every method. */
  method?: string | string[];
  /** Path pattern: exact, `{param}` segments, or a trailing `/**`. */
  path?: string;
  /** Host: exact, or `*.suffix`. */
  host?: string;
  /**
   * Tool names the rule applies to. With `method`, `path` or `host` as well, the rule applies
   * to that route and to these tools (a side door that does the same thing).
   */
  tool?: string | string[];
  /** How `path` compares with a request's path; default the file's, else `sensitive`. */
  path_case?: "sensitive" | "insensitive";
  /** Field path of a single condition. */
  field?: string;
  /** Operator of a single condition. */
  operator?: OperatorName;
  /** Operand of a single condition. */
  value?: unknown;
  /** A nested condition tree, instead of `field`/`operator`/`value`. */
  when?: Condition;
  /** A CEL expression over the action's fields, instead of a condition. */
  expr?: string;
  /** What a failing rule does: `block` (default) or `flag`. */
  action?: "block" | "flag";
  /** What a missing field means: `fail` (default) or `pass`. */
  on_missing?: "fail" | "pass";
  /**
   * State scope of the state operators: `run` (default), `global`, a field path, or a list of
   * `run` and field paths that together make the scope (`[run, payload.supplier_id]`).
   */
  per?: string | string[];
  /** Normalisation steps of the rule's comparison, or the default of its `when` tree. */
  normalize?: NormalizeStep[];
  /** With a regex operator: a match counts only when its digits pass the checksum. */
  checksum?: "luhn";
  /** Shown to the agent and the reviewer when the rule fails. */
  message: string;
}

/**
 * A whole `policies.yaml`.
 *
 * @example
 * ```ts
 * import type { PolicyDocument } from "@mirage/core";
 * const doc: PolicyDocument = { policies: [], redact: ["payload.card_number"] };
 * ```
 */
export interface PolicyDocument {
  /** Reserved for future breaking changes; only 1 exists. */
  version?: 1;
  /** The rules, in file order. */
  policies: PolicyRule[];
  /** Header names (`headers.x-token`) and payload paths written as `"[REDACTED]"` in traces. */
  redact?: string[];
  /** The default `normalize` of every comparison in the file; a rule may override it. */
  normalize?: NormalizeStep[];
  /** The default `path_case` of every rule. */
  path_case?: "sensitive" | "insensitive";
}

/**
 * A value a mock's `match` compares against: a literal (equality) or `{operator: value}`.
 *
 * @example
 * ```ts
 * import type { MatchValue } from "@mirage/core";
 * const sku: MatchValue = { regex_match: "^SKU-" };
 * ```
 */
export type MatchValue = string | number | boolean | null | { [operator: string]: unknown };

/**
 * The optional narrowing of a mock route to some requests.
 *
 * @example
 * ```ts
 * import type { MockMatch } from "@mirage/core";
 * const m: MockMatch = { query: { page: "1" }, payload: { "supplier.id": "S-1" } };
 * ```
 */
export interface MockMatch {
  /** Query parameters by name. */
  query?: Record<string, MatchValue>;
  /** Request headers by lower-case name. */
  headers?: Record<string, MatchValue>;
  /** Payload field paths. */
  payload?: Record<string, MatchValue>;
}

/**
 * What a mock answers. Strings in `headers`, `json` and `body` may hold `{{ }}` templates.
 *
 * @example
 * ```ts
 * import type { MockResponse } from "@mirage/core";
 * const r: MockResponse = { status_code: 201, json: { order_id: "ORD-{{params.id}}" } };
 * ```
 */
export interface MockResponse {
  /** HTTP status; default 200. */
  status_code?: number;
  /** Response headers. */
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /**
   * Instead of `json`: a string is a text body; any other value is served as JSON (the Python
   * Mirage's `body` is an alias of `json`, so its files load unchanged).
   */
  body?: unknown;
  /** Delay before answering, in milliseconds. */
  delay_ms?: number;
}

/**
 * One declared route of `mocks.yaml`.
 *
 * @example
 * ```ts
 * import type { MockRoute } from "@mirage/core";
 * const route: MockRoute = { name: "get_quote", method: "POST", path: "/v1/get_quote", response: { json: { price: 24500 } } };
 * ```
 */
export interface MockRoute {
  /** Route name, shown in traces. */
  name: string;
  /** HTTP method(s). */
  method: string | string[];
  /** Exact path or `{param}` segments. */
  path: string;
  /** Host: exact or `*.suffix`; omitted = any host. */
  host?: string;
  /** Optional narrowing on query, headers and payload. */
  match?: MockMatch;
  /** The answer; default `200` with an empty body. */
  response?: MockResponse;
  /** Faults that replace the answer in a chaos run (docs/chaos.md). */
  faults?: RouteFault[];
}

/**
 * The optional narrowing of a tool mock to some calls: payload field paths, as in a route's
 * `match.payload`.
 *
 * @example
 * ```ts
 * import type { ToolMockMatch } from "@mirage/core";
 * const m: ToolMockMatch = { payload: { order_id: { starts_with: "ORD-" } } };
 * ```
 */
export interface ToolMockMatch {
  /** Payload (argument) field paths. */
  payload?: Record<string, MatchValue>;
}

/**
 * What a tool mock answers: exactly one of `json`, `text` or `error` (the tool failed with that
 * message). Strings may hold `{{ }}` templates over the arguments (`payload.*`, `args.*`).
 *
 * @example
 * ```ts
 * import type { ToolMockResult } from "@mirage/core";
 * const r: ToolMockResult = { json: { order_id: "{{ args.order_id }}", status: "shipped" } };
 * ```
 */
export interface ToolMockResult {
  /** A JSON value. */
  json?: unknown;
  /** A text result. */
  text?: string;
  /** The tool fails with this message. */
  error?: string;
}

/**
 * One declared tool of `mocks.yaml`: in CI, a call to it that goes through is answered with its
 * result and the real tool does not run.
 *
 * @example
 * ```ts
 * import type { ToolMock } from "@mirage/core";
 * const t: ToolMock = { name: "lookup_order", result: { json: { status: "shipped" } } };
 * ```
 */
export interface ToolMock {
  /** Mock name, shown in traces. */
  name: string;
  /** The tool it answers; default: the name. */
  tool?: string;
  /** What `mirage mcp --mocks` lists as the tool's description. */
  description?: string;
  /** The arguments' JSON Schema (`type: object`), listed by `mirage mcp --mocks`. */
  input_schema?: Record<string, unknown>;
  /** Optional narrowing on the arguments. */
  match?: ToolMockMatch;
  /** The answer. */
  result: ToolMockResult;
  /** Delay before answering, in milliseconds. */
  delay_ms?: number;
  /** Faults that replace the result in a chaos run (docs/chaos.md). */
  faults?: ToolFault[];
}

/**
 * A whole `mocks.yaml`.
 *
 * @example
 * ```ts
 * import type { MocksDocument } from "@mirage/core";
 * const doc: MocksDocument = { mocks: [{ name: "ping", method: "GET", path: "/ping" }] };
 * ```
 */
export interface MocksDocument {
  /** Routes; the first declared match wins. Optional in a file (default none). */
  mocks: MockRoute[];
  /** Tools; the first declared match wins. */
  tools?: ToolMock[];
  /** A call to an undeclared tool is `unmatched_route` (default false: the real tool runs). */
  strict_tools?: boolean;
  /** Named fault profiles, by profile name; a chaos run turns one on (docs/chaos.md). */
  chaos?: Record<string, ChaosFault[]>;
}

/**
 * A place in a source file, 1-based.
 *
 * @example
 * ```ts
 * import type { SourcePosition } from "@mirage/core";
 * const at: SourcePosition = { file: "policies.yaml", line: 3, col: 5 };
 * ```
 */
export interface SourcePosition {
  /** File name as given by the caller (or `<inline>`). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
}

/**
 * A validated document and where each of its nodes came from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePolicies } from "@mirage/core";
 * const loaded = parsePolicies("policies:\n  - name: a\n    field: x\n    operator: exists\n    message: m\n", "p.yaml");
 * assert.deepEqual(loaded.positionOf(["policies", 0, "field"]), { file: "p.yaml", line: 3, col: 5 });
 * ```
 */
export interface Loaded<T> {
  /** The file name (or `<inline>` for text and objects). */
  readonly file: string;
  /** The validated document. */
  readonly document: T;
  /** Position of a node by its path of keys and indexes; `undefined` for object input. */
  positionOf(path: readonly (string | number)[]): SourcePosition | undefined;
  /**
   * `sha256:<hex>` of the bytes the document was parsed from — a file's bytes as read, or the
   * UTF-8 of text — so that anyone can tell which file version it was (`sha256sum` of the file);
   * absent for an object.
   */
  readonly digest?: string;
}
