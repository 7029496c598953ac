import assert from "node:assert/strict";
import { requestLine } from "../../src/log/request_log.ts";
import { allowed, failed, flagged, unmatched, violation } from "../support/trace_events.ts";

Deno.test("request log: one line per outcome, as the landing page shows it", () => {
  const line = (e: typeof allowed, enforced = true) =>
    requestLine({ seq: 1, ...e, enforced }, 212, false);
  assert.equal(line(allowed), "agent → GET /v1/suppliers allowed · 0.2ms");
  assert.equal(
    line(violation),
    "agent → POST /v1/submit_bid policy_violation ✗ enforce_bid_limit (max: 25000) · 0.2ms",
  );
  assert.equal(
    line(flagged),
    "agent → POST /v1/get_quote flagged ⚑ flag_bulk_quotes (lte: 1000) · 0.2ms",
  );
  assert.equal(
    line(unmatched),
    "agent → DELETE /v1/orders unmatched_route ✗ no declared mock · 0.2ms",
  );
  assert.equal(
    line(failed),
    "agent → GET /v1/budget error ✗ upstream timed out after 30000 ms · 0.2ms",
  );
  assert.match(line(violation, false), /\(max: 25000\) \(not enforced\) · 0\.2ms$/);
});

Deno.test("request log: colour only when asked", () => {
  const coloured = requestLine({ seq: 1, ...violation }, 1000, true);
  assert.ok(coloured.includes("\x1b[31mpolicy_violation\x1b[0m"), coloured);
  assert.ok(!requestLine({ seq: 1, ...violation }, 1000, false).includes("\x1b"));
});

Deno.test("request log: a declared fault that fired is shown beside the outcome", () => {
  const line = (response: typeof allowed.response) =>
    requestLine({ seq: 1, ...allowed, response, enforced: true }, 212, false);
  assert.equal(
    line({ status: 503, fault: "status" }),
    "agent → GET /v1/suppliers allowed ⚡ fault status 503 · 0.2ms",
  );
  assert.equal(
    line({ fault: "reset" }),
    "agent → GET /v1/suppliers allowed ⚡ fault reset · 0.2ms",
  );
  assert.equal(
    line({ status: 200, fault: "delay", delay_ms: 40 }),
    "agent → GET /v1/suppliers allowed ⚡ fault delay · 0.2ms",
  );
});
