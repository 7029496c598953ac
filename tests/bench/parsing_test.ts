import assert from "node:assert/strict";
import { parseWrk } from "../../bench/gateway/wrk.ts";
import { parseBenchArgs } from "../../bench/lib/cli_args.ts";
import { percentile } from "../../bench/lib/stats.ts";

const WRK = `Running 5s test @ http://127.0.0.1:8080/v1/get_quote
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.61ms    1.20ms  30.10ms   90.00%
  Latency Distribution
     50%  412.00us
     75%    2.50ms
     90%    3.10ms
     99%    1.20s
  58000 requests in 5.00s, 9.00MB read
  Non-2xx or 3xx responses: 12
Requests/sec:  11600.25
Transfer/sec:      1.80MB
`;

Deno.test("wrk's report parses into req/s and latency percentiles in µs", () => {
  const r = parseWrk(WRK);
  assert.equal(r.requestsPerSecond, 11600.25);
  assert.deepEqual(r.latencyUs, { p50: 412, p75: 2500, p90: 3100, p99: 1_200_000 });
  assert.equal(r.non2xx, 12);
});

Deno.test("names on the command line select suites; a scenario implies containment", () => {
  const names = ["procurement", "pii_leak"];
  assert.deepEqual(parseBenchArgs([], names).suites, [
    "containment",
    "decide",
    "scale",
    "peers",
    "gateway",
    "state",
    "traces",
    "mcp",
  ]);
  const one = parseBenchArgs(["pii_leak", "scale", "--check"], names);
  assert.deepEqual(one.suites, ["containment", "scale"]);
  assert.deepEqual(one.scenarios, ["pii_leak"]);
  assert.equal(one.check, true);
  assert.throws(() => parseBenchArgs(["nope"], names), /unknown suite or scenario 'nope'/);
});

Deno.test("percentile by nearest rank", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile([3, 1, 2], 100), 3);
  assert.ok(Number.isNaN(percentile([], 50)));
});
