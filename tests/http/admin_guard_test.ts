/**
 * The admin guard's rules, the same on every surface: `health` always open; loopback only
 * without an admin token; the bearer token with one, loopback included; `v1/decide` on its own
 * token when one is set.
 */

import assert from "node:assert/strict";
import { AdminGuard, isLoopback, namesLoopback } from "../../src/http/admin_guard.ts";

Deno.test("loopback addresses", () => {
  for (const ip of ["127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1"]) {
    assert.ok(isLoopback(ip), ip);
  }
  for (const ip of ["10.0.0.1", "192.168.1.2", "::ffff:10.0.0.1", "fe80::1", "1270.0.0.1"]) {
    assert.ok(!isLoopback(ip), ip);
  }
});

Deno.test("guard: health is always open, whatever the client and the tokens", () => {
  for (const access of [{}, { adminToken: "tok" }, { adminToken: "tok", decideToken: "d" }]) {
    const guard = new AdminGuard(access);
    assert.equal(guard.check("/health", "10.1.2.3", null), undefined);
    assert.equal(guard.check("/health", undefined, "Bearer wrong"), undefined);
  }
});

Deno.test("guard: without a token, only loopback clients pass (an unknown peer is not loopback)", () => {
  const guard = new AdminGuard();
  for (const route of ["/metrics", "/v1/runs", "/v1/runs/r1", "/v1/decide", "/nope", ""]) {
    assert.equal(guard.check(route, "127.0.0.1", null), undefined, route);
    assert.equal(guard.check(route, "10.1.2.3", null)?.status, 403, route);
    assert.equal(guard.check(route, "10.1.2.3", "Bearer anything")?.status, 403, route);
    assert.equal(guard.check(route, undefined, null)?.status, 403, route);
  }
});

Deno.test("guard: with an admin token, every client needs it, loopback included", () => {
  const guard = new AdminGuard({ adminToken: "tok" });
  assert.equal(guard.check("/v1/runs", "10.1.2.3", "Bearer tok"), undefined);
  assert.equal(guard.check("/v1/runs", "10.1.2.3", "bearer tok"), undefined);
  assert.equal(guard.check("/v1/decide", "10.1.2.3", "Bearer tok"), undefined);
  assert.equal(guard.check("/metrics", "127.0.0.1", null)?.status, 401);
  assert.equal(guard.check("/metrics", "127.0.0.1", "Bearer tok2")?.status, 401);
  assert.equal(guard.check("/metrics", "127.0.0.1", "Basic tok")?.status, 401);
});

Deno.test("guard: a decide token opens v1/decide alone, from any client; the admin token too", () => {
  const guard = new AdminGuard({ adminToken: "admin", decideToken: "gate" });
  assert.equal(guard.check("/v1/decide", "10.1.2.3", "Bearer gate"), undefined);
  assert.equal(guard.check("/v1/decide", "10.1.2.3", "Bearer admin"), undefined);
  assert.equal(guard.check("/v1/decide", "127.0.0.1", null)?.status, 401);
  assert.equal(guard.check("/v1/runs", "10.1.2.3", "Bearer gate")?.status, 401);
  assert.equal(guard.check("/metrics", "127.0.0.1", "Bearer gate")?.status, 401);
  const alone = new AdminGuard({ decideToken: "gate" });
  assert.equal(alone.check("/v1/decide", "10.1.2.3", "Bearer gate"), undefined);
  assert.equal(alone.check("/v1/decide", "127.0.0.1", null)?.status, 401, "a set token is needed");
  assert.equal(alone.check("/v1/runs", "127.0.0.1", null), undefined, "others: loopback rule");
  assert.equal(alone.check("/v1/runs", "10.1.2.3", "Bearer gate")?.status, 403);
});

Deno.test("guard: refusals are JSON answers, 401 with a bearer challenge", async () => {
  const guard = new AdminGuard({ adminToken: "tok" });
  const refused = guard.refusal("/v1/runs", "127.0.0.1", new Request("http://x/_mirage/v1/runs"));
  assert.equal(refused?.status, 401);
  assert.equal(refused?.headers.get("www-authenticate"), 'Bearer realm="mirage"');
  assert.equal((await refused?.json()).error, "forbidden");
  const loopbackOnly = new AdminGuard().refusal("/metrics", "10.0.0.1", new Request("http://x/"));
  assert.equal(loopbackOnly?.status, 403);
  assert.equal(loopbackOnly?.headers.get("www-authenticate"), null);
  await loopbackOnly?.body?.cancel();
});

Deno.test("guard: the console takes the admin token as a Basic password too; nothing else does", () => {
  const guard = new AdminGuard({ adminToken: "tok", decideToken: "gate" });
  const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
  for (const route of ["/console", "/console/", "/console/runs/r1"]) {
    assert.equal(guard.check(route, "10.1.2.3", basic("anyone", "tok")), undefined, route);
    assert.equal(guard.check(route, "10.1.2.3", "Bearer tok"), undefined, route);
    assert.equal(guard.check(route, "10.1.2.3", basic("tok", "nope"))?.status, 401, route);
    assert.equal(guard.check(route, "10.1.2.3", "Basic !!not-base64")?.status, 401, route);
    assert.equal(
      guard.check(route, "10.1.2.3", basic("x", "gate"))?.status,
      401,
      "not the decide token",
    );
  }
  for (const route of ["/v1/runs", "/metrics", "/consoles", "/v1/decide"]) {
    assert.equal(guard.check(route, "10.1.2.3", basic("anyone", "tok"))?.status, 401, route);
  }
  const refused = guard.refusal("/console/", "127.0.0.1", new Request("http://x/_mirage/console/"));
  assert.equal(refused?.headers.get("www-authenticate"), 'Basic realm="mirage"');
});

Deno.test("guard: without a token the console needs a loopback Host as well as a loopback client", () => {
  const guard = new AdminGuard();
  for (
    const host of ["127.0.0.1:8003", "127.9.9.9", "localhost:8003", "app.localhost", "[::1]:8003"]
  ) {
    assert.equal(guard.check("/console/", "127.0.0.1", null, host), undefined, host);
    assert.ok(namesLoopback(host), host);
  }
  for (const host of ["attacker.example:8003", "127.0.0.1.nip.io", "[::2]:1", "", null]) {
    assert.equal(guard.check("/console/runs", "127.0.0.1", null, host)?.status, 403, String(host));
  }
  assert.equal(guard.check("/v1/runs", "127.0.0.1", null, "attacker.example"), undefined);
  const withToken = new AdminGuard({ adminToken: "tok" });
  assert.equal(
    withToken.check("/console/", "10.0.0.1", "Bearer tok", "mirage.internal:8080"),
    undefined,
  );
});
