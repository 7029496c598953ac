/**
 * One corpus of tool calls for the parity test: a rule per operator (the record type makes a
 * new operator without a case a type error), plus flag rules, `on_missing: pass`, `when`, CEL,
 * `per:` scopes (a payload field, a header), redaction and a call decided twice under one call id.
 */

import { stringify } from "yaml";
import type { OperatorName, PolicyRule, ToolCall } from "@mirage/core";

/** One rule, on tool `op_<name>` unless it says otherwise, and the calls that exercise it. */
interface Case {
  readonly rule: Omit<PolicyRule, "name" | "message">;
  /** Calls; `tool` defaults to the case's tool, `runId` to `parity-a`. */
  readonly calls: readonly Partial<ToolCall>[];
}

function pair(rule: Case["rule"], pass: unknown, fail: unknown): Case {
  return { rule, calls: [{ args: pass }, { args: fail }] };
}

const OPERATORS: Record<OperatorName, Case> = {
  exists: pair({ field: "id", operator: "exists" }, { id: 1 }, {}),
  not_exists: pair({ field: "debug", operator: "not_exists" }, {}, { debug: true }),
  eq: pair({ field: "currency", operator: "eq", value: "EUR" }, { currency: "EUR" }, {
    currency: "USD",
  }),
  neq: pair({ field: "status", operator: "neq", value: "closed" }, { status: "open" }, {
    status: "closed",
  }),
  in: pair({ field: "region", operator: "in", value: ["eu", "us"] }, { region: "eu" }, {
    region: "apac",
  }),
  not_in: pair(
    { field: "columns[*]", operator: "not_in", value: ["ssn"] },
    { columns: ["name", "email"] },
    { columns: ["name", "ssn"] },
  ),
  lt: pair({ field: "expires_at", operator: "lt", value: "2027-01-01" }, {
    expires_at: "2026-06-01",
  }, { expires_at: "2027-06-01" }),
  lte: pair({ field: "amount", operator: "lte", value: 100 }, { amount: 100 }, { amount: 101 }),
  max: pair({ field: "amount", operator: "max", value: 10 }, { amount: 5 }, { amount: 11 }),
  gt: pair(
    { field: "created", operator: "gt", value: "2026-05-01T10:00:00Z" },
    { created: "2026-06-01T00:00:00Z" },
    { created: "2026-01-01T00:00:00Z" },
  ),
  gte: pair({ field: "qty", operator: "gte", value: 1 }, { qty: 1 }, { qty: 0 }),
  min: pair({ field: "qty", operator: "min", value: 2 }, { qty: 3 }, { qty: 1 }),
  between: pair({ field: "score", operator: "between", value: [0, 10] }, { score: 5 }, {
    score: 11,
  }),
  regex_match: pair(
    { field: "sku", operator: "regex_match", value: "^SKU-[0-9]+$" },
    { sku: "SKU-1" },
    { sku: "sku-x" },
  ),
  not_regex_match: pair(
    { field: "notes", operator: "not_regex_match", value: "\\d{3}-\\d{2}-\\d{4}" },
    { notes: "hello" },
    { notes: "ssn 123-45-6789" },
  ),
  contains: pair({ field: "tags", operator: "contains", value: "vip" }, { tags: ["vip", "a"] }, {
    tags: ["a"],
  }),
  not_contains: pair(
    { field: "body", operator: "not_contains", value: "password" },
    { body: "hi" },
    { body: "my password" },
  ),
  starts_with: pair(
    { field: "payload.url", operator: "starts_with", value: "https://" },
    { url: "https://x.test" },
    { url: "http://x.test" },
  ),
  not_starts_with: pair(
    { field: "file_path", operator: "not_starts_with", value: "/admin" },
    { file_path: "/home/a" },
    { file_path: "/admin/a" },
  ),
  ends_with: pair({ field: "email", operator: "ends_with", value: "@acme.com" }, {
    email: "a@acme.com",
  }, { email: "a@x.com" }),
  not_ends_with: pair({ field: "filename", operator: "not_ends_with", value: ".exe" }, {
    filename: "a.txt",
  }, { filename: "a.exe" }),
  length_lte: pair({ field: "notes", operator: "length_lte", value: 5 }, { notes: "abc" }, {
    notes: "abcdefg",
  }),
  length_gte: pair(
    { field: "justification", operator: "length_gte", value: 5 },
    { justification: "because" },
    { justification: "no" },
  ),
  host_in: pair(
    { field: "payload.url", operator: "host_in", value: ["api.acme.internal", "*.slack.com"] },
    { url: "https://hooks.slack.com/x" },
    { url: "https://evil.example/x" },
  ),
  host_not_in: pair(
    { field: "payload.url", operator: "host_not_in", value: ["*.ngrok.io"] },
    { url: "https://api.acme.internal/" },
    { url: "https://a.ngrok.io/" },
  ),
  cidr_in: pair({ field: "ip", operator: "cidr_in", value: ["10.0.0.0/8"] }, { ip: "10.1.2.3" }, {
    ip: "192.168.1.1",
  }),
  cidr_not_in: pair(
    { field: "ip", operator: "cidr_not_in", value: ["127.0.0.0/8"] },
    { ip: "10.0.0.1" },
    { ip: "127.0.0.1" },
  ),
  count_lte: {
    rule: { operator: "count_lte", value: 2 },
    calls: [
      { callId: "dup" },
      { callId: "dup" }, // the same call decided again: the first verdict, counted once
      {},
      {},
      { runId: "parity-b" },
    ],
  },
  rate_lte: {
    // A window far longer than the test: the servers' real clocks agree with the injected one.
    rule: { operator: "rate_lte", value: { limit: 2, window_seconds: 3600 }, per: "global" },
    calls: [{}, { runId: "parity-b" }, {}],
  },
  sum_lte: {
    rule: { operator: "sum_lte", value: { field: "amount", limit: 100 }, per: "customer_id" },
    calls: [
      { args: { customer_id: "C1", amount: 60 } },
      { args: { customer_id: "C1", amount: 50 } },
      { args: { customer_id: "C2", amount: 50 } },
      { args: { customer_id: "C1", amount: 40 } },
      { args: { customer_id: "C1", amount: 1 } },
      { args: { customer_id: "C1" } },
    ],
  },
  requires_prior: {
    rule: { operator: "requires_prior", value: { tool: "op_lookup", same: ["order_id"] } },
    calls: [
      { args: { order_id: "O1" } },
      { tool: "op_lookup", args: { order_id: "O1" } },
      { args: { order_id: "O1" } },
      { args: { order_id: "O2" } },
    ],
  },
  forbids_prior: {
    rule: { operator: "forbids_prior", value: { tool: "op_close" } },
    calls: [{}, { tool: "op_close" }, {}, { runId: "parity-b" }],
  },
};

const MORE: Record<string, Case> = {
  flag: pair({ field: "amount", operator: "lte", value: 10, action: "flag" }, { amount: 5 }, {
    amount: 50,
  }),
  lenient: pair({ field: "x", operator: "eq", value: 1, on_missing: "pass" }, {}, { x: 2 }),
  when: pair(
    {
      when: {
        any: [
          { field: "amount", operator: "lt", value: 100 },
          { field: "approver", operator: "exists" },
        ],
      },
    },
    { amount: 500, approver: "zoe" },
    { amount: 500 },
  ),
  expr: pair({ expr: 'payload.amount < 100 && tool == "op_expr"' }, { amount: 5 }, {
    amount: 500,
  }),
  per_header: {
    rule: { operator: "count_lte", value: 1, per: "headers.x-tenant" },
    calls: [
      { headers: { "x-tenant": "t1" } },
      { headers: { "x-tenant": "t1" } },
      { headers: { "x-tenant": "t2" } },
    ],
  },
  secret: pair(
    { field: "card", operator: "not_starts_with", value: "34" },
    { card: "4111111111111111" },
    { card: "340000000000009" },
  ),
};

const CASES: [string, Case][] = [...Object.entries(OPERATORS), ...Object.entries(MORE)];

/** The policies file of the corpus. */
export const PARITY_POLICIES: string = stringify({
  redact: ["payload.card"],
  policies: CASES.map(([name, c]) => ({
    name: `rule_${name}`,
    tool: `op_${name}`,
    ...c.rule,
    message: `rule ${name} failed`,
  })),
});

/** Tool mocks for a few of the tools (not strict: the rest run for real). */
export const PARITY_MOCKS: string = stringify({
  tools: [
    { name: "counted", tool: "op_count_lte", result: { text: "counted {{ run_id }}" } },
    { name: "summed", tool: "op_sum_lte", result: { json: { total: "{{ args.amount }}" } } },
  ],
});

/** Every call of the corpus, in order. */
export const PARITY_CALLS: ToolCall[] = CASES.flatMap(([name, c]) =>
  c.calls.map((call) => ({
    tool: call.tool ?? `op_${name}`,
    runId: call.runId ?? "parity-a",
    ...(call.args === undefined ? {} : { args: call.args }),
    ...(call.callId === undefined ? {} : { callId: call.callId }),
    ...(call.headers === undefined ? {} : { headers: call.headers }),
  }))
);
