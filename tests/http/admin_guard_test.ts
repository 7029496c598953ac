/** Who may use the admin routes: loopback only without a token; the bearer token with one. */

import assert from "node:assert/strict";
import { checkAdmin, isLoopback } from "../../src/http/admin_guard.ts";

Deno.test("loopback addresses", () => {
  for (const ip of ["127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1"]) {
    assert.ok(isLoopback(ip), ip);
  }
  for (const ip of ["10.0.0.1", "192.168.1.2", "::ffff:10.0.0.1", "fe80::1", "1270.0.0.1"]) {
    assert.ok(!isLoopback(ip), ip);
  }
});

Deno.test("without a token, only loopback clients pass", () => {
  assert.equal(checkAdmin(undefined, "127.0.0.1", null), undefined);
  assert.equal(checkAdmin(undefined, "10.1.2.3", null)?.status, 403);
  assert.equal(checkAdmin(undefined, "10.1.2.3", "Bearer anything")?.status, 403);
});

Deno.test("with a token, any client with the right bearer token passes, and no one without it", () => {
  assert.equal(checkAdmin("tok", "10.1.2.3", "Bearer tok"), undefined);
  assert.equal(checkAdmin("tok", "10.1.2.3", "bearer tok"), undefined);
  assert.equal(checkAdmin("tok", "127.0.0.1", null)?.status, 401);
  assert.equal(checkAdmin("tok", "127.0.0.1", "Bearer tok2")?.status, 401);
  assert.equal(checkAdmin("tok", "127.0.0.1", "Basic tok")?.status, 401);
});
