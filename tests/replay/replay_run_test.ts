/**
 * Replaying recorded events in-process: what a trace holds and what it does not (redacted
 * values, transport headers, CI hosts, tool headers, uninspected bodies, arrival times), state
 * rebuilt from the replayed decisions, state made uncertain by an undecidable event, and the
 * routing an event was recorded with.
 */

import assert from "node:assert/strict";
import {
  buildTrace,
  type PolicyRule,
  type TraceEvent,
  validateMocks,
  validatePolicies,
} from "@mirage/core";
import { type ReplayedEvent, Replayer, type ReplaySetup } from "../../src/replay/replay_run.ts";

type Event = Omit<TraceEvent, "seq">;

function rule(r: Partial<PolicyRule> & { name: string }): PolicyRule {
  return { message: `${r.name} failed`, ...r } as PolicyRule;
}

async function replay(
  rules: PolicyRule[],
  events: Event[],
  options: {
    mode?: string;
    times?: number[];
    redact?: string[];
    setup?: Partial<ReplaySetup>;
  } = {},
): Promise<readonly ReplayedEvent[]> {
  const policies = validatePolicies({ policies: rules, redact: options.redact ?? [] });
  const replayer = new Replayer({ policies, ...options.setup });
  const trace = buildTrace(
    "r1",
    options.mode ?? "ci",
    events.map((e, i) => ({ seq: i + 1, ...e })),
  );
  const times = new Map((options.times ?? []).map((t, i) => [i + 1, t]));
  return (await replayer.replay(trace, times)).events;
}

function post(path: string, json: unknown, extra: Partial<Event> = {}): Event {
  return {
    request: { method: "POST", path, json },
    route: "r",
    outcome: "allowed",
    enforced: true,
    decisions: [],
    response: { status: 200 },
    ...extra,
  };
}

const cap = (value: number) =>
  rule({ name: "cap", path: "/v1/pay", field: "amount", operator: "max", value });

Deno.test("an event is re-decided under the new file and reported when its outcome changes", async () => {
  const [a, b] = await replay([cap(100)], [
    post("/v1/pay", { amount: 50 }),
    post("/v1/pay", { amount: 500 }),
  ]);
  assert.equal(a?.changed, false);
  assert.deepEqual(b?.before, { outcome: "allowed", enforced: true });
  assert.deepEqual(b?.after, { outcome: "policy_violation", policy: "cap", enforced: true });
  assert.equal(b?.changed, true);
  assert.equal(b?.action, "POST /v1/pay");
});

Deno.test("state is rebuilt from the replayed decisions: an event the new file stops does not count", async () => {
  const rules = [
    cap(100),
    rule({ name: "two", path: "/v1/pay", operator: "count_lte", value: 2 }),
  ];
  const events = [
    post("/v1/pay", { amount: 500 }),
    post("/v1/pay", { amount: 5 }),
    post("/v1/pay", { amount: 5 }),
  ];
  const out = await replay(rules, events);
  assert.deepEqual(out.map((e) => e.after?.outcome), ["policy_violation", "allowed", "allowed"]);
});

Deno.test("a rule that reads a redacted value is undecidable; its presence is not", async () => {
  const rules = [
    rule({ name: "token", field: "headers.x-token", operator: "eq", value: "abc" }),
    rule({ name: "has_token", field: "headers.x-token", operator: "exists" }),
  ];
  const event = post("/v1/pay", {}, {
    request: { method: "POST", path: "/v1/pay", headers: { "x-token": "[REDACTED]" } },
  });
  const [eq] = await replay([rules[0] as PolicyRule], [event]);
  assert.equal(eq?.after, undefined);
  assert.deepEqual(eq?.undecidable, [
    "rule 'token' reads headers.x-token is redacted in the trace",
  ]);
  const [presence] = await replay([rules[1] as PolicyRule], [event]);
  assert.deepEqual(presence?.after, { outcome: "allowed", enforced: true });
});

Deno.test("a redacted parent, a redacted value below the field read, and a CEL expression naming it", async () => {
  const event = post("/v1/pay", { card: "[REDACTED]", payer: { name: "jo", ssn: "[REDACTED]" } });
  const under = await replay([rule({ name: "n", field: "card.number", operator: "exists" })], [
    event,
  ]);
  assert.match(under[0]?.undecidable?.[0] ?? "", /card\.number is redacted/);
  const above = await replay([rule({ name: "p", field: "payer", operator: "eq", value: {} })], [
    event,
  ]);
  assert.match(above[0]?.undecidable?.[0] ?? "", /payer is redacted/);
  const beside = await replay([
    rule({ name: "q", field: "payer.name", operator: "eq", value: "jo" }),
  ], [event]);
  assert.equal(beside[0]?.after?.outcome, "allowed");
  const cel = await replay([rule({ name: "c", expr: 'payload.payer.ssn != ""' })], [event]);
  assert.match(cel[0]?.undecidable?.[0] ?? "", /rule 'c' reads payload\.payer is redacted/);
});

Deno.test("what traces never hold: transport headers, the URL's scheme and port, tool headers", async () => {
  const get = post("/v1/pay", {}, { request: { method: "GET", path: "/v1/pay" } });
  const length = await replay([
    rule({ name: "len", field: "headers.content-length", operator: "exists" }),
  ], [get]);
  assert.match(
    length[0]?.undecidable?.[0] ?? "",
    /'content-length' is a transport header, not recorded/,
  );
  const scheme = await replay([
    rule({ name: "tls", field: "scheme", operator: "eq", value: "https" }),
  ], [get]);
  assert.match(
    scheme[0]?.undecidable?.[0] ?? "",
    /scheme: traces do not record the URL's scheme and port/,
  );
  const tool: Event = {
    request: { tool: "refund", args: { amount: 5 } },
    outcome: "allowed",
    enforced: true,
    decisions: [],
    response: { ran: true },
  };
  const agent = await replay([
    rule({ name: "agent", tool: "refund", field: "headers.x-agent", operator: "exists" }),
  ], [tool]);
  assert.match(agent[0]?.undecidable?.[0] ?? "", /tool-call traces record no headers/);
  const amount = await replay([
    rule({ name: "refund_cap", tool: "refund", field: "amount", operator: "lte", value: 1 }),
  ], [tool]);
  assert.deepEqual(amount[0]?.after, {
    outcome: "policy_violation",
    policy: "refund_cap",
    enforced: true,
  });
});

Deno.test("a host-scoped rule cannot be replayed on a CI trace, and can on a gateway trace", async () => {
  const rules = [
    rule({ name: "h", host: "api.acme.internal", field: "amount", operator: "max", value: 1 }),
  ];
  const ci = await replay(rules, [post("/v1/pay", { amount: 5 })]);
  assert.deepEqual(ci[0]?.undecidable, [
    "rule 'h' is scoped to host api.acme.internal, and CI traces do not record the host",
  ]);
  const gateway = post("/v1/pay", { amount: 5 }, {
    request: { method: "POST", path: "/v1/pay", host: "api.acme.internal", json: { amount: 5 } },
  });
  const other = post("/v1/pay", { amount: 5 }, {
    request: { method: "POST", path: "/v1/pay", host: "other.test", json: { amount: 5 } },
  });
  const out = await replay(rules, [gateway, other], { mode: "enforce" });
  assert.deepEqual(out.map((e) => e.after?.outcome), ["policy_violation", "allowed"]);
});

Deno.test("a body the gateway did not inspect is undecidable for rules that read it", async () => {
  const uninspected: Event = {
    request: { method: "POST", path: "/v1/upload", host: "api.test" },
    outcome: "error",
    enforced: false,
    decisions: [],
    response: { status: 200 },
    error: "request body larger than the inspection limit of 16 bytes; forwarded uninspected",
  };
  const body = await replay(
    [rule({ name: "size", path: "/v1/upload", field: "size", operator: "lte", value: 9 })],
    [uninspected],
    { mode: "passthrough" },
  );
  assert.match(body[0]?.undecidable?.[0] ?? "", /size: the body was not inspected when recorded/);
  const path = await replay(
    [rule({
      name: "no_uploads",
      path: "/v1/upload",
      field: "method",
      operator: "neq",
      value: "POST",
    })],
    [uninspected],
    { mode: "passthrough" },
  );
  assert.deepEqual(path[0]?.after, {
    outcome: "policy_violation",
    policy: "no_uploads",
    enforced: false,
  });
});

Deno.test("a rate rule replays on the recorded arrival times, and is undecidable without them", async () => {
  const rules = [
    rule({
      name: "rate",
      path: "/v1/pay",
      operator: "rate_lte",
      value: { limit: 1, window_seconds: 60 },
    }),
  ];
  const events = [post("/v1/pay", {}), post("/v1/pay", {}), post("/v1/pay", {})];
  const t0 = Date.UTC(2026, 0, 1);
  const timed = await replay(rules, events, { times: [t0, t0 + 30_000, t0 + 61_000] });
  assert.deepEqual(timed.map((e) => e.after?.outcome), ["allowed", "policy_violation", "allowed"]);
  const untimed = await replay(rules, events);
  assert.match(
    untimed[0]?.undecidable?.[0] ?? "",
    /counts a rate, and the trace has no arrival time/,
  );
});

Deno.test("after an undecidable event, a state rule's decision is kept only where it holds anyway", async () => {
  const rules = [
    rule({ name: "token", path: "/v1/pay", field: "headers.x-token", operator: "eq", value: "t" }),
    rule({ name: "one", path: "/v1/pay", operator: "count_lte", value: 1 }),
  ];
  const secret = post("/v1/pay", {}, {
    request: { method: "POST", path: "/v1/pay", headers: { "x-token": "[REDACTED]" } },
  });
  const plain = post("/v1/pay", {}, {
    request: { method: "POST", path: "/v1/pay", headers: { "x-token": "t" } },
  });
  // #1 is undecidable, so whether it counted is unknown: #2 passes the count only if it did not.
  const after = await replay(rules, [secret, plain]);
  assert.ok(after[0]?.undecidable);
  assert.match(
    after[1]?.undecidable?.[0] ?? "",
    /rule 'one' keeps state that event #1 may have changed/,
  );
  // #1 counted; #2 is unknown; #3 fails the count whatever #2 did, so that failure is kept.
  const before = await replay(rules, [plain, secret, plain]);
  assert.ok(before[1]?.undecidable);
  assert.equal(before[2]?.undecidable, undefined);
  assert.deepEqual(before[2]?.after, {
    outcome: "policy_violation",
    policy: "one",
    enforced: true,
  });
});

Deno.test("without a mocks file each event keeps its recorded routing; with one, routes are matched again", async () => {
  const unmatched: Event = {
    request: { method: "DELETE", path: "/v1/orders" },
    outcome: "unmatched_route",
    enforced: true,
    decisions: [],
    response: { status: 404 },
  };
  const violationOffSurface: Event = {
    request: { method: "POST", path: "/v1/x", json: { amount: 500 } },
    outcome: "policy_violation",
    enforced: true,
    policy: "cap",
    decisions: [],
    response: { status: 403 },
  };
  const rules = [
    rule({ name: "cap", field: "amount", operator: "max", value: 1000, on_missing: "pass" }),
  ];
  const recorded = await replay(rules, [unmatched, violationOffSurface]);
  assert.deepEqual(recorded.map((e) => e.after?.outcome), ["unmatched_route", "unmatched_route"]);
  assert.deepEqual(recorded.map((e) => e.changed), [false, true]);
  const mocks = validateMocks({ mocks: [{ name: "x", method: "POST", path: "/v1/x" }] });
  const routed = await replay(rules, [unmatched, violationOffSurface], { setup: { mocks } });
  assert.deepEqual(routed.map((e) => e.after?.outcome), ["unmatched_route", "allowed"]);
});

Deno.test("passthrough traffic replayed in enforce mode reports what enforce would have stopped", async () => {
  const forwarded = post("/v1/pay", { amount: 500 }, {
    request: { method: "POST", path: "/v1/pay", host: "api.test", json: { amount: 500 } },
    outcome: "policy_violation",
    policy: "cap",
    enforced: false,
  });
  const same = await replay([cap(100)], [forwarded], { mode: "passthrough" });
  assert.equal(same[0]?.changed, false);
  const enforced = await replay([cap(100)], [forwarded], {
    mode: "passthrough",
    setup: { mode: "enforce" },
  });
  assert.equal(enforced[0]?.changed, true);
  assert.deepEqual(enforced[0]?.after, {
    outcome: "policy_violation",
    policy: "cap",
    enforced: true,
  });
});
