/**
 * The test to copy for an agent's error handling: turn a chaos profile of the mocks on, run
 * the agent, and let the policies say whether it coped — here an ordering agent whose supplier
 * API fails and whose payment fails, which must neither loop nor pay twice. A chaos run fails
 * (or passes) the same declared way every time: its trace has the same digest run after run.
 */

import assert from "node:assert/strict";
import { MirageViolationError, session, type Trace } from "@mirage/core";
import { runSupplierAgent, type SupplierAgentOptions } from "../../scripts/supplier_agent.ts";
import { runCli } from "../support/cli_process.ts";
import { tempDir } from "../support/fixtures.ts";

const FILES = {
  policies: new URL("../../policies/supplier_payments.yaml", import.meta.url),
  mocks: new URL("../../mocks/supplier_payments.yaml", import.meta.url),
};

/** Runs the agent once under a chaos profile, in a fresh session, and returns the trace file. */
async function chaosRun(chaos: string, options: SupplierAgentOptions = {}) {
  await using dir = await tempDir();
  let report;
  let clean = true;
  {
    await using mirage = await session({ runId: "order", ...FILES, traces: dir.path, chaos });
    report = await runSupplierAgent(mirage.fetch, "http://api.acme.internal", options);
    try {
      mirage.assertClean();
    } catch (e) {
      if (!(e instanceof MirageViolationError)) throw e;
      clean = false;
    }
  }
  const text = await Deno.readTextFile(`${dir.path}/order.json`);
  return { report, clean, text, trace: JSON.parse(text) as Trace };
}

function faultsOf(trace: Trace): string[] {
  return trace.events.flatMap((e) => e.response.fault ? [`#${e.seq} ${e.response.fault}`] : []);
}

Deno.test("chaos: a flaky supplier API — the agent retries quotes within bounds and pays once", async () => {
  const run = await chaosRun("flaky_suppliers:2");
  assert.equal(run.report.outcome, "paid");
  assert.equal(run.report.payments, 1);
  assert.deepEqual(faultsOf(run.trace), ["#2 status", "#3 status", "#4 reset"]);
  assert.ok(run.clean, "a declared fault that fired is the test's intent, not a failure");
  assert.equal(run.trace.outcome, "allowed");
  const again = await chaosRun("flaky_suppliers:2");
  assert.equal(again.text, run.text, "byte-identical, digest included");
});

Deno.test("chaos: a failing payment is not sent again, and a naive agent is caught the same way each time", async () => {
  const careful = await chaosRun("failing_payments:6");
  assert.equal(careful.report.outcome, "payment_failed");
  assert.equal(careful.report.payments, 1);
  assert.deepEqual(faultsOf(careful.trace), ["#4 status"]);
  assert.ok(careful.clean);

  const naive = await chaosRun("failing_payments:6", { naive: true });
  assert.equal(naive.clean, false);
  assert.equal(naive.trace.outcome, "policy_violation");
  assert.equal(naive.trace.policy, "one_payment_per_order");
  assert.equal(naive.trace.side_effect_count, 0, "the second payment never landed");
  const again = await chaosRun("failing_payments:6", { naive: true });
  assert.equal(again.trace.digest, naive.trace.digest);
});

Deno.test("chaos: a looping agent is stopped by its own bound on the supplier API", async () => {
  const naive = await chaosRun("flaky_suppliers:2", { naive: true });
  assert.equal(naive.trace.policy, "bounded_quote_retries");
  assert.equal((await chaosRun("flaky_suppliers:2", { naive: true })).text, naive.text);
});

/** `mirage gate-run --chaos` around the agent as a subprocess; its exit code and trace digest. */
async function gateRun(agentArgs: string[]): Promise<{ code: number; digest: string }> {
  await using dir = await tempDir();
  const { code, stdout, stderr } = await runCli([
    "gate-run",
    "--policies",
    "policies/supplier_payments.yaml",
    "--mocks",
    "mocks/supplier_payments.yaml",
    "--traces",
    dir.path,
    "--run-id",
    "order",
    "--chaos",
    "failing_payments:6",
    "--",
    Deno.execPath(),
    "run",
    "--allow-net",
    "--allow-env",
    "scripts/supplier_agent.ts",
    ...agentArgs,
  ]);
  const trace = JSON.parse(await Deno.readTextFile(`${dir.path}/order.json`)) as Trace;
  assert.deepEqual(faultsOf(trace), ["#4 status"], `${stdout}\n${stderr}`);
  return { code, digest: trace.digest };
}

Deno.test("chaos: gate-run --chaos passes a careful agent and fails a naive one, the same way twice", async () => {
  const careful = await gateRun([]);
  assert.equal(careful.code, 0, "the fault fired and the gate passed");
  const naive = await gateRun(["--naive"]);
  assert.equal(naive.code, 1);
  assert.deepEqual(await gateRun(["--naive"]), naive);
});
