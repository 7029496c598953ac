/**
 * The upstream keep-alive pool never sends a request twice by itself: Deno 2.9's node:http
 * resends a request whose reused connection closed — a POST destroyed at its deadline
 * included — and these tests fail with its plain pooled agent. The one resend Mirage allows
 * (RFC 9110 §9.2.2): an idempotent request whose reused connection failed before any byte of
 * the answer goes once more on a new connection. In-process, through the gateway's `Forwarder`,
 * against real servers on loopback.
 */

import assert from "node:assert/strict";
import { type Forwarded, Forwarder } from "../../src/gateway/forward.ts";

/** Sends one request through the forwarder and reads the whole answer. */
async function send(
  forwarder: Forwarder,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; forwarded: Forwarded }> {
  const url = new URL(path, "http://gw.test");
  const request = new Request(url, { method: init.method ?? "GET", body: init.body ?? null });
  const body = init.body === undefined ? undefined : new TextEncoder().encode(init.body);
  const forwarded = await forwarder.forward({
    request,
    target: forwarder.urls(url).target,
    headers: init.headers ?? {},
    body,
    via: { clientIp: "127.0.0.1", proto: "http" },
    answerHeaders: {},
  });
  if (!forwarded.ok) return { status: forwarded.status, text: forwarded.error, forwarded };
  return { status: forwarded.response.status, text: await forwarded.response.text(), forwarded };
}

Deno.test("stress: 2,000 POSTs 16 at a time, every 10th held past the deadline: none reaches the upstream twice, the late ones get 504", async () => {
  const seen = new Map<string, number>();
  const held: Promise<void>[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const id = req.headers.get("x-id") as string;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    await req.arrayBuffer();
    if (Number(id) % 10 === 0) {
      const late = new Promise<void>((resolve) => setTimeout(resolve, 400));
      held.push(late);
      await late;
    }
    return new Response("ok");
  });
  const forwarder = new Forwarder({
    upstream: new URL(`http://127.0.0.1:${server.addr.port}`),
    timeoutMs: 150,
  });
  const answers = new Map<number, { status: number; text: string }>();
  try {
    let next = 0;
    const worker = async () => {
      for (let id = next++; id < 2_000; id = next++) {
        const r = await send(forwarder, "/v1/submit_bid", {
          method: "POST",
          body: `{"amount":${id}}`,
          headers: { "x-id": String(id), "content-type": "application/json" },
        });
        answers.set(id, { status: r.status, text: r.text });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await Promise.all(held);
  } finally {
    forwarder.close();
    await server.shutdown();
  }
  const twice = [...seen].filter(([, n]) => n !== 1).map(([id]) => id);
  assert.deepEqual(twice, [], "requests that reached the upstream more than once");
  assert.equal(answers.size, 2_000);
  for (const [id, { status, text }] of answers) {
    // On a busy machine any request can outlast the deadline, even before it reaches the
    // upstream: then a 504, never a 502. The held ones always do.
    if (id % 10 === 0 || status !== 200) {
      assert.deepEqual([status, /within 150 ms/.test(text)], [504, true], `#${id}: ${text}`);
    }
  }
  const heldSeen = [...seen.keys()].filter((id) => Number(id) % 10 === 0).length;
  assert.ok(heldSeen > 0, "no held request reached the upstream: nothing was tested");
});

/**
 * A keep-alive upstream on a raw socket: the first request on each connection is answered and
 * the connection kept; on the second, the upstream closes it — at once (`close`: as a server
 * whose idle timeout ran out just as the request arrived) or after part of a status line
 * (`partial`).
 */
class ClosingUpstream {
  /** Each request line seen, with the number of its connection. */
  readonly seen: string[] = [];
  readonly #listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  readonly #conns = new Set<Deno.Conn>();
  readonly #served: Promise<void>;
  #connections = 0;

  constructor(second: "close" | "partial") {
    this.#served = (async () => {
      const served: Promise<void>[] = [];
      for await (const conn of this.#listener) served.push(this.#serve(conn, second));
      await Promise.all(served);
    })();
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#listener.addr as Deno.NetAddr).port}`;
  }

  async #serve(conn: Deno.Conn, second: "close" | "partial"): Promise<void> {
    const number = ++this.#connections;
    this.#conns.add(conn);
    const buffer = new Uint8Array(64 * 1024);
    const enc = new TextEncoder();
    try {
      for (let n = 1;; n++) {
        const read = await conn.read(buffer);
        if (read === null) return;
        const line = new TextDecoder().decode(buffer.subarray(0, read)).split("\r\n")[0];
        this.seen.push(`${number}: ${line}`);
        if (n === 1) {
          await conn.write(enc.encode("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
          continue;
        }
        if (second === "partial") await conn.write(enc.encode("HTTP/1.1 200 O"));
        return;
      }
    } catch {
      // The client went away.
    } finally {
      if (this.#conns.delete(conn)) conn.close();
    }
  }

  async close(): Promise<void> {
    this.#listener.close();
    for (const conn of this.#conns) conn.close();
    this.#conns.clear();
    await this.#served;
  }
}

/**
 * The first request, on a connection that then goes back to the pool: node:http frees it a few
 * ticks after the answer ended, so the next request waits for a timer turn to find it there.
 */
async function warm(forwarder: Forwarder): Promise<void> {
  assert.equal((await send(forwarder, "/warm")).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 10));
}

async function withClosing(
  second: "close" | "partial",
  fn: (forwarder: Forwarder, upstream: ClosingUpstream) => Promise<void>,
): Promise<void> {
  const upstream = new ClosingUpstream(second);
  const forwarder = new Forwarder({ upstream: new URL(upstream.url), timeoutMs: 5_000 });
  try {
    await fn(forwarder, upstream);
  } finally {
    forwarder.close();
    await upstream.close();
  }
}

Deno.test("a GET whose reused connection closed before any answer byte is sent once more, on a new connection", async () => {
  await withClosing("close", async (forwarder, upstream) => {
    await warm(forwarder);
    const r = await send(forwarder, "/again");
    assert.equal(r.status, 200);
    assert.equal(r.text, "ok");
    assert.deepEqual(upstream.seen, [
      "1: GET /warm HTTP/1.1",
      "1: GET /again HTTP/1.1",
      "2: GET /again HTTP/1.1",
    ]);
  });
});

Deno.test("a POST whose reused connection closed is never sent again: 502", async () => {
  await withClosing("close", async (forwarder, upstream) => {
    await warm(forwarder);
    const r = await send(forwarder, "/bid", { method: "POST", body: "{}" });
    assert.equal(r.status, 502);
    assert.match(r.text, /upstream unreachable/);
    assert.deepEqual(upstream.seen, ["1: GET /warm HTTP/1.1", "1: POST /bid HTTP/1.1"]);
  });
});

Deno.test("a GET whose reused connection failed after part of the answer is not sent again: 502", async () => {
  await withClosing("partial", async (forwarder, upstream) => {
    await warm(forwarder);
    const r = await send(forwarder, "/again");
    assert.equal(r.status, 502);
    assert.deepEqual(upstream.seen, ["1: GET /warm HTTP/1.1", "1: GET /again HTTP/1.1"]);
  });
});
