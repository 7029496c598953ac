import assert from "node:assert/strict";
import { didYouMean, suggest } from "../../src/config/suggest.ts";

Deno.test("suggest finds near misses and ignores far ones", async (t) => {
  const cases: [string, string[], string | undefined][] = [
    ["paths", ["name", "path", "method"], "path"],
    ["maxx", ["max", "min", "lte"], "max"],
    ["lenght_lte", ["length_lte", "length_gte"], "length_lte"],
    ["Method", ["method"], "method"],
    ["opertor", ["operator", "value"], "operator"],
    ["policy", ["version", "policies", "redact"], "policies"],
    ["per", ["path", "tool"], undefined],
    ["zzz", ["path", "method"], undefined],
    ["x", ["ab"], undefined],
    ["status", ["headers", "json", "status_code"], "status_code"],
    ["regex", ["not_regex_match", "regex_match"], "regex_match"],
    ["stat", ["status_code"], undefined],
  ];
  for (const [word, candidates, expected] of cases) {
    await t.step(`${word} -> ${expected}`, () => assert.equal(suggest(word, candidates), expected));
  }
});

Deno.test("didYouMean formats a suffix, or nothing", () => {
  assert.equal(didYouMean("maxx", ["max"]), " (did you mean 'max'?)");
  assert.equal(didYouMean("qqqq", ["max"]), "");
});
