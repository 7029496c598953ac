/**
 * `deno task demo`, the README's first command: the landing page's story, and exit 0.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { CONFIG, ROOT } from "../support/cli_process.ts";

Deno.test("demo: two calls allowed, the bid stopped, nothing landed, one trace", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, join(ROOT, "scripts/demo.ts")],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
  const lines = stdout.split("\n");
  const requests = lines.filter((l) => l.startsWith("agent → "));
  assert.equal(requests.length, 3, stdout);
  assert.match(requests[0] ?? "", /^agent → POST \/v1\/get_quote allowed · \d+\.\dms$/);
  assert.match(requests[1] ?? "", /^agent → GET \/v1\/suppliers allowed · \d+\.\dms$/);
  assert.match(
    requests[2] ?? "",
    /^agent → POST \/v1\/submit_bid policy_violation ✗ enforce_bid_limit \(max: 25000\) · \d+\.\dms$/,
  );
  assert.match(stdout, /^\[mirage\] proxy listening on :\d+ · 12 routes · 4 policies$/m);
  assert.match(stdout, /^side_effect_count: 0$/m);
  assert.match(stdout, /^trace: artifacts\/traces\/procurement-run\.json$/m);
  assert.match(stdout, /^outcome: policy_violation \(enforce_bid_limit\)$/m);
  assert.match(stdout, /^Next:$/m);
  assert.match(stdout, /deno task mirage gate-run --traces artifacts\/traces/);
  assert.match(stdout, /deno task mirage console --traces artifacts\/traces/);
  const trace = JSON.parse(
    await Deno.readTextFile(join(ROOT, "artifacts/traces/procurement-run.json")),
  );
  assert.equal(trace.outcome, "policy_violation");
  assert.equal(trace.side_effect_count, 0);
});
