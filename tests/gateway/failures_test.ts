/**
 * Operational failures are answered by Mirage and recorded as `error` with the status it
 * returned: a body over the inspection limit, as sent or decompressed (413 in enforce;
 * forwarded whole in passthrough), a body in a coding the rules cannot read (415),
 * an unreachable upstream (502), a slow one (504). A client that leaves cancels the upstream.
 */

import assert from "node:assert/strict";
import { decodeBase64 } from "./base64.ts";
import { gzipSync } from "node:zlib";
import { json, readTraceFile, withGateway } from "./harness.ts";
import { headerValues, rawRequest, requestSentOnce } from "./raw_client.ts";
import { BINARY, type Echo } from "./upstream_server.ts";
import { freePort } from "./free_port.ts";

const RUN = [["x-mirage-run-id", "failures"]] as Array<[string, string]>;

async function onlyEvent(traces: string): Promise<Record<string, unknown>> {
  const trace = await readTraceFile(traces, "failures");
  const events = trace.events as Record<string, unknown>[];
  assert.equal(events.length, 1);
  return events[0] as Record<string, unknown>;
}

function bigBody(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) % 251);
}

Deno.test("enforce: a body over --max-body is answered 413, not forwarded, and recorded", async () => {
  await withGateway(
    { mode: "enforce", args: ["--max-body", "1KiB"] },
    async ({ gateway, upstream, traces }) => {
      const res = await rawRequest(`${gateway.url}/echo`, {
        method: "POST",
        headers: RUN,
        body: BINARY,
      });
      assert.equal(res.status, 413);
      assert.deepEqual(headerValues(res, "x-mirage-outcome"), ["error"]);
      assert.equal(JSON.parse(new TextDecoder().decode(res.body)).error, "body_too_large");
      assert.deepEqual(upstream.seen, []);
      await gateway.stop();
      const event = await onlyEvent(traces);
      assert.equal(event.outcome, "error");
      assert.deepEqual(event.response, { status: 413 });
      assert.match(String(event.error), /inspection limit of 1024 bytes/);
    },
  );
});

Deno.test("passthrough: a body over --max-body is forwarded whole, byte for byte, and flagged in the trace", async () => {
  const body = bigBody(3 * 1024 * 1024 + 17);
  await withGateway({ mode: "passthrough" }, async ({ gateway, upstream, traces }) => {
    const res = await rawRequest(`${gateway.url}/echo`, { method: "POST", headers: RUN, body });
    assert.equal(res.status, 200);
    assert.deepEqual(headerValues(res, "x-mirage-outcome"), ["error"]);
    const echo: Echo = JSON.parse(new TextDecoder().decode(res.body));
    assert.equal(echo.headers["content-length"], String(body.length));
    assert.deepEqual(decodeBase64(echo.body_b64), body);
    assert.deepEqual(upstream.seen, ["/echo"]);
    await gateway.stop();
    const event = await onlyEvent(traces);
    assert.equal(event.outcome, "error");
    assert.equal(event.enforced, false);
    assert.deepEqual(event.response, { status: 200 });
    assert.match(String(event.error), /inspection limit of 1048576 bytes; forwarded uninspected/);
  });
});

Deno.test("enforce: a gzip body is decompressed for the rules and forwarded as sent", async () => {
  const over = new Uint8Array(gzipSync(json({ amount: 500 })));
  const under = new Uint8Array(gzipSync(json({ amount: 10 })));
  const headers: Array<[string, string]> = [...RUN, ["content-encoding", "gzip"]];
  await withGateway({ mode: "enforce" }, async ({ gateway, upstream }) => {
    const blocked = await rawRequest(`${gateway.url}/echo`, {
      method: "POST",
      headers,
      body: over,
    });
    assert.equal(blocked.status, 403);
    assert.deepEqual(headerValues(blocked, "x-mirage-policy"), ["cap_amount"]);
    const res = await rawRequest(`${gateway.url}/echo`, { method: "POST", headers, body: under });
    assert.equal(res.status, 200);
    const echo: Echo = JSON.parse(new TextDecoder().decode(res.body));
    assert.equal(echo.headers["content-encoding"], "gzip");
    assert.deepEqual(decodeBase64(echo.body_b64), under);
    assert.deepEqual(upstream.seen, ["/echo"]);
  });
});

Deno.test("enforce: a body in a coding the rules cannot read is refused 415, not decided as empty", async () => {
  await withGateway({ mode: "enforce" }, async ({ gateway, upstream, traces }) => {
    const res = await rawRequest(`${gateway.url}/echo`, {
      method: "POST",
      headers: [...RUN, ["content-encoding", "gzip"], ["content-type", "application/json"]],
      body: BINARY,
    });
    assert.equal(res.status, 415);
    assert.equal(JSON.parse(new TextDecoder().decode(res.body)).error, "body_not_inspectable");
    assert.deepEqual(upstream.seen, []);
    await gateway.stop();
    const event = await onlyEvent(traces);
    assert.equal(event.outcome, "error");
    assert.match(String(event.error), /request body is not valid gzip/);
  });
});

Deno.test("enforce: a gzip bomb is answered 413 like any body over the limit", async () => {
  const bomb = new Uint8Array(gzipSync(new Uint8Array(64 * 1024 * 1024)));
  await withGateway({ mode: "enforce" }, async ({ gateway, upstream, traces }) => {
    const res = await rawRequest(`${gateway.url}/echo`, {
      method: "POST",
      headers: [...RUN, ["content-encoding", "gzip"]],
      body: bomb,
    });
    assert.equal(res.status, 413);
    assert.deepEqual(upstream.seen, []);
    await gateway.stop();
    const event = await onlyEvent(traces);
    assert.match(String(event.error), /limit of 1048576 bytes once gzip-decoded/);
  });
});

Deno.test("passthrough: a body in an unknown coding is forwarded byte for byte and recorded as uninspected", async () => {
  await withGateway({ mode: "passthrough" }, async ({ gateway, upstream, traces }) => {
    const res = await rawRequest(`${gateway.url}/echo`, {
      method: "POST",
      headers: [...RUN, ["content-encoding", "zstd"]],
      body: BINARY,
    });
    assert.equal(res.status, 200);
    const echo: Echo = JSON.parse(new TextDecoder().decode(res.body));
    assert.deepEqual(decodeBase64(echo.body_b64), BINARY);
    assert.deepEqual(upstream.seen, ["/echo"]);
    await gateway.stop();
    const event = await onlyEvent(traces);
    assert.deepEqual([event.outcome, event.enforced], ["error", false]);
    assert.match(
      String(event.error),
      /zstd-encoded, a coding Mirage cannot read; forwarded uninspected/,
    );
  });
});

Deno.test("an upstream that refuses connections gives 502, recorded as error", async () => {
  const upstreamUrl = `http://127.0.0.1:${freePort()}`;
  await withGateway({ upstreamUrl }, async ({ gateway, traces }) => {
    const res = await rawRequest(`${gateway.url}/echo`, { headers: RUN });
    assert.equal(res.status, 502);
    assert.deepEqual(headerValues(res, "x-mirage-outcome"), ["error"]);
    const body = JSON.parse(new TextDecoder().decode(res.body));
    assert.equal(body.error, "upstream_unreachable");
    assert.match(body.message, /ECONNREFUSED/);
    await gateway.stop();
    const event = await onlyEvent(traces);
    assert.equal(event.outcome, "error");
    assert.deepEqual(event.response, { status: 502 });
  });
});

Deno.test("an upstream slower than --timeout-ms gives 504, recorded as error", async () => {
  await withGateway({ args: ["--timeout-ms", "300"] }, async ({ gateway, traces }) => {
    const started = performance.now();
    const res = await rawRequest(`${gateway.url}/hang`, { headers: RUN });
    assert.equal(res.status, 504);
    assert.ok(performance.now() - started >= 250, "answered long before the timeout");
    assert.equal(JSON.parse(new TextDecoder().decode(res.body)).error, "upstream_timeout");
    await gateway.stop();
    const event = await onlyEvent(traces);
    assert.equal(event.outcome, "error");
    assert.deepEqual(event.response, { status: 504 });
    assert.match(String(event.error), /within 300 ms/);
  });
});

Deno.test("a client that disconnects cancels its upstream request", async () => {
  await withGateway({}, async ({ gateway, upstream }) => {
    const client = new AbortController();
    const pending = fetch(`${gateway.url}/hang`, { signal: client.signal }).catch((e) => e);
    while (!upstream.seen.includes("/hang")) await new Promise((r) => setTimeout(r, 10));
    client.abort();
    assert.ok((await pending) instanceof Error);
    const until = Date.now() + 5000;
    while (!upstream.abandoned.includes("/hang") && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(upstream.abandoned, ["/hang"]);
  });
});

Deno.test("a timeout on a warm upstream connection gives 504 and sends the request once", async () => {
  await withGateway(
    { mode: "passthrough", args: ["--timeout-ms", "300"] },
    async ({ gateway, upstream }) => {
      const warm = await rawRequest(`${gateway.url}/echo`, { headers: RUN });
      assert.equal(warm.status, 200);
      const res = await requestSentOnce(upstream, `${gateway.url}/hang`, {
        method: "POST",
        headers: RUN,
        body: new TextEncoder().encode("{}"),
      });
      assert.equal(res.status, 504);
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(upstream.seen, ["/echo", "/hang"], "the POST reached the upstream once");
    },
  );
});

/**
 * An upstream on a raw socket that answers a head, part of the body, then closes: with a
 * content-length it promised more; chunked, it never sends the last chunk.
 */
class CuttingUpstream {
  readonly #listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  readonly #served: Promise<void>;

  constructor(head: string, body: Uint8Array) {
    this.#served = (async () => {
      for await (const conn of this.#listener) {
        await conn.read(new Uint8Array(64 * 1024));
        await conn.write(new TextEncoder().encode(head));
        await conn.write(body);
        conn.close();
      }
    })();
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#listener.addr as Deno.NetAddr).port}`;
  }

  async close(): Promise<void> {
    this.#listener.close();
    await this.#served.catch(() => {});
  }
}

/** What the client got: the status, and the body bytes before the cut (or the error). */
async function cutAnswer(url: string): Promise<{ status: number; bytes: number; cut: boolean }> {
  const res = await fetch(url, { headers: RUN });
  let bytes = 0;
  try {
    for await (const chunk of res.body!) bytes += chunk.length;
  } catch {
    return { status: res.status, bytes, cut: true };
  }
  return { status: res.status, bytes, cut: false };
}

for (
  const [framing, head, body] of [
    ["content-length", "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n", new Uint8Array(5000)],
    [
      "chunked",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
      new TextEncoder().encode(`1388\r\n${"x".repeat(5000)}\r\n`),
    ],
  ] as const
) {
  Deno.test(`an upstream that closes mid-body (${framing}): the client sees a cut, the trace an error, stderr no stack`, async () => {
    const upstream = new CuttingUpstream(head, body);
    try {
      await withGateway({ upstreamUrl: upstream.url }, async ({ gateway, traces }) => {
        const answer = await cutAnswer(`${gateway.url}/echo`);
        assert.equal(answer.status, 200);
        assert.ok(answer.cut, "the client must not see a clean end");
        assert.ok(answer.bytes <= 5000);
        const result = await gateway.stop();
        assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace on stderr");
        const trace = await readTraceFile(traces, "failures");
        const events = trace.events as Record<string, unknown>[];
        assert.deepEqual(events.map((e) => e.outcome), ["allowed", "error"]);
        assert.deepEqual(events[0]?.response, { status: 200 });
        assert.deepEqual(events[1]?.response, { status: 200, bytes: 5000 });
        assert.match(String(events[1]?.error), /upstream failed after 5000 body bytes/);
        assert.equal(trace.outcome, "error", "the run fails the gate");
        const lines = gateway.decisionLines();
        assert.deepEqual(lines.map((l) => l.outcome), ["allowed", "error"]);
      });
    } finally {
      await upstream.close();
    }
  });
}
