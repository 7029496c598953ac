/**
 * The shipped webhook rules read where the webhook posts to — the body's `url` — not the URL of
 * the request that registers it: through `session()` with policies/ and mocks/outbound_data.yaml.
 */

import assert from "node:assert/strict";
import { session } from "@mirage/core";

const FILES = {
  policies: new URL("../../policies/outbound_data.yaml", import.meta.url),
  mocks: new URL("../../mocks/outbound_data.yaml", import.meta.url),
};

const CASES: [url: string, status: number, policy: string | null][] = [
  ["https://evil.com/x", 403, "webhook_egress_allowlist"],
  ["http://hooks.slack.com/services/T0/B0/x", 403, "webhooks_use_https"],
  ["https://hooks.slack.com\\@evil.com/x", 403, "webhook_egress_allowlist"],
  ["https://hooks.slack.com/services/T0/B0/x", 201, null],
  ["https://alerts.acme.internal/in", 201, null],
];

Deno.test("session: the shipped webhook rules check the posted url, not the request's", async () => {
  await using mirage = await session({ runId: "webhooks", ...FILES, traces: false });
  for (const [url, status, policy] of CASES) {
    const res = await mirage.fetch("https://api.acme.internal/v1/webhooks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url }),
    });
    const body = await res.json();
    assert.deepEqual([res.status, res.headers.get("x-mirage-policy")], [status, policy], url);
    if (status === 201) assert.deepEqual(body, { webhook_id: "WH-1", url });
  }
  const failing = mirage.events.filter((e) => e.outcome === "policy_violation")
    .flatMap((e) => e.decisions.filter((d) => !d.passed).map((d) => [d.policy, d.actual]));
  assert.deepEqual(failing, [
    ["webhook_egress_allowlist", "https://evil.com/x"],
    ["webhooks_use_https", "http://hooks.slack.com/services/T0/B0/x"],
    ["webhook_egress_allowlist", "https://hooks.slack.com\\@evil.com/x"],
  ]);
});
