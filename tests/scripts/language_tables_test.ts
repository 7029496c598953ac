/**
 * The generated tables of `docs/language.md`: the blocks are replaced and the page around them
 * kept, a page without a block is an error, and every example in the operator table is a rule
 * the validator accepts.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { validatePolicies } from "../../src/config/load.ts";
import { isStateOperator, OPERATOR_NAMES } from "../../src/config/operators.ts";
import { MirageError } from "../../src/errors.ts";
import { NORMALIZE_STEP_NAMES } from "../../src/config/normalize_steps.ts";
import {
  fieldTable,
  generateLanguageDoc,
  normalizeTable,
  operatorExample,
  operatorTable,
} from "../../scripts/language_tables.ts";

const PAGE = [
  "# Language",
  "",
  "Hand-written text.",
  "",
  "<!-- generated:fields -->",
  "| stale |",
  "<!-- /generated:fields -->",
  "",
  "Between the tables.",
  "",
  "<!-- generated:operators -->",
  "<!-- /generated:operators -->",
  "",
  "<!-- generated:normalize -->",
  "<!-- /generated:normalize -->",
  "",
  "After.",
  "",
].join("\n");

Deno.test("the generated blocks are rendered afresh and the page around them is kept", () => {
  const page = generateLanguageDoc(PAGE);
  assert.equal(
    page,
    [
      "# Language\n\nHand-written text.\n\n<!-- generated:fields -->\n\n",
      fieldTable(),
      "\n\n<!-- /generated:fields -->\n\nBetween the tables.\n\n<!-- generated:operators -->\n\n",
      operatorTable(),
      "\n\n<!-- /generated:operators -->\n\n<!-- generated:normalize -->\n\n",
      normalizeTable(),
      "\n\n<!-- /generated:normalize -->\n\nAfter.\n",
    ].join(""),
  );
  assert.equal(generateLanguageDoc(page), page);
});

Deno.test("a page without a generated block is an error that names it", () => {
  const withoutOperators = PAGE.replace("<!-- /generated:operators -->", "");
  assert.throws(
    () => generateLanguageDoc(withoutOperators, "docs/x.md"),
    (e: unknown) =>
      e instanceof MirageError && e.code === "generated_block_missing" &&
      e.message ===
        "docs/x.md has no <!-- generated:operators --> … <!-- /generated:operators --> block",
  );
});

Deno.test("the operator table has a row per name, aliases saying what they stand for", () => {
  const rows = operatorTable().split("\n").slice(2);
  assert.equal(rows.length, OPERATOR_NAMES.length);
  for (const [i, op] of OPERATOR_NAMES.entries()) {
    assert.ok(rows[i]?.startsWith(`| \`${op}\` `), rows[i]);
  }
  assert.match(rows[OPERATOR_NAMES.indexOf("max")] ?? "", /\| Alias of `lte`\. +\|/);
  assert.match(operatorTable(), /`\*\.suffix` patterns/);
});

Deno.test("every example in the operator table is a rule the validator accepts", () => {
  for (const op of OPERATOR_NAMES) {
    const example = parse(operatorExample(op));
    assert.equal(example.operator, op);
    const rule = { name: op, ...example, message: "m" };
    validatePolicies({ policies: [rule] });
    if (!isStateOperator(op)) {
      validatePolicies({ policies: [{ name: op, when: { not: example }, message: "m" }] });
    }
  }
});

Deno.test("the step table has a row per step, invisible characters shown as escapes", () => {
  const rows = normalizeTable().split("\n").slice(2);
  assert.deepEqual(rows.map((r) => r.match(/^\| `([a-z0-9_]+)`/)?.[1]), NORMALIZE_STEP_NAMES);
  const invisible = rows[NORMALIZE_STEP_NAMES.indexOf("strip_invisible")] ?? "";
  assert.match(invisible, /`"123\\u200b-\\u200b45-\\u200d6789\\u00ad"` → `"123-45-6789"`/);
  assert.match(rows[NORMALIZE_STEP_NAMES.indexOf("base64")] ?? "", /also reads `"123-45-6789"`/);
});
