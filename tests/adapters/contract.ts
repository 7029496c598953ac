/**
 * What every adapter seam must do, as one set of tests each seam runs against the real SDK: a
 * violating call never runs and the model is told why, `count_lte` holds through the three
 * gates, a stopped gateway and a closed gate block, a flagged call runs. Each seam says how it
 * runs its SDK's agent loop and how the model is shown a tool's text and a block.
 */

import assert from "node:assert/strict";
import { MirageViolationError, type ToolGate } from "@mirage/core";
import type { MirageToolOptions } from "@mirage/core/openai-agents";
import {
  type Call,
  GATES,
  REFUND_COUNT,
  REFUND_LIMIT,
  supportSession,
  toolEvents,
} from "./fixtures.ts";

/** The model's calls, turn by turn. */
export type Turns = readonly (readonly Call[])[];

/** One adapter seam over one SDK, as the contract drives it. */
export interface Seam {
  readonly name: string;
  /** Runs the SDK's agent loop over `turns`, the tools gated; what ran, what the model was told. */
  run(gate: ToolGate, turns: Turns, options?: MirageToolOptions): Promise<{
    readonly ran: readonly string[];
    /** What the model was given for each call id, in the SDK's own shape. */
    readonly told: Readonly<Record<string, unknown>>;
  }>;
  /** How the model is given a tool's text result. */
  result(text: string): unknown;
  /** How the model is given a blocked call's message. */
  blocked(message: string): unknown;
}

/** Registers the contract's tests for `seam`. */
export function adapterContract(seam: Seam): void {
  const t = (what: string, fn: () => Promise<void>) => Deno.test(`${seam.name}: ${what}`, fn);

  t("the violating call never runs, the model is told why, both are traced", async () => {
    await using mirage = await supportSession();
    const { ran, told } = await seam.run(mirage, [
      [["issue_refund", { amount: 20 }, "c1"]],
      [["issue_refund", { amount: 900 }, "c2"]],
    ]);
    assert.deepEqual(ran, ["issue_refund 20"]);
    assert.deepEqual(told, { c1: seam.result("refunded 20"), c2: seam.blocked(REFUND_LIMIT) });
    assert.deepEqual(toolEvents(mirage.events), [
      ["c1", "allowed", { ran: true }],
      ["c2", "policy_violation", {}],
    ]);
    assert.throws(() => mirage.assertClean(), MirageViolationError);
  });

  for (const { name, start } of GATES) {
    t(`count_lte on a tool holds through ${name}`, async () => {
      await using rig = await start();
      const { ran, told } = await seam.run(rig.gate, [
        [["issue_refund", { amount: 10 }, "c1"]],
        [["issue_refund", { amount: 20 }, "c2"]],
        [["issue_refund", { amount: 30 }, "c3"]],
      ], { runId: "gates" });
      assert.deepEqual(ran, ["issue_refund 10", "issue_refund 20"]);
      assert.deepEqual(told.c3, seam.blocked(REFUND_COUNT));
      const events = await rig.events();
      if (events) {
        assert.deepEqual(events.map((e) => e.outcome), ["allowed", "allowed", "policy_violation"]);
      }
    });
  }

  t("a stopped gateway makes remoteGate block", async () => {
    const remote = GATES.find((g) => g.name.startsWith("remoteGate"));
    await using rig = await (remote as (typeof GATES)[number]).start();
    await rig.stop();
    const { ran, told } = await seam.run(rig.gate, [[["issue_refund", { amount: 5 }, "c1"]]]);
    assert.deepEqual(ran, []);
    const why = JSON.stringify(told.c1);
    assert.match(why, /Blocked by Mirage: cannot reach the Mirage gate at http:/);
    const [head] = JSON.stringify(seam.blocked("¶")).split("¶");
    assert.ok(why.startsWith(head as string), `${why} is not shown as a block`);
  });

  t("a closed gate blocks", async () => {
    const mirage = await supportSession();
    await mirage.close();
    const { ran, told } = await seam.run(mirage, [[["issue_refund", { amount: 5 }, "c1"]]]);
    assert.deepEqual(ran, []);
    assert.deepEqual(
      told.c1,
      seam.blocked(
        "Blocked by Mirage: the Mirage gate could not decide (session 'support' is closed)",
      ),
    );
  });

  t("a flagged call runs and is recorded as flagged", async () => {
    await using mirage = await supportSession();
    const { ran, told } = await seam.run(mirage, [
      [["send_email", { to: "jo@else.example", body: "Hi" }, "c1"]],
    ]);
    assert.deepEqual(ran, ["send_email jo@else.example"]);
    assert.deepEqual(told.c1, seam.result("sent to jo@else.example"));
    assert.deepEqual(toolEvents(mirage.events), [["c1", "flagged", { ran: true }]]);
  });
}
