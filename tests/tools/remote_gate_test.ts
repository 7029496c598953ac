/**
 * `remoteGate()` against a real `mirage gateway` and a real `mirage proxy`, and failing closed
 * against a stopped gateway, a slow server, a refusal and answers it cannot read.
 */

import assert from "node:assert/strict";
import { MirageError, readTrace, remoteGate, type ToolVerdict } from "@mirage/core";
import { runCli } from "../support/cli_process.ts";
import { TOOL_POLICIES, toolMocks } from "./fixtures.ts";
import { startGateway, startProxy } from "./servers.ts";

function summary(v: ToolVerdict) {
  return [v.outcome, v.allowed, v.enforced, v.policy, v.event];
}

Deno.test("remoteGate → gateway: verdicts, the recorded tool events, and the admin token", async () => {
  await using gw = await startGateway(TOOL_POLICIES, { args: ["--admin-token", "s3cret"] });
  const gate = remoteGate(gw.url, { token: "s3cret" });
  const calls = [
    { tool: "issue_refund", args: { amount: 20 }, runId: "agent", callId: "c1" },
    { tool: "issue_refund", args: { amount: 900 }, runId: "agent" },
    { tool: "send_email", args: { to: "x@else.example" }, headers: { "x-mirage-run-id": "agent" } },
  ];
  const verdicts = [];
  for (const call of calls) verdicts.push(await gate.decideTool(call));
  assert.deepEqual(verdicts.map(summary), [
    ["allowed", true, true, undefined, 1],
    ["policy_violation", false, true, "refund_limit", 2],
    ["flagged", true, true, "email_inside", 3],
  ]);
  assert.equal(verdicts[1]?.message, "Refunds above 500 need a supervisor.");
  assert.equal(verdicts[0]?.mock, undefined, "a gateway never answers with mocks");
  assert.deepEqual(verdicts.map((v) => v.runId), ["agent", "agent", "agent"]);
  const trace = await readTrace(gw.traces, "agent");
  assert.deepEqual(trace?.events.map((e) => [e.request, e.outcome, e.enforced, e.response]), [
    [{ tool: "issue_refund", args: { amount: 20 }, call_id: "c1" }, "allowed", true, { ran: true }],
    [{ tool: "issue_refund", args: { amount: 900 } }, "policy_violation", true, {}],
    [{ tool: "send_email", args: { to: "x@else.example" } }, "flagged", true, { ran: true }],
  ]);

  const refused = await remoteGate(gw.url).decideTool({
    tool: "issue_refund",
    args: { amount: 1 },
  });
  assert.deepEqual(summary(refused), ["error", false, true, undefined, 0]);
  assert.match(refused.message, /answered 401: admin routes need 'authorization: Bearer/);
});

Deno.test("remoteGate → gateway in passthrough: a violation is allowed, not enforced", async () => {
  await using gw = await startGateway(TOOL_POLICIES, { mode: "passthrough" });
  const v = await remoteGate(gw.url).decideTool({ tool: "issue_refund", args: { amount: 900 } });
  assert.deepEqual(summary(v), ["policy_violation", true, false, "refund_limit", 1]);
});

Deno.test("remoteGate → gateway with a strict_tools surface: undeclared tools are unmatched_route", async () => {
  await using gw = await startGateway(TOOL_POLICIES, { surface: toolMocks(true) });
  const gate = remoteGate(gw.url);
  const declared = await gate.decideTool({ tool: "lookup_order", args: { order_id: "O-1" } });
  assert.deepEqual(summary(declared), ["allowed", true, true, undefined, 1]);
  assert.equal(declared.mock, undefined, "a surface declares tools; the gateway never mocks");
  const undeclared = await gate.decideTool({ tool: "delete_account" });
  assert.deepEqual(summary(undeclared), ["unmatched_route", false, true, undefined, 2]);
});

Deno.test("remoteGate → proxy: declared tools are answered by their mocks, recorded for gate-run", async () => {
  await using proxy = await startProxy(TOOL_POLICIES, toolMocks(true));
  const gate = remoteGate(proxy.url);
  const lookup = await gate.decideTool({
    tool: "lookup_order",
    args: { order_id: "O-1" },
    runId: "ci",
  });
  assert.deepEqual(lookup.mock, {
    name: "lookup_order",
    result: { kind: "json", json: { order_id: "O-1", status: "shipped" } },
  });
  const undeclared = await gate.decideTool({ tool: "delete_account", runId: "ci" });
  assert.deepEqual(summary(undeclared), ["unmatched_route", false, true, undefined, 2]);
  assert.equal(undeclared.message, "no declared tool mock matches tool delete_account");
  const trace = await readTrace(proxy.traces, "ci");
  assert.equal(trace?.mode, "ci");
  assert.deepEqual(trace?.events.map((e) => [e.request.tool, e.outcome, e.response]), [
    ["lookup_order", "allowed", { mock: "lookup_order" }],
    ["delete_account", "unmatched_route", {}],
  ]);
  await proxy.stop();
  const gated = await runCli(["gate-run", "--traces", proxy.traces]);
  assert.equal(gated.code, 1, gated.stdout + gated.stderr);
  assert.match(gated.stdout, /#2 tool delete_account → unmatched_route/);
});

Deno.test("remoteGate fails closed when the gateway is stopped; passthrough allows with an error", async () => {
  const gw = await startGateway(TOOL_POLICIES);
  await gw[Symbol.asyncDispose]();
  const call = { tool: "lookup_order", runId: "down" };
  const blocked = await remoteGate(gw.url).decideTool(call);
  assert.deepEqual(summary(blocked), ["error", false, true, undefined, 0]);
  assert.match(
    blocked.message,
    /^cannot reach the Mirage gate at http:\/\/127\.0\.0\.1:\d+\/_mirage\/v1\/decide: /,
  );
  assert.equal(blocked.runId, "down");
  const shadow = await remoteGate(gw.url, { mode: "passthrough" }).decideTool(call);
  assert.deepEqual(summary(shadow), ["error", true, false, undefined, 0]);
});

/** A server on loopback that answers every request with `answer` once `release` is called, or at once. */
function fakeGate(answer: () => Response, hold = false) {
  let release = () => {};
  const released = new Promise<void>((r) => release = r);
  if (!hold) release();
  let seen = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    seen++;
    await req.body?.cancel();
    await released;
    return answer();
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get seen() {
      return seen;
    },
    async [Symbol.asyncDispose]() {
      release();
      await server.shutdown();
    },
  };
}

Deno.test("remoteGate fails closed on a gateway slower than timeoutMs", async () => {
  await using slow = fakeGate(() => Response.json({ outcome: "allowed" }), true);
  const v = await remoteGate(slow.url, { timeoutMs: 150 }).decideTool({ tool: "lookup_order" });
  assert.deepEqual(summary(v), ["error", false, true, undefined, 0]);
  assert.match(v.message, /no answer within 150 ms$/);
  assert.equal(slow.seen, 1);
});

const WELL_FORMED = {
  outcome: "allowed",
  message: "allowed",
  decisions: [],
  run_id: "r",
  event: 1,
  enforced: true,
};

Deno.test("remoteGate fails closed on answers it cannot read, whatever they claim", async (t) => {
  const cases: [string, () => Response, RegExp][] = [
    [
      "an unknown outcome",
      () => Response.json({ ...WELL_FORMED, outcome: "approved" }),
      /outcome "approved"/,
    ],
    [
      "an error outcome with 200",
      () => Response.json({ ...WELL_FORMED, outcome: "error" }),
      /outcome "error"/,
    ],
    ["no enforced", () => Response.json({ ...WELL_FORMED, enforced: "yes" }), /no 'enforced'/],
    ["no outcome", () => Response.json({ allowed: true }), /outcome undefined/],
    ["not JSON", () => new Response("<html>ok</html>"), /not a JSON object/],
    [
      "a broken mock",
      () => Response.json({ ...WELL_FORMED, mock: { name: "m", result: { kind: "html" } } }),
      /kind "html"/,
    ],
    [
      "a 500",
      () => new Response("upstream exploded", { status: 500 }),
      /answered 500: upstream exploded/,
    ],
  ];
  for (const [label, answer, why] of cases) {
    await t.step(label, async () => {
      await using server = fakeGate(answer);
      const enforce = await remoteGate(server.url).decideTool({ tool: "lookup_order" });
      assert.deepEqual(summary(enforce), ["error", false, true, undefined, 0]);
      assert.match(enforce.message, why);
      const passthrough = await remoteGate(server.url, { mode: "passthrough" })
        .decideTool({ tool: "lookup_order" });
      assert.deepEqual([passthrough.outcome, passthrough.allowed], ["error", true]);
    });
  }
  await t.step("a well-formed answer is read", async () => {
    await using server = fakeGate(() => Response.json(WELL_FORMED));
    const v = await remoteGate(server.url).decideTool({ tool: "lookup_order" });
    assert.deepEqual(summary(v), ["allowed", true, true, undefined, 1]);
  });
});

Deno.test("remoteGate checks its URL and timeout at once, and contacts nothing until a call", () => {
  assert.equal(
    remoteGate("http://gw.internal:8080/base").url,
    "http://gw.internal:8080/base/_mirage/v1/decide",
  );
  assert.equal(remoteGate(new URL("https://gw.internal/")).timeoutMs, 2000);
  assert.equal(remoteGate("http://gw.internal").mode, "enforce");
  for (const bad of ["ftp://gw.internal", "not a url", "http://gw.internal/?x=1"]) {
    assert.throws(
      () => remoteGate(bad),
      (e) => e instanceof MirageError && e.code === "invalid_url",
    );
  }
  assert.throws(
    () => remoteGate("http://gw.internal", { timeoutMs: 0 }),
    (e) => e instanceof MirageError && e.code === "invalid_option",
  );
});

Deno.test("remoteGate: arguments that cannot be sent are an error, blocked", async () => {
  const args: Record<string, unknown> = {};
  args.self = args;
  const v = await remoteGate("http://127.0.0.1:9").decideTool({ tool: "t", args });
  assert.deepEqual(summary(v), ["error", false, true, undefined, 0]);
  assert.match(v.message, /^cannot send the call to the Mirage gate: /);
});
