/**
 * The tests to copy: an agent's tools gated by Mirage, three ways. `session()` in CI (declared
 * tools answered by their mocks, nothing real runs), `guard()` in production inside the agent's
 * process, and `remoteGate()` asking a `mirage gateway` that runs beside the agent. The same
 * policy file decides alike in all three (scenarios/support_refunds/).
 */

import assert from "node:assert/strict";
import { guard, MirageViolationError, remoteGate, session, type ToolGate } from "@mirage/core";

const POLICIES = new URL("../../scenarios/support_refunds/policies.yaml", import.meta.url);
const MOCKS = new URL("../../scenarios/support_refunds/mocks.yaml", import.meta.url);

type Args = Record<string, unknown>;

/** The agent's real tools, counting what they did. */
function realTools() {
  const done: string[] = [];
  const tools: Record<string, (args: Args) => unknown> = {
    issue_store_credit: (a) => (done.push(`credit ${a.credit}`), { credit_id: "SC-REAL" }),
    send_email: (a) => (done.push(`email ${a.to}`), "sent"),
  };
  return { tools, done };
}

/**
 * What a framework adapter does around each tool: ask the gate first; when it says no, the
 * model is told why and the tool does not run; a tool mock answers instead of the real tool.
 */
async function callTool(
  gate: ToolGate,
  tools: Record<string, (args: Args) => unknown>,
  tool: string,
  args: Args,
  callId: string,
): Promise<unknown> {
  const verdict = await gate.decideTool({ tool, args, callId });
  if (!verdict.allowed) return `Blocked by Mirage: ${verdict.message}`;
  const mocked = verdict.mock?.result;
  if (mocked?.kind === "error") throw new Error(mocked.error);
  if (mocked) return mocked.kind === "json" ? mocked.json : mocked.text;
  return tools[tool]?.(args);
}

/** The agent under test: two store credits and an email that leaks internal notes. */
async function supportAgent(gate: ToolGate, tools: Record<string, (args: Args) => unknown>) {
  return [
    await callTool(gate, tools, "issue_store_credit", { customer_id: "C-42", credit: 50 }, "c1"),
    await callTool(gate, tools, "issue_store_credit", { customer_id: "C-42", credit: 500 }, "c2"),
    await callTool(gate, tools, "send_email", {
      to: "jo@example.com",
      body: "Your credit is on its way.",
      internal_notes: "customer threatened to churn",
    }, "c3"),
  ];
}

Deno.test("session(): in CI, tool mocks answer, violations are stopped, assertClean fails", async () => {
  const { tools, done } = realTools();
  await using mirage = await session({
    runId: "support-ci",
    policies: POLICIES,
    mocks: MOCKS,
    traces: false, // or a directory: the trace holds the tool calls beside the HTTP requests
  });

  const answers = await supportAgent(mirage, tools);

  assert.deepEqual(answers, [
    { credit_id: "SC-C-42", credit: 50, status: "issued" }, // the tool mock's answer
    "Blocked by Mirage: Store credit is between 1 and 200.",
    "Blocked by Mirage: Internal notes stay internal.",
  ]);
  assert.deepEqual(done, [], "no real tool ran in CI");
  assert.deepEqual(mirage.events.map((e) => [e.request.tool, e.outcome, e.response]), [
    ["issue_store_credit", "allowed", { mock: "store_credit_issued" }],
    ["issue_store_credit", "policy_violation", {}],
    ["send_email", "policy_violation", {}],
  ]);
  assert.equal(mirage.trace.side_effect_count, 0);
  assert.throws(() => mirage.assertClean(), MirageViolationError);
});

Deno.test("guard(): in production, in the agent's process, allowed tools run for real", async () => {
  const { tools, done } = realTools();
  await using gate = await guard({ policies: POLICIES, runId: "support-prod" });

  const answers = await supportAgent(gate, tools);

  assert.deepEqual(answers, [
    { credit_id: "SC-REAL" },
    "Blocked by Mirage: Store credit is between 1 and 200.",
    "Blocked by Mirage: Internal notes stay internal.",
  ]);
  assert.deepEqual(done, ["credit 50"], "only the allowed call ran");
});

/** Starts `mirage gateway` on a free port and returns its URL and a stop function. */
async function startGateway(): Promise<{ url: string; stop: () => Promise<void> }> {
  const cli = import.meta.resolve("@mirage/core/cli");
  const traces = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...["run", "-A", cli, "gateway", "--mode", "enforce", "--port", "0", "--no-decision-log"],
      ...["--policies", POLICIES.pathname, "--upstream", "http://127.0.0.1:9", "--traces", traces],
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/listening on (\S+)/.test(seen)) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`mirage gateway did not start:\n${seen}`);
    seen += value;
  }
  const url = (seen.match(/listening on (\S+)/) as RegExpMatchArray)[1] as string;
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await lines.cancel();
      await child.status;
      await Deno.remove(traces, { recursive: true });
    },
  };
}

Deno.test("remoteGate(): ask a running mirage gateway; a gateway that is down blocks", async () => {
  const { tools, done } = realTools();
  const gateway = await startGateway();
  const gate = remoteGate(gateway.url, { timeoutMs: 2000 }); // add { token } with --admin-token
  try {
    const answers = await supportAgent(gate, tools);
    assert.deepEqual(answers, [
      { credit_id: "SC-REAL" },
      "Blocked by Mirage: Store credit is between 1 and 200.",
      "Blocked by Mirage: Internal notes stay internal.",
    ]);
  } finally {
    await gateway.stop();
  }
  // Fail closed: with no gateway to ask, nothing runs.
  const answer = await callTool(gate, tools, "issue_store_credit", { credit: 10 }, "c4");
  assert.match(String(answer), /^Blocked by Mirage: cannot reach the Mirage gate at /);
  assert.deepEqual(done, ["credit 50"]);
});
