import assert from "node:assert/strict";
import {
  hostMatches,
  hostPatternCovers,
  hostPatternsOverlap,
  isHostname,
  isHostPattern,
} from "../../src/config/host_pattern.ts";

Deno.test("isHostname and isHostPattern", () => {
  for (const ok of ["api.acme.internal", "localhost", "10.0.0.1", "[::1]", "A-B.example.COM"]) {
    assert.equal(isHostname(ok), true, ok);
  }
  for (const bad of ["", "-a.com", "a-.com", "a..com", "a b.com", "https://a.com", "*.a.com"]) {
    assert.equal(isHostname(bad), false, bad);
  }
  assert.equal(isHostPattern("*.example.com"), true);
  assert.equal(isHostPattern("api.*.com"), false);
  assert.equal(isHostPattern("*"), false);
});

Deno.test("host patterns: matching, covering, overlapping", () => {
  assert.equal(hostMatches("*.example.com", "a.example.com"), true);
  assert.equal(hostMatches("*.example.com", "a.b.example.com"), true);
  assert.equal(hostMatches("*.example.com", "example.com"), false);
  assert.equal(hostMatches("Example.com", "example.COM"), true);
  assert.equal(hostPatternCovers("*.example.com", "*.api.example.com"), true);
  assert.equal(hostPatternCovers("*.api.example.com", "*.example.com"), false);
  assert.equal(hostPatternCovers("*.example.com", "example.com"), false);
  assert.equal(hostPatternCovers("a.example.com", "*.example.com"), false);
  assert.equal(hostPatternsOverlap("*.example.com", "a.example.com"), true);
  assert.equal(hostPatternsOverlap("*.a.com", "*.b.com"), false);
  assert.equal(hostPatternsOverlap("a.com", "b.com"), false);
});
