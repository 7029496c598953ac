import assert from "node:assert/strict";
import { OriginCheck } from "../../src/mcp/origin_check.ts";

Deno.test("origin: none is accepted; by default only loopback origins", () => {
  const check = new OriginCheck();
  for (
    const o of [
      "http://localhost",
      "http://localhost:6274",
      "https://127.0.0.1:3000",
      "http://[::1]:8080",
      "http://127.9.9.9",
    ]
  ) {
    assert.equal(check.allows(o), true, o);
  }
  for (
    const o of [
      "https://evil.example",
      "http://localhost.evil.example",
      "null",
      "file://",
      "http://10.0.0.1",
    ]
  ) {
    assert.equal(check.allows(o), false, o);
  }
  assert.equal(check.allows(null), true);
});

Deno.test("origin: --allow-origin replaces the default; exact origins, any case; * allows all", () => {
  const listed = new OriginCheck(["https://App.Example", "http://localhost:3000"]);
  assert.equal(listed.allows("https://app.example"), true);
  assert.equal(listed.allows("https://app.example:443"), true, "the default port is the origin");
  assert.equal(listed.allows("http://localhost:3000"), true);
  assert.equal(listed.allows("http://localhost:3001"), false);
  assert.equal(listed.allows("https://other.example"), false);
  assert.equal(new OriginCheck(["*"]).allows("https://anything.example"), true);
});
