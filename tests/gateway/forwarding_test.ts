/**
 * The gateway is invisible: what reaches the upstream and what comes back is what the other
 * side sent, byte for byte, minus hop-by-hop headers, plus x-forwarded-*.
 */

import assert from "node:assert/strict";
import { decodeBase64 } from "./base64.ts";
import { json, withGateway } from "./harness.ts";
import { headerValues, rawRequest } from "./raw_client.ts";
import { BINARY, type Echo, GZIP_BYTES } from "./upstream_server.ts";

function echoOf(body: Uint8Array): Echo {
  return JSON.parse(new TextDecoder().decode(body));
}

Deno.test("method, path, query string and end-to-end headers reach the upstream untouched", async () => {
  await withGateway({}, async ({ gateway }) => {
    const res = await rawRequest(`${gateway.url}/echo?b=2&a=1&a=%20x&empty=&flag`, {
      method: "PUT",
      headers: [
        ["content-type", "application/json"],
        ["x-agent-id", "agent-7"],
        ["accept", "application/json"],
        ["connection", "x-drop-me"],
        ["x-drop-me", "hop"],
        ["keep-alive", "timeout=5"],
        ["te", "trailers"],
        ["proxy-authorization", "Basic abc"],
        ["x-mirage-run-id", "fwd"],
        ["x-mirage-debug", "1"],
        ["x-forwarded-for", "203.0.113.9"],
      ],
      body: json({ amount: 5 }),
    });
    assert.deepEqual(res.status, 200);
    const echo = echoOf(res.body);
    assert.deepEqual(echo.method, "PUT");
    assert.deepEqual(echo.path, "/echo");
    assert.deepEqual(echo.search, "?b=2&a=1&a=%20x&empty=&flag");
    assert.deepEqual(echo.headers["x-agent-id"], "agent-7");
    assert.deepEqual(echo.headers["accept"], "application/json");
    for (
      const gone of [
        "x-drop-me",
        "keep-alive",
        "te",
        "proxy-authorization",
        "x-mirage-run-id",
        "x-mirage-debug",
      ]
    ) {
      assert.deepEqual(echo.headers[gone], undefined, `${gone} must not reach the upstream`);
    }
    assert.deepEqual(echo.headers["x-forwarded-for"], "203.0.113.9, 127.0.0.1");
    assert.deepEqual(echo.headers["x-forwarded-proto"], "http");
    assert.deepEqual(echo.headers["x-forwarded-host"], new URL(gateway.url).host);
  });
});

Deno.test("Host is the upstream's", async () => {
  await withGateway({}, async ({ gateway, upstream }) => {
    const echo = echoOf((await rawRequest(`${gateway.url}/echo`)).body);
    assert.deepEqual(echo.headers["host"], new URL(upstream.url).host);
  });
});

Deno.test("a binary request body reaches the upstream byte for byte", async () => {
  await withGateway({}, async ({ gateway }) => {
    const res = await rawRequest(`${gateway.url}/echo`, {
      method: "POST",
      headers: [["content-type", "application/octet-stream"]],
      body: BINARY,
    });
    const echo = echoOf(res.body);
    assert.deepEqual(decodeBase64(echo.body_b64), BINARY);
    assert.deepEqual(echo.headers["content-length"], String(BINARY.length));
  });
});

Deno.test("a GET is forwarded without a body", async () => {
  await withGateway({}, async ({ gateway }) => {
    const echo = echoOf((await rawRequest(`${gateway.url}/echo`)).body);
    assert.deepEqual(echo.body_b64, "");
    assert.deepEqual(echo.headers["content-length"], undefined);
    assert.deepEqual(echo.headers["transfer-encoding"], undefined);
  });
});

Deno.test("status, every set-cookie and the other response headers come back", async () => {
  await withGateway({}, async ({ gateway }) => {
    const res = await rawRequest(`${gateway.url}/echo?status`, {
      headers: [["x-mirage-run-id", "cookies"]],
    });
    assert.deepEqual(res.status, 201);
    assert.deepEqual(headerValues(res, "set-cookie"), [
      "a=1; Path=/; HttpOnly",
      "b=2; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT",
      "c=3",
    ]);
    assert.deepEqual(headerValues(res, "x-upstream"), ["yes"]);
    assert.deepEqual(headerValues(res, "x-mirage-outcome"), ["allowed"]);
    assert.deepEqual(headerValues(res, "x-mirage-run-id"), ["cookies"]);
  });
});

Deno.test("a binary response comes back byte for byte", async () => {
  await withGateway({}, async ({ gateway }) => {
    const res = await rawRequest(`${gateway.url}/binary`);
    assert.deepEqual(res.body, BINARY);
  });
});

Deno.test("a gzip response arrives compressed, with its content-encoding and length", async () => {
  await withGateway({}, async ({ gateway }) => {
    const res = await rawRequest(`${gateway.url}/gzip`, {
      headers: [["accept-encoding", "gzip, br"]],
    });
    assert.deepEqual(res.status, 200);
    assert.deepEqual(headerValues(res, "content-encoding"), ["gzip"]);
    assert.deepEqual(headerValues(res, "content-length"), [String(GZIP_BYTES.length)]);
    assert.deepEqual(res.body, GZIP_BYTES);
  });
});

Deno.test("server-sent events stream through: the first event arrives while the upstream holds the stream open", async () => {
  await withGateway({}, async ({ gateway, upstream }) => {
    const res = await fetch(`${gateway.url}/sse`);
    assert.deepEqual(res.headers.get("content-type"), "text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n\n")) {
      const { done, value } = await reader.read();
      assert.ok(!done, "the stream ended before the first event");
      text += decoder.decode(value, { stream: true });
    }
    assert.deepEqual(text, "data: first\n\n");
    upstream.releaseSse();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    assert.deepEqual(text, "data: first\n\ndata: last\n\n");
  });
});

Deno.test("HEAD is answered without a body", async () => {
  await withGateway({}, async ({ gateway }) => {
    const res = await rawRequest(`${gateway.url}/binary`, { method: "HEAD" });
    assert.deepEqual(res.status, 200);
    assert.deepEqual(res.body.length, 0);
  });
});
