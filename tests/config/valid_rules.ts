/** Shared tables of valid policy rule parts, for the validator and JSON Schema tests. */

import type { OperatorName, PolicyRule } from "../../src/config/types.ts";

/** One valid rule per operator: the test fails when an operator is added without a case. */
export const VALID: Record<OperatorName, Omit<PolicyRule, "name" | "message">> = {
  exists: { field: "supplier.id", operator: "exists" },
  not_exists: { field: "headers.x-debug", operator: "not_exists", value: null },
  eq: { field: "currency", operator: "eq", value: "EUR" },
  neq: { field: "payload.items[0].kind", operator: "neq", value: { nested: true } },
  in: { field: "region", operator: "in", value: ["eu-west-1", 2, null] },
  not_in: { field: "payload.columns[*]", operator: "not_in", value: ["ssn"] },
  lt: { field: "expires_at", operator: "lt", value: "2027-01-01" },
  lte: { field: "amount", operator: "lte", value: 25000 },
  max: { field: "amount", operator: "max", value: 2.5 },
  gt: { field: "created", operator: "gt", value: "2026-05-01T10:00:00Z" },
  gte: { field: "qty", operator: "gte", value: -3 },
  min: { field: "qty", operator: "min", value: 1 },
  between: { field: "score", operator: "between", value: [0, 0] },
  regex_match: { field: "sku", operator: "regex_match", value: "^SKU-[0-9]+$" },
  not_regex_match: { field: "notes", operator: "not_regex_match", value: "\\d{3}-\\d{2}-\\d{4}" },
  contains: { field: "tags", operator: "contains", value: 7 },
  not_contains: { field: "body", operator: "not_contains", value: "password" },
  starts_with: { field: "url", operator: "starts_with", value: "https://" },
  not_starts_with: { field: "path", operator: "not_starts_with", value: "/admin" },
  ends_with: { field: "email", operator: "ends_with", value: "@acme.com" },
  not_ends_with: { field: "filename", operator: "not_ends_with", value: ".exe" },
  length_lte: { field: "notes", operator: "length_lte", value: 0 },
  length_gte: { field: "justification", operator: "length_gte", value: 20 },
  host_in: {
    field: "url",
    operator: "host_in",
    value: ["api.acme.internal", "*.slack.com", "10.0.0.1"],
  },
  host_not_in: { field: "query.next", operator: "host_not_in", value: ["*.ngrok.io"] },
  cidr_in: {
    field: "headers.x-forwarded-for",
    operator: "cidr_in",
    value: ["203.0.113.0/24", "2001:db8::/32"],
  },
  cidr_not_in: { field: "ip", operator: "cidr_not_in", value: ["10.0.0.0/8", "::1", "127.0.0.1"] },
  count_lte: { field: "", operator: "count_lte", value: 3, per: "run" },
  rate_lte: { operator: "rate_lte", value: { limit: 10, window_seconds: 0.5 }, per: "global" },
  sum_lte: {
    field: "customer_id",
    operator: "sum_lte",
    value: { field: "amount", limit: 1500 },
    per: "headers.x-agent-id",
  },
  requires_prior: {
    operator: "requires_prior",
    value: { method: ["POST"], path: "/v1/quotes/{id}/**", same: ["supplier_id", "headers.x-run"] },
  },
  forbids_prior: { operator: "forbids_prior", value: { tool: "close_account" } },
};

export const SCOPES: Record<string, Partial<PolicyRule>> = {
  "no scope": {},
  "one method": { method: "POST" },
  "lower-case methods": { method: ["get", "Head"] },
  "exact path": { path: "/v1/submit_bid" },
  "param path": { path: "/v1/orders/{order_id}/lines/{line}" },
  "rest path": { path: "/v1/**" },
  "root path": { path: "/" },
  "exact host": { host: "api.acme.internal" },
  "wildcard host": { host: "*.acme.internal" },
  "method, path and host": { method: "PUT", path: "/x/{id}", host: "*.a.io" },
  "one tool": { tool: "send_email" },
  "tools": { tool: ["send_email", "reply_ticket"] },
  "a route or a tool": { method: "POST", path: "/v1/submit_bid", tool: "submit_bid" },
  "a case-insensitive path": { path: "/v1/Submit_Bid", path_case: "insensitive" },
  "a case-sensitive path": { path: "/v1/x", path_case: "sensitive" },
};
