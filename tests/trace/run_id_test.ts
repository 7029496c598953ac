import assert from "node:assert/strict";
import { RunIdRule, sanitiseRunId } from "../../src/trace/run_id.ts";

Deno.test("run id: the first non-empty source wins, in one order for every surface", () => {
  const all = new RunIdRule({ option: "opt", env: "env", flag: "flag" });
  assert.equal(all.resolve({ header: "hdr", call: "call", mcpSession: "mcp" }), "hdr");
  assert.equal(all.resolve({ header: "", call: "call" }), "call");
  assert.equal(all.resolve({ header: null, call: "" }), "opt");
  assert.equal(new RunIdRule({ option: "", env: "env", flag: "flag" }).resolve(), "env");
  assert.equal(new RunIdRule({ env: "", flag: "flag" }).resolve({ mcpSession: "mcp" }), "flag");
  assert.equal(new RunIdRule({ env: undefined }).resolve({ mcpSession: "mcp" }), "mcp");
  assert.equal(new RunIdRule({ env: undefined }).resolve({ mcpSession: "" }), "default");
});

Deno.test("run id: a Headers object is read for x-mirage-run-id; an empty one is absent", () => {
  const rule = new RunIdRule({ flag: "nightly", env: undefined });
  assert.equal(rule.resolve({ header: new Headers({ "x-mirage-run-id": "r7" }) }), "r7");
  assert.equal(rule.resolve({ header: new Headers({ "x-mirage-run-id": "" }) }), "nightly");
  assert.equal(rule.resolve({ header: new Headers() }), "nightly");
  assert.equal(rule.fallback, "nightly");
});

Deno.test("run id: MIRAGE_RUN_ID is read when the rule is made, between option and flag", () => {
  Deno.env.set("MIRAGE_RUN_ID", "from-env");
  try {
    assert.equal(new RunIdRule({ flag: "flag" }).resolve(), "from-env");
    assert.equal(new RunIdRule({ option: "opt", flag: "flag" }).resolve(), "opt");
  } finally {
    Deno.env.delete("MIRAGE_RUN_ID");
  }
  assert.equal(new RunIdRule({ flag: "flag" }).resolve(), "flag");
});

Deno.test("run id: sanitising is idempotent and keeps distinct ids apart", () => {
  const odd = sanitiseRunId("a b/c");
  assert.match(odd, /^a_b_c-[0-9a-f]{10}$/);
  assert.equal(sanitiseRunId(odd), odd);
  assert.notEqual(sanitiseRunId("a b"), sanitiseRunId("a_b"));
  assert.equal(sanitiseRunId("procurement-run"), "procurement-run");
});
