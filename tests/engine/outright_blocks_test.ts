import assert from "node:assert/strict";
import type { PolicyRule } from "../../src/config/types.ts";
import { compileOutrightBlocks } from "../../src/engine/outright_blocks.ts";

function blocks(rule: Omit<PolicyRule, "name" | "message">, tool: string): string | undefined {
  return compileOutrightBlocks({ policies: [{ name: "r", message: "m", ...rule }] })(tool);
}

const nameOnly = { field: "tool", operator: "not_in", value: ["delete_repo"] } as const;

Deno.test("a blocking rule on the tool's name alone blocks the tool whatever the call", () => {
  assert.equal(blocks({ tool: "delete_repo", ...nameOnly }, "delete_repo"), "r");
  assert.equal(blocks({ tool: "delete_repo", ...nameOnly }, "search"), undefined, "out of scope");
  assert.equal(blocks({ tool: ["a", "delete_repo"], ...nameOnly }, "delete_repo"), "r");
});

Deno.test("an unscoped allow-list of tools blocks every tool outside it", () => {
  const allow = { field: "tool", operator: "in", value: ["search", "read"] } as const;
  assert.equal(blocks(allow, "delete_repo"), "r");
  assert.equal(blocks(allow, "search"), undefined);
  const tree = { when: { not: { field: "tool", operator: "starts_with", value: "admin_" } } };
  assert.equal(blocks(tree as Omit<PolicyRule, "name" | "message">, "admin_wipe"), "r");
  assert.equal(blocks(tree as Omit<PolicyRule, "name" | "message">, "search"), undefined);
});

Deno.test("rules that depend on the call, flag or apply to HTTP never hide a tool", () => {
  const cases: Omit<PolicyRule, "name" | "message">[] = [
    { tool: "refund", field: "amount", operator: "max", value: 500 },
    { tool: "refund", ...nameOnly, value: ["x"], action: "flag" },
    { tool: "refund", expr: "false" },
    { tool: "refund", operator: "count_lte", value: 0 },
    { tool: "refund", when: { all: [nameOnly, { field: "headers.x-role", operator: "exists" }] } },
    { method: "POST", ...nameOnly },
    { tool: "refund", field: "run_id", operator: "eq", value: "never" },
  ];
  for (const rule of cases) assert.equal(blocks(rule, "refund"), undefined, JSON.stringify(rule));
});

Deno.test("the first rule that blocks the tool outright is the one named", () => {
  const outright = compileOutrightBlocks({
    policies: [
      { name: "cap", tool: "t", field: "amount", operator: "max", value: 1, message: "m" },
      { name: "first", tool: "t", ...nameOnly, value: ["t"], message: "m" },
      { name: "second", ...nameOnly, value: ["t"], message: "m" },
    ],
  });
  assert.equal(outright("t"), "first");
  assert.equal(outright("t"), "first", "remembered");
  assert.equal(outright("u"), undefined);
});
