/**
 * Rule scopes: method, path, host and tool. A rule outside its scope gives no decision;
 * decisions come in file order; a 10,000-rule file gives exactly the decisions a naive scan does.
 */

import assert from "node:assert/strict";
import {
  type Action,
  compilePolicies,
  httpAction,
  type PolicyRule,
  toolAction,
} from "@mirage/core";
import {
  generatePolicies,
  PROBE_RULES,
  probeAction,
  sampleActions,
} from "../../bench/generate_rules.ts";
import { decideWith, http, names, rule } from "./helpers.ts";

/** One always-passing rule per scope, named by the test. */
function scoped(name: string, scope: Partial<PolicyRule>): PolicyRule {
  return rule({ name, ...scope, field: "method", operator: "not_exists", on_missing: "pass" });
}

async function applies(scope: Partial<PolicyRule>, action: Action): Promise<boolean> {
  return names(await decideWith([scoped("s", scope)], action)).length === 1;
}

const FOLDED: Partial<PolicyRule> = { path: "/v1/Bids", path_case: "insensitive" };
const SIDE_DOOR: Partial<PolicyRule> = { method: "POST", path: "/v1/bids", tool: "submit_bid" };

const CASES: [string, Partial<PolicyRule>, Action, boolean][] = [
  ["no scope, http", {}, http("GET", "/x"), true],
  ["no scope, tool", {}, toolAction({ tool: "t" }), true],
  ["method string", { method: "POST" }, http("post", "/x"), true],
  ["method string, other method", { method: "POST" }, http("GET", "/x"), false],
  ["method lower case in the rule", { method: "delete" }, http("DELETE", "/x"), true],
  ["method list", { method: ["PUT", "PATCH"] }, http("PATCH", "/x"), true],
  ["method list, other method", { method: ["PUT", "PATCH"] }, http("POST", "/x"), false],
  ["method on a tool call", { method: "POST" }, toolAction({ tool: "t" }), false],
  ["path exact", { path: "/v1/bids" }, http("GET", "/v1/bids"), true],
  [
    "path exact, trailing slash and doubled slash",
    { path: "/v1/bids" },
    http("GET", "//v1/bids/"),
    true,
  ],
  ["path exact, percent-encoded", { path: "/v1/bids" }, http("GET", "/v1/%62ids"), true],
  ["path exact, longer", { path: "/v1/bids" }, http("GET", "/v1/bids/7"), false],
  ["path exact, shorter", { path: "/v1/bids" }, http("GET", "/v1"), false],
  ["path exact, case differs", { path: "/v1/bids" }, http("GET", "/v1/Bids"), false],
  ["path param", { path: "/v1/orders/{id}" }, http("GET", "/v1/orders/7"), true],
  ["path param, missing segment", { path: "/v1/orders/{id}" }, http("GET", "/v1/orders"), false],
  ["path param, extra segment", { path: "/v1/orders/{id}" }, http("GET", "/v1/orders/7/x"), false],
  ["path param in the middle", { path: "/v1/{org}/bids" }, http("GET", "/v1/acme/bids"), true],
  ["path /** itself", { path: "/v1/admin/**" }, http("GET", "/v1/admin"), true],
  ["path /** below", { path: "/v1/admin/**" }, http("GET", "/v1/admin/users/7"), true],
  ["path /** sibling prefix", { path: "/v1/admin/**" }, http("GET", "/v1/administrator"), false],
  ["path /** at the root", { path: "/**" }, http("GET", "/"), true],
  ["path /** after a param", { path: "/v1/{org}/**" }, http("GET", "/v1/acme/a/b"), true],
  ["path on a tool call", { path: "/**" }, toolAction({ tool: "t" }), false],
  ["host exact", { host: "api.test" }, http("GET", "/"), true],
  ["host exact, upper case in the rule", { host: "API.Test" }, http("GET", "/"), true],
  ["host exact, other host", { host: "api.other" }, http("GET", "/"), false],
  ["host suffix", { host: "*.test" }, http("GET", "/"), true],
  [
    "host suffix, deep",
    { host: "*.test" },
    httpAction({ method: "GET", url: "http://a.B.api.test./" }),
    true,
  ],
  ["host suffix, the bare domain", { host: "*.api.test" }, http("GET", "/"), false],
  ["host and path", { host: "api.test", path: "/v1/x" }, http("GET", "/v1/x"), true],
  ["host and path, other path", { host: "api.test", path: "/v1/x" }, http("GET", "/v1/y"), false],
  ["tool string", { tool: "search" }, toolAction({ tool: "search" }), true],
  ["tool string, other tool", { tool: "search" }, toolAction({ tool: "refund" }), false],
  ["tool list", { tool: ["a", "refund"] }, toolAction({ tool: "refund" }), true],
  ["tool on an http action", { tool: "search" }, http("GET", "/search"), false],
  ["path ignoring case", FOLDED, http("GET", "/V1/bIDS"), true],
  ["path ignoring case, other path", FOLDED, http("GET", "/v1/bidz"), false],
  [
    "path ignoring case, with a param",
    { path: "/v1/Orders/{id}", path_case: "insensitive" },
    http("GET", "/V1/ORDERS/Ab7"),
    true,
  ],
  [
    "path ignoring case, under /**",
    { path: "/v1/Admin/**", path_case: "insensitive" },
    http("GET", "/V1/ADMIN/users"),
    true,
  ],
  ["path ignoring case, percent-encoded", FOLDED, http("GET", "/v1/%42ids"), true],
  ["route or tool: the route", SIDE_DOOR, http("POST", "/v1/bids"), true],
  ["route or tool: the tool", SIDE_DOOR, toolAction({ tool: "submit_bid" }), true],
  ["route or tool: another method", SIDE_DOOR, http("GET", "/v1/bids"), false],
  ["route or tool: another path", SIDE_DOOR, http("POST", "/v1/quotes"), false],
  ["route or tool: another tool", SIDE_DOOR, toolAction({ tool: "get_quote" }), false],
];

for (const [name, scope, action, expected] of CASES) {
  Deno.test(`scope: ${name} → ${expected ? "applies" : "does not apply"}`, async () => {
    assert.equal(await applies(scope, action), expected);
  });
}

Deno.test("decisions come in file order whatever index bucket a rule sits in", async () => {
  const rules = [
    scoped("by_path", { path: "/v1/bids" }),
    scoped("everywhere", {}),
    scoped("by_host_suffix", { host: "*.test" }),
    scoped("by_method", { method: "POST" }),
    scoped("by_tool", { tool: "bid" }),
    scoped("by_rest", { path: "/v1/**" }),
    scoped("by_host", { host: "api.test", path: "/v1/{what}" }),
    scoped("other_path", { path: "/v2/bids" }),
  ];
  assert.deepEqual(names(await decideWith(rules, http("POST", "/v1/bids"))), [
    "by_path",
    "everywhere",
    "by_host_suffix",
    "by_method",
    "by_rest",
    "by_host",
  ]);
  assert.deepEqual(names(await decideWith(rules, toolAction({ tool: "bid" }))), [
    "everywhere",
    "by_tool",
  ]);
});

function pathRegex(pattern: string): RegExp {
  const body = pattern.replace(/\/\*\*$/, "").split("/").map((s) =>
    /^\{.+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  ).join("/");
  return new RegExp(pattern.endsWith("/**") ? `^${body}(/.*)?$` : `^${body}$`);
}

/** The scope check written the slow, obvious way. */
function naiveApplies(r: PolicyRule, a: Action): boolean {
  const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
  if (r.tool !== undefined) return a.kind === "tool" && list(r.tool).includes(a.tool);
  if (r.method === undefined && r.path === undefined && r.host === undefined) return true;
  if (a.kind !== "http") return false;
  if (r.method !== undefined && !list(r.method).some((m) => m.toUpperCase() === a.method)) {
    return false;
  }
  if (r.path !== undefined && !pathRegex(r.path).test(a.path)) return false;
  if (r.host === undefined) return true;
  return r.host.startsWith("*.") ? a.host.endsWith(r.host.slice(1)) : a.host === r.host;
}

Deno.test("a generated file of 10,000 rules gives exactly the in-scope rules' decisions", async () => {
  const doc = generatePolicies(10_000);
  const set = compilePolicies(doc);
  assert.equal(set.size, 10_000);
  const probe = await set.decide(probeAction());
  assert.deepEqual(names(probe), PROBE_RULES.map((r) => r.name));
  assert.equal(probe.outcome, "policy_violation");
  assert.equal(probe.policy, "enforce_bid_limit");
  let total = 0;
  for (const action of sampleActions(doc, 300)) {
    const expected = doc.policies.filter((r) => naiveApplies(r, action)).map((r) => r.name);
    const got = names(await set.decide(action));
    assert.deepEqual(got, expected, JSON.stringify(action));
    total += got.length;
  }
  assert.ok(total >= 300, "every sampled action hits at least the rule it was drawn from");
});

Deno.test("remembered lookups answer as fresh ones, past the cache's bound too", async () => {
  const rules = [
    scoped("post_orders", { method: "POST", path: "/v1/orders/{id}" }),
    scoped("get_orders", { method: "GET", path: "/v1/orders/**" }),
    scoped("acme_only", { host: "*.acme.test", path: "/v1/orders/{id}" }),
    scoped("tool_t", { tool: "t" }),
  ];
  const set = compilePolicies({ policies: rules });
  const fresh = async (a: Action) => names(await compilePolicies({ policies: rules }).decide(a));
  const at = (method: string, host: string, id: number) =>
    httpAction({ method, url: `http://${host}/v1/orders/${id}` });
  for (let round = 0; round < 2; round++) {
    for (let id = 0; id < 3000; id++) {
      for (
        const a of [
          at("POST", "api.acme.test", id),
          at("GET", "x.test", id),
          at("POST", "x.test", id),
        ]
      ) {
        assert.deepEqual(names(await set.decide(a)), await fresh(a), `${a.method} ${a.host} ${id}`);
      }
    }
  }
  assert.deepEqual(names(await set.decide(toolAction({ tool: "t" }))), ["tool_t"]);
  assert.deepEqual(names(await set.decide(toolAction({ tool: "u" }))), []);
});

Deno.test("path parameters after ';' are dropped before matching, as Java servers do", async () => {
  for (const path of ["/v1/bids;jsessionid=1", "/v1;x=1/bids", "/v1/bids;a;b/"]) {
    assert.equal(await applies({ path: "/v1/bids" }, http("GET", path)), true, path);
  }
});

Deno.test("an IPv6 literal host matches in scopes and in host_in / host_not_in", async () => {
  const action = httpAction({ method: "GET", url: "http://[::1]:8080/admin" });
  assert.equal(await applies({ host: "[::1]" }, action), true);
  const notIn = await decideWith(
    [rule({ field: "url", operator: "host_not_in", value: ["[::1]"] })],
    action,
  );
  assert.equal(notIn.outcome, "policy_violation");
});

Deno.test("path_case at the top of the file is every rule's default, and a rule can override it", async () => {
  const set = compilePolicies({
    path_case: "insensitive",
    policies: [
      scoped("folded", { path: "/v1/submit_bid" }),
      scoped("exact", { path: "/v1/submit_bid", path_case: "sensitive" }),
      scoped("other", { path: "/v1/Other" }),
    ],
  });
  assert.deepEqual(names(await set.decide(http("POST", "/v1/Submit_Bid"))), ["folded"]);
  assert.deepEqual(names(await set.decide(http("POST", "/v1/submit_bid"))), ["folded", "exact"]);
  assert.deepEqual(names(await set.decide(http("POST", "/V1/OTHER"))), ["other"]);
});
