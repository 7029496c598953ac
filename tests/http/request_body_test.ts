/**
 * Request bodies made readable for the rules: decompressed within the inspection limit (a bomb
 * never takes more than the limit), the bytes as sent kept for the upstream, and every body the
 * rules cannot read said so with its status.
 */

import assert from "node:assert/strict";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { BODY_STATUS, bodyForRules, readBodyForRules } from "../../src/http/request_body.ts";

const LIMIT = 1024 * 1024;
const QUOTE = { sku: "SKU-1", quantity: 5000 };
const QUOTE_BYTES = new TextEncoder().encode(JSON.stringify(QUOTE));

function post(body: Uint8Array, headers: Record<string, string>): Request {
  return new Request("http://api.test/v1/get_quote", {
    method: "POST",
    body: body as Uint8Array<ArrayBuffer>,
    headers,
  });
}

const CODERS: Record<string, (b: Uint8Array) => Uint8Array> = {
  gzip: (b) => new Uint8Array(gzipSync(b)),
  "x-gzip": (b) => new Uint8Array(gzipSync(b)),
  deflate: (b) => new Uint8Array(deflateSync(b)),
  br: (b) => new Uint8Array(brotliCompressSync(b)),
};

Deno.test("request body: gzip, deflate and br bodies are read decompressed; the bytes sent are kept", async () => {
  for (const [coding, encode] of Object.entries(CODERS)) {
    const sent = encode(QUOTE_BYTES);
    const b = await readBodyForRules(
      post(sent, { "content-encoding": coding.toUpperCase(), "content-type": "application/json" }),
      LIMIT,
    );
    assert.equal(b.kind, "read", coding);
    assert.ok(b.kind === "read");
    assert.deepEqual(b.payload, QUOTE, coding);
    assert.deepEqual(b.bytes, sent, coding);
  }
});

Deno.test("request body: stacked codings are undone last first; identity is no coding", async () => {
  const sent = CODERS.br!(CODERS.gzip!(QUOTE_BYTES));
  const b = await readBodyForRules(post(sent, { "content-encoding": "gzip, identity, br" }), LIMIT);
  assert.ok(b.kind === "read");
  assert.deepEqual(b.payload, QUOTE);
  const plain = await readBodyForRules(
    post(QUOTE_BYTES, { "content-encoding": "identity" }),
    LIMIT,
  );
  assert.ok(plain.kind === "read");
  assert.deepEqual(plain.payload, QUOTE);
});

Deno.test("request body: a bomb stops at the limit: over (413), with the bytes as sent", async () => {
  const zeros = new Uint8Array(64 * 1024 * 1024);
  const bombs = Object.entries(CODERS).map(([coding, encode]) => [coding, encode(zeros)] as const);
  const before = Deno.memoryUsage().rss;
  for (const [coding, sent] of bombs) {
    assert.ok(sent.length < LIMIT, `${coding} bomb fits the limit as sent`);
    const b = await readBodyForRules(post(sent, { "content-encoding": coding }), LIMIT);
    assert.equal(b.kind, "over", coding);
    assert.ok(b.kind === "over");
    assert.match(b.error, new RegExp(`limit of ${LIMIT} bytes once ${coding}-decoded`));
    assert.deepEqual(b.body, sent);
  }
  // Four bombs of 64 MiB each: decompressing any of them whole would show here.
  const grown = Deno.memoryUsage().rss - before;
  assert.ok(grown < 48 * 1024 * 1024, `memory grew by ${grown} bytes`);
});

Deno.test("request body: a body decompressing to exactly the limit is read; one byte more is over", async () => {
  const exact = new Uint8Array(4096).fill(0x61);
  const at = await readBodyForRules(
    post(CODERS.gzip!(exact), { "content-encoding": "gzip" }),
    4096,
  );
  assert.ok(at.kind === "read");
  assert.equal(at.payload, "a".repeat(4096));
  const over = await readBodyForRules(
    post(CODERS.gzip!(new Uint8Array(4097).fill(0x61)), { "content-encoding": "gzip" }),
    4096,
  );
  assert.equal(over.kind, "over");
});

Deno.test("request body: an unknown or corrupt coding is uninspectable (415), bytes kept", async () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["zstd", QUOTE_BYTES, /zstd-encoded, a coding Mirage cannot read/],
    ["gzip", QUOTE_BYTES, /not valid gzip/],
    ["br", new Uint8Array([1, 2, 3, 4, 5]), /not valid br/],
    ["br", CODERS.br!(QUOTE_BYTES).subarray(0, 8), /not valid br/],
    ["gzip, compress", CODERS.gzip!(QUOTE_BYTES), /compress-encoded/],
  ];
  for (const [coding, sent, why] of cases) {
    const b = await readBodyForRules(post(sent, { "content-encoding": coding }), LIMIT);
    assert.equal(b.kind, "uninspectable", coding);
    assert.ok(b.kind === "uninspectable");
    assert.match(b.error, why);
    assert.deepEqual(b.bytes, sent);
  }
  assert.equal(BODY_STATUS.uninspectable, 415);
});

Deno.test("request body: an empty body in a coding is an empty body", async () => {
  const b = await readBodyForRules(post(new Uint8Array(), { "content-encoding": "gzip" }), LIMIT);
  assert.deepEqual(b, { kind: "read", payload: undefined, bytes: new Uint8Array() });
});

Deno.test("request body: over the limit as sent is over (413), the whole body still in the stream", async () => {
  const sent = new Uint8Array(3000).fill(7);
  const b = await readBodyForRules(post(sent, {}), 1000);
  assert.ok(b.kind === "over");
  assert.match(b.error, /limit of 1000 bytes$/);
  assert.ok(b.body instanceof ReadableStream);
  assert.deepEqual(new Uint8Array(await new Response(b.body).arrayBuffer()), sent);
});

Deno.test("request body: JSON that does not parse is uninspectable with its text; a body that fails is unreadable", async () => {
  const text = '{"amount": 50000,}';
  const b = await readBodyForRules(
    post(new TextEncoder().encode(text), { "content-type": "application/json" }),
    LIMIT,
  );
  assert.ok(b.kind === "uninspectable");
  assert.equal(b.text, text);
  assert.match(b.error, /^request body not inspectable: declared as JSON but is not JSON/);
  const failing = new ReadableStream<Uint8Array>({
    pull(c) {
      c.error(new Error("connection reset"));
    },
  });
  const broken = await readBodyForRules(
    new Request("http://x/", { method: "POST", body: failing }),
    LIMIT,
  );
  assert.deepEqual(broken, {
    kind: "unreadable",
    error: "cannot read the request body: connection reset",
  });
});

/** A multipart body as Deno's `fetch` sends a FormData, with its headers. */
async function multipart(): Promise<{ bytes: Uint8Array; type: string }> {
  const form = new FormData();
  form.append("amount", "50000");
  form.append("notes", new File(["card 4111"], "notes.txt", { type: "text/plain" }));
  const r = new Request("http://x.test/", { method: "POST", body: form });
  return { bytes: await r.bytes(), type: r.headers.get("content-type") as string };
}

Deno.test("request body: a multipart body is read as fields, decompressed first; a cut one is uninspectable", async () => {
  const { bytes, type } = await multipart();
  const fields = {
    amount: "50000",
    notes: { filename: "notes.txt", content_type: "text/plain", size: 9, text: "card 4111" },
  };
  for (const [coding, encode] of [["identity", (b: Uint8Array) => b], ...Object.entries(CODERS)]) {
    const sent = (encode as (b: Uint8Array) => Uint8Array)(bytes);
    const b = await readBodyForRules(
      post(sent, { "content-type": type, "content-encoding": coding as string }),
      LIMIT,
    );
    assert.deepEqual(b, { kind: "read", payload: fields, bytes: sent }, coding as string);
  }
  const cut = await readBodyForRules(post(bytes.subarray(0, 120), { "content-type": type }), LIMIT);
  assert.ok(cut.kind === "uninspectable");
  assert.match(cut.error, /^request body not inspectable: multipart body ends before its close/);
  assert.equal(BODY_STATUS[cut.kind], 415);
});

Deno.test("request body: bodyForRules reads bytes and headers as readBodyForRules reads the request", async () => {
  const { bytes, type } = await multipart();
  const sent: [Uint8Array, Record<string, string>][] = [
    [QUOTE_BYTES, { "content-type": "application/json" }],
    [new Uint8Array(gzipSync(QUOTE_BYTES)), { "content-encoding": "gzip" }],
    [QUOTE_BYTES, { "content-encoding": "gzip" }],
    [new TextEncoder().encode('{"amount": 1,}'), { "content-type": "application/json" }],
    [bytes, { "content-type": type }],
    [new Uint8Array(gzipSync(new Uint8Array(4096))), { "content-encoding": "gzip" }],
  ];
  for (const [body, headers] of sent) {
    const fromRequest = await readBodyForRules(post(body, headers), 2048);
    assert.deepEqual(await bodyForRules(body, new Headers(headers), 2048), fromRequest);
  }
  const over = await bodyForRules(new Uint8Array(3000), new Headers(), 2048);
  assert.deepEqual(over, {
    kind: "over",
    error: "request body larger than the inspection limit of 2048 bytes",
    body: new Uint8Array(3000),
  });
});
