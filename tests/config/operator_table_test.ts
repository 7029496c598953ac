/**
 * The operator table: its names, its aliases, and the compiler's check that every operator in
 * it has a value schema, a predicate or a state rule.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  canonicalOperator,
  isOperatorName,
  isPresenceOperator,
  isStateOperator,
  OPERATOR_NAMES,
  OPERATORS,
  operatorsIn,
  operatorSpec,
} from "../../src/config/operators.ts";
import { compilePolicies, MirageError, type OperatorName } from "@mirage/core";
import { CONFIG, ROOT } from "../support/cli_process.ts";

Deno.test("every operator name is unique, and every alias stands for an operator of the table", () => {
  assert.equal(new Set(OPERATOR_NAMES).size, OPERATOR_NAMES.length);
  const aliases = OPERATOR_NAMES.filter((op) => !(op in OPERATORS));
  assert.deepEqual(aliases, ["max", "min"]);
  assert.equal(canonicalOperator("max"), "lte");
  assert.equal(canonicalOperator("min"), "gte");
  for (const op of OPERATOR_NAMES) {
    assert.ok(canonicalOperator(op) in OPERATORS, op);
    assert.equal(operatorSpec(op), OPERATORS[canonicalOperator(op)], op);
  }
});

Deno.test("the groups of the table decide which operators keep state or take no value", () => {
  assert.deepEqual(operatorsIn("presence"), ["exists", "not_exists"]);
  assert.deepEqual(operatorsIn("state"), [
    "count_lte",
    "rate_lte",
    "sum_lte",
    "requires_prior",
    "forbids_prior",
  ]);
  assert.deepEqual(OPERATOR_NAMES.filter(isStateOperator), operatorsIn("state"));
  assert.deepEqual(OPERATOR_NAMES.filter(isPresenceOperator), operatorsIn("presence"));
  assert.equal(isOperatorName("max"), true);
  assert.equal(isOperatorName("maxx"), false);
  assert.equal(isOperatorName(7), false);
  assert.equal(isOperatorName("constructor"), false);
});

/** A copy of the sources the type checker reads, with `edit` applied to the operator table. */
async function copyWithTable(edit: (table: string) => string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mirage-optable-" });
  await Deno.copyFile(CONFIG, join(dir, "deno.json"));
  await Deno.copyFile(join(ROOT, "deno.lock"), join(dir, "deno.lock"));
  await copyTree(join(ROOT, "src"), join(dir, "src"));
  const table = join(dir, "src/config/operators.ts");
  await Deno.writeTextFile(table, edit(await Deno.readTextFile(table)));
  return dir;
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const [a, b] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory) await copyTree(a, b);
    else await Deno.copyFile(a, b);
  }
}

const NEW_OPERATORS = `  length_eq: {
    group: "size",
    takes: "a non-negative integer",
    doc: "The length is N.",
    example: { field: "payload.code", value: 6 },
  },
  count_gte: {
    group: "state",
    takes: "a non-negative integer",
    doc: "At least N actions went through.",
    example: { value: 1 },
  },
`;

Deno.test("an operator added to the table without its schema and builders fails deno check", async () => {
  const dir = await copyWithTable((table) => {
    const at = table.indexOf("  forbids_prior: {");
    assert.notEqual(at, -1);
    return table.slice(0, at) + NEW_OPERATORS + table.slice(at);
  });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "src/mod.ts"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.notEqual(out.code, 0, stderr);
    const failing = [...stderr.matchAll(/at file:\/\/\S*\/src\/(\S+\.ts):\d+:\d+/g)].map((m) =>
      m[1]
    );
    assert.deepEqual(failing.sort(), [
      "config/operator_values.ts",
      "engine/condition.ts",
      "engine/operators.ts",
      "engine/state_rules.ts",
    ], stderr);
    assert.match(stderr, /length_eq/);
    assert.match(stderr, /count_gte/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a document that skipped the validator gets a clear error for an unknown operator", () => {
  const rule = { name: "r", field: "a", operator: "maxx" as OperatorName, message: "m" };
  assert.throws(
    () => compilePolicies({ policies: [rule] }),
    (e: unknown) =>
      e instanceof MirageError && e.code === "operator_unknown" &&
      e.message === "unknown operator 'maxx'",
  );
});
