/**
 * Fail closed: a `tools/call` whose evaluation throws (a state store that cannot answer) is
 * refused in enforce — a result with `isError` and the reason, recorded as `error` — and let
 * through in passthrough, recorded as an error. In-process, over a real Redis state store that
 * nothing answers.
 */

import assert from "node:assert/strict";
import type { Mode } from "../../src/engine/outcome.ts";
import { McpGate } from "../../src/mcp/gate.ts";
import type { McpConfig } from "../../src/mcp/mcp_config.ts";
import { CallMemory } from "../../src/tools/call_memory.ts";
import type { RecordedEvent } from "../../src/trace/recorder.ts";
import { Recorder } from "../../src/trace/recorder.ts";
import { compileRedactor } from "../../src/trace/redact.ts";
import { RunIdRule } from "../../src/trace/run_id.ts";
import { compilePolicies } from "../../src/engine/compile_policies.ts";
import { redisStore } from "../../src/state/redis_store.ts";
import type { StateStore } from "../../src/state/state_store.ts";

async function decide(mode: Mode) {
  const store = redisStore("redis://127.0.0.1:1", { timeoutMs: 200 });
  try {
    return await decideOver(mode, store);
  } finally {
    await store.close();
  }
}

async function decideOver(mode: Mode, store: StateStore) {
  const config: McpConfig = {
    policies: compilePolicies({
      policies: [{
        name: "ten",
        tool: "issue_refund",
        operator: "count_lte",
        value: 10,
        message: "m",
      }],
    }, { store }),
    surface: undefined,
    redactor: compileRedactor([]),
    blocksOutright: () => undefined,
    tools: [],
  };
  const recorded: RecordedEvent[] = [];
  const gate = new McpGate({
    mode,
    recorder: new Recorder({ observers: [(r) => recorded.push(r)] }),
    calls: new CallMemory(),
    config: () => config,
    runIds: new RunIdRule({ flag: "eval", env: undefined }),
  });
  const call = {
    jsonrpc: "2.0",
    id: 3,
    method: "tools/call",
    params: { name: "issue_refund", arguments: { amount: 10 } },
  };
  return { inspection: await gate.inspect(call, {}), recorded };
}

Deno.test("enforce: an evaluation error refuses the call with the reason, recorded as error", async () => {
  const { inspection, recorded } = await decide("enforce");
  assert.equal(inspection.kind, "answer");
  const reply = inspection.kind === "answer" ? inspection.reply : {};
  const result = reply.result as { isError: boolean; content: { text: string }[]; _meta: object };
  assert.equal(reply.id, 3);
  assert.equal(result.isError, true);
  assert.match(result.content[0]?.text ?? "", /^evaluation failed: .*redis:\/\/127\.0\.0\.1:1/);
  assert.deepEqual(result._meta, {
    "mirage/outcome": "error",
    "mirage/run_id": "eval",
    "mirage/event": 1,
  });
  assert.deepEqual(recorded.map((r) => [r.event.outcome, r.event.enforced]), [["error", true]]);
  assert.equal(recorded[0]?.event.error, result.content[0]?.text);
});

Deno.test("passthrough: an evaluation error lets the call through, recorded as an error", async () => {
  const { inspection, recorded } = await decide("passthrough");
  assert.equal(inspection.kind, "forward");
  assert.deepEqual(recorded.map((r) => [r.event.outcome, r.event.enforced]), [["error", false]]);
});
