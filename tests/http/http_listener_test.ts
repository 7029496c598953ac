/**
 * Mirage's listener on real sockets: idle and head timeouts close what a client leaves open,
 * never an answer still streaming; connections that end before a request are counted; a handler
 * can cut its connection; shutdown closes idle connections and lets answers finish.
 */

import assert from "node:assert/strict";
import { HttpListener } from "../../src/http/http_listener.ts";
import { canServeConnections } from "../../src/http/serve_connection.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads until the server closes the connection (or `limitMs` passes: then fails). */
async function readToEnd(conn: Deno.Conn, limitMs = 10_000): Promise<string> {
  const buf = new Uint8Array(64 * 1024);
  let text = "";
  const timer = setTimeout(() => conn.close(), limitMs);
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) return text;
      text += decoder.decode(buf.subarray(0, n));
    }
  } catch (e) {
    if (e instanceof Deno.errors.BadResource) throw new Error(`still open after ${limitMs} ms`);
    if (e instanceof Deno.errors.ConnectionReset) return text;
    throw e;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

function server(idleTimeoutMs: number, headTimeoutMs: number, logs: string[] = []): HttpListener {
  return new HttpListener((request, _info, connection) => {
    const path = new URL(request.url).pathname;
    if (path === "/slow") return new Response(slowBody(5, 100));
    if (path === "/cut") {
      return new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(encoder.encode("partial"));
            setTimeout(() => connection.abort(), 50);
          },
        }),
      );
    }
    return new Response("ok");
  }, { port: 0, hostname: "127.0.0.1", idleTimeoutMs, headTimeoutMs, log: (l) => logs.push(l) });
}

function slowBody(chunks: number, everyMs: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    async pull(c) {
      await new Promise((r) => setTimeout(r, everyMs));
      c.enqueue(encoder.encode(`chunk${sent}\n`));
      if (++sent === chunks) c.close();
    },
  });
}

async function connect(listener: HttpListener, text?: string): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
  if (text !== undefined) await conn.write(encoder.encode(text));
  return conn;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function metric(listener: HttpListener, line: string): number {
  const found = listener.counters.render().find((l) => l.startsWith(`${line} `));
  return Number(found?.split(" ")[1] ?? NaN);
}

Deno.test("listener: this runtime can serve accepted connections", () => {
  assert.ok(canServeConnections(), "Deno lacks serveHttpOnConnection: see serve_connection.ts");
});

Deno.test("listener: a connection that sends nothing is closed at the head timeout", async () => {
  const listener = server(60_000, 200);
  try {
    assert.equal(await readToEnd(await connect(listener)), "");
    await until(() => listener.counters.open === 0, "the close to be counted");
    assert.equal(metric(listener, 'mirage_connections_closed_total{reason="head_timeout"}'), 1);
    assert.equal(metric(listener, "mirage_connections_without_request_total"), 0);
  } finally {
    await listener.shutdown();
  }
});

Deno.test("listener: a connection that never finishes its head is closed at the head timeout", async () => {
  const listener = server(60_000, 200);
  try {
    const conn = await connect(listener, "GET / HTTP/1.1\r\nhost: x\r\nx-slow: ");
    assert.equal(await readToEnd(conn), "");
    await until(() => listener.counters.open === 0, "the close to be counted");
    assert.equal(metric(listener, 'mirage_connections_closed_total{reason="head_timeout"}'), 1);
  } finally {
    await listener.shutdown();
  }
});

Deno.test("listener: an idle keep-alive connection is closed at the idle timeout", async () => {
  const listener = server(200, 60_000);
  try {
    const conn = await connect(listener, "GET / HTTP/1.1\r\nhost: x\r\n\r\n");
    const text = await readToEnd(conn);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(text.endsWith("\r\n\r\nok"), text);
    await until(() => listener.counters.open === 0, "the close to be counted");
    assert.equal(metric(listener, 'mirage_connections_closed_total{reason="idle_timeout"}'), 1);
  } finally {
    await listener.shutdown();
  }
});

Deno.test("listener: an answer that streams longer than both timeouts is never cut", async () => {
  const listener = server(100, 100);
  try {
    const conn = await connect(listener, "GET /slow HTTP/1.1\r\nhost: x\r\n\r\n");
    const text = await readToEnd(conn);
    for (let i = 0; i < 5; i++) assert.ok(text.includes(`chunk${i}\n`), text);
    assert.ok(text.endsWith("0\r\n\r\n"), "the chunked body ends cleanly");
  } finally {
    await listener.shutdown();
  }
});

Deno.test("listener: connections that end before a request are counted, refused heads among them", async () => {
  const listener = server(60_000, 60_000);
  try {
    (await connect(listener)).close();
    const headers = Array.from({ length: 200 }, (_, i) => `x-h${i}: v\r\n`).join("");
    const many = await readToEnd(
      await connect(listener, `GET / HTTP/1.1\r\nhost: x\r\n${headers}\r\n`),
    );
    assert.match(many, /^HTTP\/1\.1 4\d\d /, "the runtime refuses 200 headers");
    const big = `GET / HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(70_000)}\r\n\r\n`;
    assert.match(await readToEnd(await connect(listener, big)), /^HTTP\/1\.1 4\d\d /);
    await until(() => listener.counters.open === 0, "the connections to end");
    assert.equal(metric(listener, "mirage_connections_without_request_total"), 3);
    assert.equal(metric(listener, "mirage_connections_accepted_total"), 3);
  } finally {
    await listener.shutdown();
  }
});

Deno.test("listener: a handler can cut its connection mid-answer, without a clean end", async () => {
  const listener = server(60_000, 60_000);
  try {
    const text = await readToEnd(await connect(listener, "GET /cut HTTP/1.1\r\nhost: x\r\n\r\n"));
    assert.match(text, /partial/);
    assert.ok(!text.endsWith("0\r\n\r\n"), "no terminating chunk: the client sees a cut");
  } finally {
    await listener.shutdown();
  }
});

Deno.test("listener: shutdown closes idle connections and lets an answer in flight finish", async () => {
  const listener = server(60_000, 60_000);
  const idle = await connect(listener);
  const busy = await connect(listener, "GET /slow HTTP/1.1\r\nhost: x\r\n\r\n");
  await until(() => listener.counters.open === 2, "both connections");
  const reading = readToEnd(busy);
  await new Promise((r) => setTimeout(r, 150));
  await listener.shutdown();
  assert.equal(await readToEnd(idle), "");
  assert.ok((await reading).endsWith("0\r\n\r\n"), "the streaming answer finished");
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: listener.port }));
});
