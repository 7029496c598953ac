/**
 * The field table (docs/language.md#fields): the top-level names a rule can read, on which kind of action, with
 * one line of documentation each. `FieldRoot` (`field_path.ts`) and the table in
 * `docs/language.md` derive from it.
 *
 * @module
 */

/**
 * The kinds of action (docs/language.md#fields): an HTTP request or a tool call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ActionKind, FIELDS } from "./fields.ts";
 * const kinds: readonly ActionKind[] = FIELDS.headers.kinds;
 * assert.deepEqual(kinds, ["http", "tool"]);
 * ```
 */
export type ActionKind = "http" | "tool";

/** One row of the field table. */
interface FieldSpec {
  /** How a path under the name is written: the name alone, or with what follows it. */
  readonly path: string;
  /** The kinds of action that carry the field. */
  readonly kinds: readonly ActionKind[];
  /** One line of documentation. */
  readonly doc: string;
  /** A value the field may hold. */
  readonly example: string;
}

/**
 * The fields a rule can read, in the order of docs/language.md#fields. A path that starts with none of these
 * names is read under `payload`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FIELDS } from "./fields.ts";
 * assert.deepEqual(FIELDS.tool.kinds, ["tool"]);
 * ```
 */
export const FIELDS = {
  method: {
    path: "method",
    kinds: ["http"],
    doc: "The HTTP method, upper case.",
    example: "POST",
  },
  url: {
    path: "url",
    kinds: ["http"],
    doc:
      "The URL as decided: as requested in CI; on the gateway, the upstream origin with the path the client sent.",
    example: "https://api.acme.internal/v1/bids?dry=1",
  },
  scheme: {
    path: "scheme",
    kinds: ["http"],
    doc: "`http` or `https`.",
    example: "https",
  },
  host: {
    path: "host",
    kinds: ["http"],
    doc: "The host name, lower case, without port, trailing dot or IPv6 brackets.",
    example: "api.acme.internal",
  },
  port: {
    path: "port",
    kinds: ["http"],
    doc: "The port, a number; the scheme's default when the URL has none.",
    example: "443",
  },
  path: {
    path: "path",
    kinds: ["http"],
    doc: "The normalised path: percent-decoded (not `%2F`), no `;params`, no empty or end `/`.",
    example: "/v1/submit_bid",
  },
  query: {
    path: "query.<name>",
    kinds: ["http"],
    doc: "A query parameter, as text; a repeated name gives a list.",
    example: "2",
  },
  headers: {
    path: "headers.<name>",
    kinds: ["http", "tool"],
    doc: "A header by lower-case name; on a tool call, where its transport has headers.",
    example: "agent-7",
  },
  params: {
    path: "params.<name>",
    kinds: ["http"],
    doc: "A `{name}` segment of the matched mock route's path.",
    example: "ORD-1",
  },
  payload: {
    path: "payload.<path>",
    kinds: ["http", "tool"],
    doc:
      "The parsed body or a tool call's arguments; a bare path (`amount`) means `payload.amount`.",
    example: "25000",
  },
  run_id: {
    path: "run_id",
    kinds: ["http", "tool"],
    doc: "The run the action belongs to.",
    example: "nightly-42",
  },
  tool: {
    path: "tool",
    kinds: ["tool"],
    doc: "The tool's name.",
    example: "submit_bid",
  },
} as const satisfies Record<string, FieldSpec>;
