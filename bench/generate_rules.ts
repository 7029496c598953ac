/**
 * Generated policy files for the benchmark and the scale tests: a realistic spread of paths,
 * methods, hosts, tools and operators, with a few fixed "probe" rules that are the only ones a
 * probe action (`POST http://api.acme.internal/v1/submit_bid`) matches.
 *
 * @module
 */

import {
  type Action,
  type Condition,
  type HttpAction,
  httpAction,
  type OperatorName,
  type PolicyDocument,
  type PolicyRule,
  toolAction,
} from "@mirage/core";
import { mulberry32 } from "./lib/prng.ts";

type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

const NOUNS = [
  "orders",
  "invoices",
  "users",
  "accounts",
  "payments",
  "refunds",
  "quotes",
  "suppliers",
  "contracts",
  "shipments",
  "tickets",
  "reports",
  "files",
  "messages",
  "teams",
  "projects",
  "tasks",
  "comments",
  "webhooks",
  "keys",
  "sessions",
  "carts",
  "products",
  "prices",
] as const;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const HOSTS = [
  "api.acme.internal",
  "billing.acme.internal",
  "crm.example.com",
  "*.partner.io",
  "files.example.org",
  "*.svc.cluster.local",
] as const;

/** The action the probe rules (and only they) apply to. */
export function probeAction(): HttpAction {
  return httpAction({
    method: "POST",
    url: "http://api.acme.internal/v1/submit_bid",
    headers: { "content-type": "application/json", "x-agent-id": "agent-1" },
    json: { amount: 50000, supplier: { id: "S-1", risk_tier: "low" }, currency: "EUR" },
    runId: "bench",
  });
}

/** Rules that apply to {@link probeAction}: the procurement limits. */
export const PROBE_RULES: readonly PolicyRule[] = [
  {
    name: "enforce_bid_limit",
    method: "POST",
    path: "/v1/submit_bid",
    field: "amount",
    operator: "max",
    value: 25000,
    message: "Bids above 25,000 need human approval.",
  },
  {
    name: "known_currency",
    path: "/v1/**",
    host: "api.acme.internal",
    field: "currency",
    operator: "in",
    value: ["EUR", "USD"],
    message: "Unknown currency.",
  },
  {
    name: "low_risk_suppliers",
    method: ["POST", "PUT"],
    path: "/v1/submit_bid",
    field: "supplier.risk_tier",
    operator: "neq",
    value: "high",
    action: "flag",
    message: "High-risk supplier.",
  },
];

function pathPattern(rng: Rng, index: number): string {
  const noun = `${pick(rng, NOUNS)}${index % 40}`;
  const version = pick(rng, ["v1", "v2", "v3"]);
  switch (Math.floor(rng() * 4)) {
    case 0:
      return `/${version}/${noun}`;
    case 1:
      return `/${version}/${noun}/{id}`;
    case 2:
      return `/${version}/${noun}/{id}/${pick(rng, NOUNS)}`;
    default:
      return `/${version}/${noun}/**`;
  }
}

function condition(rng: Rng, i: number): Partial<PolicyRule> {
  const field = pick(rng, [
    "amount",
    "payload.qty",
    "query.limit",
    "headers.x-tenant",
    "items[*].price",
  ]);
  const f = (operator: OperatorName, value: unknown) => ({ field, operator, value });
  const cases: (() => Partial<PolicyRule>)[] = [
    () => f("max", 1000 + i),
    () => f("gte", i % 10),
    () => f("between", [0, 100 + i]),
    () => f("eq", `v${i}`),
    () => f("in", ["a", "b", `c${i}`]),
    () => f("regex_match", `^[A-Z]{2}-${i % 100}\\d*$`),
    () => f("contains", `x${i}`),
    () => f("starts_with", "acct_"),
    () => f("length_lte", 64),
    () => ({ field, operator: "exists" }),
    () => ({
      field: "payload.url",
      operator: "host_in",
      value: ["api.acme.internal", "*.partner.io"],
    }),
    () => ({ field: "payload.ip", operator: "cidr_not_in", value: ["10.0.0.0/8", "fd00::/8"] }),
    () => ({
      when: {
        any: [{ field, operator: "lt", value: i }, {
          not: { field: "payload.override", operator: "exists" },
        }],
      } satisfies Condition,
    }),
    () => ({ operator: "count_lte", value: 100 }),
  ];
  return pick(rng, cases)();
}

function scope(rng: Rng, i: number): Partial<PolicyRule> {
  const roll = rng();
  if (roll < 0.1) {
    return { tool: rng() < 0.5 ? `tool_${i % 300}` : [`tool_${i % 300}`, `tool_${(i + 1) % 300}`] };
  }
  const out: Partial<PolicyRule> = { path: pathPattern(rng, i) };
  if (rng() < 0.7) {
    out.method = rng() < 0.8 ? pick(rng, METHODS) : [pick(rng, METHODS), pick(rng, METHODS)];
  }
  if (rng() < 0.4) out.host = pick(rng, HOSTS);
  return out;
}

/**
 * A policy document of `count` rules: `count - 3` generated ones, and the three
 * {@link PROBE_RULES} at the start, the middle and the end.
 */
export function generatePolicies(count: number, seed = 1): PolicyDocument {
  const rng = mulberry32(seed);
  const policies: PolicyRule[] = [];
  for (let i = 0; policies.length < count - PROBE_RULES.length; i++) {
    policies.push({
      name: `g${i}`,
      ...scope(rng, i),
      ...condition(rng, i),
      ...(rng() < 0.2 ? { action: "flag" as const } : {}),
      message: `generated rule ${i}`,
    } as PolicyRule);
  }
  const [first, middle, last] = PROBE_RULES as [PolicyRule, PolicyRule, PolicyRule];
  policies.unshift(first);
  policies.splice(Math.floor(policies.length / 2), 0, middle);
  policies.push(last);
  return { policies };
}

function concretePath(rng: Rng, pattern: string): string {
  return pattern
    .replace(/\{[^}]+\}/g, () => `id${Math.floor(rng() * 1000)}`)
    .replace(/\/\*\*$/, () => (rng() < 0.5 ? "" : `/deep/${Math.floor(rng() * 10)}`));
}

function concreteHost(rng: Rng, host: string | undefined): string {
  const h = host ?? pick(rng, HOSTS);
  return h.startsWith("*.") ? `n${Math.floor(rng() * 5)}.${h.slice(2)}` : h;
}

/** Actions that each fall inside the scope of some rule of `doc`, picked at random. */
export function sampleActions(doc: PolicyDocument, count: number, seed = 2): Action[] {
  const rng = mulberry32(seed);
  const out: Action[] = [];
  while (out.length < count) {
    const r = pick(rng, doc.policies);
    if (r.tool !== undefined) {
      out.push(
        toolAction({ tool: Array.isArray(r.tool) ? pick(rng, r.tool) : r.tool, args: { qty: 3 } }),
      );
      continue;
    }
    const methods = r.method === undefined
      ? METHODS
      : Array.isArray(r.method)
      ? r.method
      : [r.method];
    out.push(httpAction({
      method: pick(rng, methods),
      url: `http://${concreteHost(rng, r.host)}${concretePath(rng, r.path ?? "/")}?limit=10`,
      headers: { "x-tenant": "t1" },
      json: { amount: Math.floor(rng() * 5000), qty: 2, items: [{ price: 5 }] },
    }));
  }
  return out;
}
