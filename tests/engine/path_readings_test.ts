/**
 * A path that servers read differently (an encoded slash) escapes the rules of no reading:
 * rules scoped to any reading apply, conditions must hold under each, the surface must declare
 * each, and a `requires_prior` step counts only when every reading is that step.
 */

import assert from "node:assert/strict";
import {
  compileMocks,
  compilePolicies,
  evaluateAction,
  httpAction,
  type PolicyDocument,
} from "@mirage/core";
import { otherPathReadings } from "../../src/engine/action.ts";

const at = (path: string, json?: unknown) =>
  httpAction({
    method: "POST",
    url: `http://api.test${path}`,
    ...(json === undefined ? {} : { json }),
  });

Deno.test("path readings: %2F and %5C are also read as separators, dot segments resolved", () => {
  assert.deepEqual(otherPathReadings("/v1%2Fsubmit_bid"), ["/v1/submit_bid"]);
  assert.deepEqual(otherPathReadings("/v1/submit_bid%2f"), ["/v1/submit_bid"]);
  assert.deepEqual(otherPathReadings("/files/a%2F..%2F..%2Fadmin"), ["/admin"]);
  assert.deepEqual(otherPathReadings("/a\\b"), ["/a/b"]);
  assert.equal(otherPathReadings("/v1/submit_bid"), undefined);
  assert.deepEqual(at("/v1%5Csubmit_bid").otherPaths, ["/v1/submit_bid"]);
  assert.equal(at("/v1/submit_bid").otherPaths, undefined);
});

/** The path a WSGI server hands its application, read by Python's own wsgiref. */
async function wsgiPathInfo(rawPaths: readonly string[]): Promise<string[]> {
  const script = `
import sys, threading, http.client
from wsgiref.simple_server import make_server, WSGIRequestHandler
class Quiet(WSGIRequestHandler):
    def log_message(self, *a): pass
def app(environ, start):
    start("200 OK", [("content-type", "text/plain")])
    return [environ["PATH_INFO"].encode("latin-1")]
server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
threading.Thread(target=server.serve_forever, daemon=True).start()
for raw in sys.argv[1:]:
    c = http.client.HTTPConnection("127.0.0.1", server.server_port)
    c.request("POST", raw, body=b"{}")
    print(c.getresponse().read().decode("utf-8", "replace"))
server.shutdown()
`;
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script, ...rawPaths],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

Deno.test("path readings: what a WSGI upstream routes on is one of the readings", async () => {
  const raw = [
    "/v1%2Fsubmit_bid",
    "/v1/submit_bid%2F",
    "/v1%2fsubmit_bid",
    "/v1/x%2F..%2Fsubmit_bid",
  ];
  const wsgi = await wsgiPathInfo(raw);
  raw.forEach((path, i) => {
    const a = at(path);
    const readings = [a.path, ...a.otherPaths ?? []];
    // PATH_INFO as a router reads it: dot segments resolved, no trailing slash.
    const routed = new URL(`http://x${wsgi[i]}`).pathname.replace(/(.)\/$/, "$1");
    assert.ok(readings.includes(routed), `${path}: WSGI reads ${routed}, Mirage ${readings}`);
  });
});

const RULES: PolicyDocument = {
  policies: [
    {
      name: "bid_cap",
      method: "POST",
      path: "/v1/submit_bid",
      field: "amount",
      operator: "max",
      value: 25000,
      message: "cap",
    },
    {
      name: "no_admin",
      field: "path",
      operator: "not_starts_with",
      value: "/admin",
      message: "no admin",
    },
  ],
};

Deno.test("path readings: a rule scoped to any reading applies; a condition must hold under each", async () => {
  const set = compilePolicies(RULES);
  for (const path of ["/v1%2Fsubmit_bid", "/v1/submit_bid%2F", "/v1/x%2F..%2Fsubmit_bid"]) {
    const v = await set.decide(at(path, { amount: 50000 }));
    assert.deepEqual([v.outcome, v.policy], ["policy_violation", "bid_cap"], path);
  }
  const admin = await set.decide(at("/files/x%2F..%2F..%2Fadmin/users"));
  assert.deepEqual([admin.outcome, admin.policy], ["policy_violation", "no_admin"]);
  const failing = admin.decisions.find((d) => d.policy === "no_admin");
  assert.equal(failing?.actual, "/admin/users", "the decision shows the reading that failed");
  assert.equal((await set.decide(at("/files/a%2Fb"))).outcome, "allowed");
});

Deno.test("path readings: the surface must declare every reading; the route served is the path's", async () => {
  const mocks = compileMocks({
    mocks: [
      { name: "file", method: "POST", path: "/files/{name}" },
      { name: "bid", method: "POST", path: "/v1/submit_bid" },
    ],
  });
  const none = compilePolicies({ policies: [] });
  const declared = await evaluateAction(none, mocks, at("/files/a%2F..%2F..%2Fv1%2Fsubmit_bid"));
  assert.equal(declared.outcome, "allowed", "both readings are declared");
  const split = await evaluateAction(none, mocks, at("/files/a%2F..%2F..%2Fadmin"));
  assert.equal(split.outcome, "unmatched_route", "the split reading /admin is not declared");
  const both = compileMocks({
    mocks: [
      { name: "file", method: "POST", path: "/files/{name}" },
      { name: "nested", method: "POST", path: "/files/{dir}/{name}" },
    ],
  });
  const e = await evaluateAction(none, both, at("/files/a%2Fb"));
  assert.equal(e.outcome, "allowed");
  assert.equal(e.route?.name, "file");
  assert.deepEqual(e.action.kind === "http" && e.action.params, { name: "a%2Fb" });
  assert.equal((await evaluateAction(none, mocks, at("/files/a%2Fb"))).outcome, "unmatched_route");
});

Deno.test("path readings: a prior step counts for requires_prior only when every reading is it", async () => {
  const set = compilePolicies({
    policies: [
      {
        name: "quote_first",
        method: "POST",
        path: "/v1/submit_bid",
        operator: "requires_prior",
        value: { path: "/v1/get_quote" },
        message: "quote first",
      },
      {
        name: "no_bid_after_cancel",
        method: "POST",
        path: "/v1/submit_bid",
        operator: "forbids_prior",
        value: { path: "/v1/cancel" },
        message: "cancelled",
      },
    ],
  });
  assert.equal((await set.decide(at("/v1%2Fget_quote"))).outcome, "allowed");
  const bid = await set.decide(at("/v1/submit_bid"));
  assert.deepEqual([bid.outcome, bid.policy], ["policy_violation", "quote_first"]);
  assert.equal((await set.decide(at("/v1/get_quote"))).outcome, "allowed");
  assert.equal((await set.decide(at("/v1/submit_bid"))).outcome, "allowed");
  assert.equal((await set.decide(at("/v1%2Fcancel"))).outcome, "allowed");
  const after = await set.decide(at("/v1/submit_bid"));
  assert.deepEqual([after.outcome, after.policy], ["policy_violation", "no_bid_after_cancel"]);
});
