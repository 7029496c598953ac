import assert from "node:assert/strict";
import { MirageError } from "../../src/errors.ts";
import { parsePathPattern, patternCovers, patternsOverlap } from "../../src/config/path_pattern.ts";

Deno.test("parsePathPattern reads literal, param and rest segments", () => {
  assert.deepEqual(parsePathPattern("/v1/orders/{id}/**").segments, [
    { kind: "literal", value: "v1" },
    { kind: "literal", value: "orders" },
    { kind: "param", name: "id" },
    { kind: "rest" },
  ]);
  assert.deepEqual(parsePathPattern("/").segments, [{ kind: "literal", value: "" }]);
});

Deno.test("parsePathPattern rejects malformed patterns with a reason", async (t) => {
  const cases: [string, boolean, string][] = [
    ["v1/x", true, "invalid path 'v1/x': must start with '/'"],
    ["/a/**/b", true, "invalid path '/a/**/b': '**' is only allowed as the final segment"],
    ["/a/**", false, "invalid path '/a/**': '**' is only allowed in policy paths"],
    ["/a//b", true, "invalid path '/a//b': empty segment ('//')"],
    [
      "/a/{1x}",
      true,
      "invalid path '/a/{1x}': segment '{1x}' must be literal text or a {name} parameter",
    ],
    [
      "/a?x=1",
      true,
      "invalid path '/a?x=1': segment 'a?x=1' must be literal text or a {name} parameter",
    ],
    ["/{id}/{id}", true, "invalid path '/{id}/{id}': parameter '{id}' appears twice"],
  ];
  for (const [source, allowRest, message] of cases) {
    await t.step(source, () => {
      assert.throws(
        () => parsePathPattern(source, allowRest),
        (e) => e instanceof MirageError && e.message === message,
      );
    });
  }
});

Deno.test("patternsOverlap and patternCovers compare patterns segment by segment", async (t) => {
  const cases: [string, string, boolean, boolean][] = [
    // a, b, overlap(a, b), covers(a, b)
    ["/v1/x", "/v1/x", true, true],
    ["/v1/x", "/v1/y", false, false],
    ["/v1/{id}", "/v1/x", true, true],
    ["/v1/x", "/v1/{id}", true, false],
    ["/v1/**", "/v1", true, true],
    ["/v1/**", "/v1/a/b/c", true, true],
    ["/v1/**", "/v2/a", false, false],
    ["/v1/{id}", "/v1/**", true, false],
    ["/**", "/anything/{x}", true, true],
    ["/v1/{a}/x", "/v1/{b}/y", false, false],
    ["/v1/a", "/v1/a/b", false, false],
  ];
  for (const [a, b, overlap, covers] of cases) {
    await t.step(`${a} vs ${b}`, () => {
      const [pa, pb] = [parsePathPattern(a), parsePathPattern(b)];
      assert.equal(patternsOverlap(pa, pb), overlap);
      assert.equal(patternsOverlap(pb, pa), overlap);
      assert.equal(patternCovers(pa, pb), covers);
    });
  }
});
