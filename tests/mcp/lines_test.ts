import assert from "node:assert/strict";
import { LineWriter, readLines } from "../../src/mcp/lines.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function linesOf(parts: string[], limit?: number): Promise<string[]> {
  const out: string[] = [];
  for await (
    const l of readLines(ReadableStream.from(parts.map((p) => encoder.encode(p))), limit)
  ) {
    out.push(l.kind === "line" ? decoder.decode(l.bytes) : `<over ${l.limit}>`);
  }
  return out;
}

Deno.test("lines: split across chunks, empty lines kept, a last line without newline counted", async () => {
  assert.deepEqual(await linesOf(["ab", "c\n\nd", "e\r\nf"]), ["abc", "", "de\r", "f"]);
  assert.deepEqual(await linesOf(["x\n"]), ["x"]);
});

Deno.test("lines: a line past the limit is skipped to its end and reported, never buffered", async () => {
  assert.deepEqual(await linesOf(["12345", "6789\nok\n", "abcdefghijk"], 8), [
    "<over 8>",
    "ok",
    "<over 8>",
  ]);
});

Deno.test("line writer: concurrent writes come out as whole lines, in call order", async () => {
  const chunks: string[] = [];
  const out = new LineWriter(
    new WritableStream({
      async write(c) {
        await new Promise((r) => setTimeout(r, 1));
        chunks.push(decoder.decode(c));
      },
    }),
  );
  const big = "x".repeat(100_000);
  await Promise.all([out.write(big), out.write('{"id":2}'), out.write(encoder.encode("raw"))]);
  await out.close();
  assert.deepEqual(chunks, [`${big}\n`, '{"id":2}\n', "raw\n"]);
});
