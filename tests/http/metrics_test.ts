import assert from "node:assert/strict";
import { Metrics } from "../../src/http/metrics.ts";

Deno.test("metrics: counters by outcome and policy, cumulative latency histogram", () => {
  const m = new Metrics();
  m.observe({ outcome: "allowed", failedPolicies: [], decideSeconds: 0.000002 });
  m.observe({
    outcome: "policy_violation",
    failedPolicies: ["cap", "quote"],
    decideSeconds: 0.0002,
  });
  m.observe({ outcome: "policy_violation", failedPolicies: ["cap"], decideSeconds: 2 });
  const text = m.render();
  assert.match(text, /^# TYPE mirage_requests_total counter$/m);
  assert.match(text, /^mirage_requests_total\{outcome="allowed"\} 1$/m);
  assert.match(text, /^mirage_requests_total\{outcome="policy_violation"\} 2$/m);
  assert.match(text, /^mirage_policy_failures_total\{policy="cap"\} 2$/m);
  assert.match(text, /^mirage_policy_failures_total\{policy="quote"\} 1$/m);
  assert.match(text, /^# TYPE mirage_decision_seconds histogram$/m);
  assert.match(text, /^mirage_decision_seconds_bucket\{le="0.000001"\} 0$/m);
  assert.match(text, /^mirage_decision_seconds_bucket\{le="0.000005"\} 1$/m);
  assert.match(text, /^mirage_decision_seconds_bucket\{le="0.0005"\} 2$/m);
  assert.match(text, /^mirage_decision_seconds_bucket\{le="0.1"\} 2$/m);
  assert.match(text, /^mirage_decision_seconds_bucket\{le="\+Inf"\} 3$/m);
  assert.match(text, /^mirage_decision_seconds_count 3$/m);
  assert.ok(text.endsWith("\n"));
});

Deno.test("metrics: label values are escaped", () => {
  const m = new Metrics();
  m.observe({ outcome: "flagged", failedPolicies: ['a "quoted"\\name\nx'], decideSeconds: 0 });
  assert.match(
    m.render(),
    /^mirage_policy_failures_total\{policy="a \\"quoted\\"\\\\name\\nx"\} 1$/m,
  );
});
