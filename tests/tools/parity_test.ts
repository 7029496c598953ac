/**
 * Same file, same calls, same decisions — whichever gate decides them: `session()`, `guard()`,
 * and `remoteGate()` against a real `mirage gateway` and a real `mirage proxy`. One corpus
 * covers every operator (state rules included, with `per:` scopes and a call decided twice);
 * verdicts and recorded events must agree except for what only CI does (tool mocks).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  guard,
  readTrace,
  remoteGate,
  session,
  type ToolGate,
  type ToolVerdict,
  type TraceEvent,
} from "@mirage/core";
import { tempDir } from "../support/fixtures.ts";
import { PARITY_CALLS, PARITY_MOCKS, PARITY_POLICIES } from "./parity_corpus.ts";
import { startGateway, startProxy } from "./servers.ts";

const RUNS = ["parity-a", "parity-b"];

function withoutMock(v: ToolVerdict): Omit<ToolVerdict, "mock"> {
  const { mock: _, ...rest } = v;
  return rest;
}

function withoutResponse(e: TraceEvent): Omit<TraceEvent, "response"> {
  const { response: _, ...rest } = e;
  return rest;
}

async function eventsOf(dir: string): Promise<TraceEvent[][]> {
  return await Promise.all(RUNS.map(async (run) => (await readTrace(dir, run))?.events ?? []));
}

Deno.test("parity: session, guard and remoteGate to a gateway and a proxy decide the corpus alike", async () => {
  await using dir = await tempDir();
  await using gw = await startGateway(PARITY_POLICIES);
  await using proxy = await startProxy(PARITY_POLICIES, PARITY_MOCKS);
  let now = 1_000_000;
  const clock = () => now;
  const sessionTraces = join(dir.path, "session");
  const guardTraces = join(dir.path, "guard");
  const verdicts = new Map<string, ToolVerdict[]>();
  {
    await using mirage = await session({
      runId: "parity-a",
      policies: PARITY_POLICIES,
      mocks: PARITY_MOCKS,
      traces: sessionTraces,
      clock,
    });
    await using inProcess = await guard({ policies: PARITY_POLICIES, traces: guardTraces, clock });
    const gates: [string, ToolGate][] = [
      ["session", mirage],
      ["guard", inProcess],
      ["gateway", remoteGate(gw.url)],
      ["proxy", remoteGate(proxy.url)],
    ];
    for (const [name] of gates) verdicts.set(name, []);
    for (const call of PARITY_CALLS) {
      for (const [name, gate] of gates) verdicts.get(name)?.push(await gate.decideTool(call));
      now += 1000;
    }
  }
  const bySession = verdicts.get("session") ?? [];
  assert.equal(bySession.length, PARITY_CALLS.length);
  for (const name of ["guard", "gateway", "proxy"]) {
    const other = verdicts.get(name) ?? [];
    PARITY_CALLS.forEach((call, i) => {
      assert.deepEqual(
        withoutMock(other[i] as ToolVerdict),
        withoutMock(bySession[i] as ToolVerdict),
        `${name} differs from session on call ${i}: ${JSON.stringify(call)}`,
      );
    });
  }
  const mocks = (name: string) => (verdicts.get(name) ?? []).map((v) => v.mock);
  assert.deepEqual(mocks("proxy"), mocks("session"), "CI gates answer with the same mocks");
  assert.ok(mocks("session").some((m) => m !== undefined));
  assert.deepEqual(mocks("guard"), PARITY_CALLS.map(() => undefined), "production: no mocks");
  assert.deepEqual(mocks("gateway"), PARITY_CALLS.map(() => undefined));

  const [ci, inProcess, gateway, proxied] = await Promise.all(
    [sessionTraces, guardTraces, gw.traces, proxy.traces].map(eventsOf),
  );
  for (const [name, events] of [["guard", inProcess], ["gateway", gateway], ["proxy", proxied]]) {
    assert.deepEqual(
      (events as TraceEvent[][]).map((run) => run.map(withoutResponse)),
      ci?.map((run) => run.map(withoutResponse)),
      `${name}'s recorded events differ from the session's`,
    );
  }
  assert.deepEqual(
    proxied?.map((run) => run.map((e) => e.response)),
    ci?.map((run) => run.map((e) => e.response)),
  );
  assert.deepEqual(
    gateway?.map((run) => run.map((e) => e.response)),
    inProcess?.map((run) => run.map((e) => e.response)),
  );
  assertCorpusExercised(bySession, ci?.flat() ?? []);
});

/** The corpus is worth comparing: every rule both passes and fails, and the edge cases happen. */
function assertCorpusExercised(verdicts: readonly ToolVerdict[], events: readonly TraceEvent[]) {
  const rules = new Set(verdicts.flatMap((v) => v.decisions.map((d) => d.policy)));
  for (const rule of rules) {
    const decisions = verdicts.flatMap((v) => v.decisions.filter((d) => d.policy === rule));
    assert.ok(decisions.some((d) => d.passed), `${rule} never passes`);
    assert.ok(decisions.some((d) => !d.passed), `${rule} never fails`);
  }
  assert.ok(rules.size >= 37, `only ${rules.size} rules were exercised`);
  const outcomes = new Set(verdicts.map((v) => v.outcome));
  assert.deepEqual([...outcomes].sort(), ["allowed", "flagged", "policy_violation"]);
  const [first, again] = PARITY_CALLS.flatMap((c, i) => c.callId === "dup" ? [verdicts[i]] : []);
  assert.ok(first);
  assert.equal(again, first, "the same call id gets the first verdict back");
  assert.equal(events.filter((e) => e.request.call_id === "dup").length, 1, "recorded once");
  const counted = verdicts.filter((v) => v.policy === "rule_count_lte");
  assert.equal(counted.length, 1, "the repeated call took the count once");
  const secret = JSON.stringify(events);
  assert.ok(!secret.includes("340000000000009"), "the card number reached a trace");
}
