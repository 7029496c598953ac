import assert from "node:assert/strict";
import { rewriteSse } from "../../src/mcp/sse_rewrite.ts";

const encoder = new TextEncoder();

/** The stream cut into pieces of `size` bytes (a cut may fall inside a character). */
function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.slice(at, at + size));
  return ReadableStream.from(parts);
}

const listing = { jsonrpc: "2.0", id: 2, result: { tools: [{ name: "a" }, { name: "wipe" }] } };
const STREAM = [
  ": keepalive",
  "",
  "event: message",
  "id: ev-1",
  `data: ${
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { p: "é" } })
  }`,
  "",
  "event: message",
  "id: ev-2",
  `data: ${JSON.stringify(listing)}`,
  "",
  "",
].join("\r\n");

function dropWipe(m: unknown): unknown {
  const msg = m as typeof listing;
  if (msg.id !== 2) return undefined;
  return { ...msg, result: { tools: msg.result.tools.filter((t) => t.name !== "wipe") } };
}

Deno.test("SSE: only the rewritten event changes; the rest passes byte for byte, at any chunking", async () => {
  const expected = STREAM.replace(
    `data: ${JSON.stringify(listing)}\r\n\r\n`,
    `data: ${JSON.stringify(dropWipe(listing))}\r\n\r\n`,
  );
  for (const size of [1, 2, 3, 7, 64, 4096]) {
    const out = await new Response(rewriteSse(chunked(STREAM, size), dropWipe)).text();
    assert.equal(out, expected, `chunks of ${size}`);
  }
});

Deno.test("SSE: events are passed on as they complete, not when the stream ends", async () => {
  let push!: (text: string) => void;
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      push = (text) => c.enqueue(encoder.encode(text));
    },
  });
  const reader = rewriteSse(source, () => undefined).pipeThrough(new TextDecoderStream())
    .getReader();
  push("data: 1\n\ndata: 2");
  assert.equal((await reader.read()).value, "data: 1\n\n");
  await reader.cancel();
});

Deno.test("SSE: data that is not JSON and a stream that ends mid-event pass unchanged", async () => {
  const text = 'data: not json\n\ndata: {"id":2';
  const out = await new Response(rewriteSse(chunked(text, 5), () => ({ replaced: true }))).text();
  assert.equal(out, text);
});
