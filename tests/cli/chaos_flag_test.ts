/**
 * `mirage proxy --chaos` as a user runs it: the listening line says which profile is on, a
 * declared fault fires on the wire and in the trace, a bad value is a usage error (exit 2) and
 * a profile the mocks file does not declare is an error naming the ones it does (exit 1).
 */

import assert from "node:assert/strict";
import { readTrace } from "@mirage/core";
import { runCli, startProxyProcess } from "../support/cli_process.ts";
import { workspace } from "../support/fixtures.ts";

const MOCKS = `mocks:
  - name: pay
    method: POST
    path: /v1/pay
    response: { json: { paid: true } }
chaos:
  failing_payments:
    - { route: pay, fault: status, status: 503, body: { error: down } }
`;

Deno.test("proxy --chaos: the profile is on for the run, and the trace says so", async () => {
  await using ws = await workspace("policies: []\n", MOCKS);
  const proxy = await startProxyProcess([
    "--mocks",
    ws.mocks,
    "--policies",
    ws.policies,
    "--traces",
    ws.traces,
    "--chaos",
    "failing_payments:7",
  ]);
  let log: string;
  try {
    const pay = await fetch(`${proxy.url}/v1/pay`, {
      method: "POST",
      body: "{}",
      headers: { "x-mirage-run-id": "chaos-cli" },
    });
    assert.equal(pay.status, 503);
    assert.deepEqual(await pay.json(), { error: "down" });
  } finally {
    log = (await proxy.stop()).stdout;
  }
  assert.match(log, /proxy listening on :\d+ · 1 route · 0 policies · chaos failing_payments:7/);
  assert.match(log, /POST \/v1\/pay allowed ⚡ fault status 503/);
  const trace = await readTrace(ws.traces, "chaos-cli");
  assert.deepEqual(trace?.events[0]?.response, { status: 503, fault: "status" });
});

Deno.test("proxy --chaos: a bad value is a usage error, an undeclared profile an error", async () => {
  await using ws = await workspace("policies: []\n", MOCKS);
  const files = ["--mocks", ws.mocks, "--policies", ws.policies, "--port", "0"];
  const bad = await runCli(["proxy", ...files, "--chaos", "failing payments"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--chaos: chaos takes a seed, a profile name or name:seed/);
  const unknown = await runCli(["proxy", ...files, "--chaos", "failing_payment"]);
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /unknown chaos profile 'failing_payment' \(did you mean 'failing_payments'\?\); the mocks file declares 'failing_payments'/,
  );
  const noFaults = await runCli(["proxy", ...files, "--chaos", "7"]);
  assert.equal(noFaults.code, 1);
  assert.match(noFaults.stderr, /no faults are declared on the mocks themselves/);
});

Deno.test("gate-run --chaos needs a command to run", async () => {
  const { code, stderr } = await runCli(["gate-run", "--chaos", "7"]);
  assert.equal(code, 2);
  assert.match(stderr, /--chaos needs a command/);
});
