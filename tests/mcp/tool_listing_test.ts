import assert from "node:assert/strict";
import { declaredTools, withoutBlocked } from "../../src/mcp/tool_listing.ts";

Deno.test("declared tools: one per tool name, first description and schema, type object ensured", () => {
  const tools = declaredTools({
    mocks: [],
    tools: [
      { name: "vip", tool: "lookup", match: { payload: { tier: "vip" } }, result: { text: "v" } },
      {
        name: "lookup",
        description: "Looks up.",
        input_schema: { properties: { id: { type: "string" } } },
        result: { text: "l" },
      },
      { name: "other", tool: "lookup", description: "ignored", result: { text: "o" } },
      { name: "ping", result: { text: "pong" } },
    ],
  });
  assert.deepEqual(tools, [
    {
      name: "lookup",
      description: "Looks up.",
      inputSchema: { type: "object", properties: { id: { type: "string" } } },
    },
    { name: "ping", inputSchema: { type: "object" } },
  ]);
});

Deno.test("a tools/list result loses only the tools named blocked; anything else is kept as is", () => {
  const blocked = (t: string) => (t === "wipe" ? "no_wipe" : undefined);
  const result = {
    tools: [{ name: "a" }, { name: "wipe" }, { title: "no name" }],
    nextCursor: "c",
  };
  assert.deepEqual(withoutBlocked(result, blocked), {
    tools: [{ name: "a" }, { title: "no name" }],
    nextCursor: "c",
  });
  assert.equal(withoutBlocked("odd", blocked), "odd");
});
