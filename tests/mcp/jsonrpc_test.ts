import assert from "node:assert/strict";
import { decodeMessage, idKey, parseMessage } from "../../src/mcp/jsonrpc.ts";

const FAULTS: [string, string, number][] = [
  ["not JSON", "{", -32700],
  ["a batch", '[{"jsonrpc":"2.0","id":1,"method":"ping"}]', -32600],
  ["an empty batch", "[]", -32600],
  ["not an object", '"tools/call"', -32600],
  ["no jsonrpc", '{"id":1,"method":"tools/call"}', -32600],
  ["jsonrpc 1.0", '{"jsonrpc":"1.0","id":1,"method":"tools/call"}', -32600],
  ["an object id", '{"jsonrpc":"2.0","id":{},"method":"tools/call"}', -32600],
  ["a method that is not a string", '{"jsonrpc":"2.0","id":1,"method":7}', -32600],
];

Deno.test("what Mirage cannot read as one JSON-RPC message is a fault", async (t) => {
  for (const [label, text, code] of FAULTS) {
    await t.step(label, () => {
      const p = parseMessage(text);
      assert.equal(p.ok, false);
      if (!p.ok) assert.equal(p.fault.code, code);
    });
  }
});

Deno.test("requests, notifications and responses are messages; the last of duplicate keys wins, as in servers", () => {
  for (
    const text of [
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}',
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      '{"jsonrpc":"2.0","id":"a","result":{}}',
      '{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"m"}}',
    ]
  ) assert.equal(parseMessage(text).ok, true, text);
  const dup = parseMessage('{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call"}');
  assert.ok(dup.ok && dup.message.method === "tools/call");
});

Deno.test("bytes that are not UTF-8 are a parse error, never replaced", () => {
  const bytes = new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"tools/call","x":"A"}');
  bytes[bytes.length - 3] = 0xff;
  const p = decodeMessage(bytes);
  assert.ok(!p.ok && p.fault.code === -32700);
});

Deno.test('ids 1 and "1" are different ids', () => {
  assert.notEqual(idKey(1), idKey("1"));
  assert.equal(idKey(1), idKey(1));
});
