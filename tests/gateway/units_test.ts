/**
 * The pure parts of forwarding: sizes, the upstream URL, which headers cross the gateway, and
 * reading a body up to the inspection limit.
 */

import assert from "node:assert/strict";
import { readLimited } from "../../src/http/body_limit.ts";
import { answerHeaders, upstreamHeaders } from "../../src/gateway/forward_headers.ts";
import { Upstream, upstreamUrl } from "../../src/gateway/upstream_url.ts";
import { runCli } from "../support/cli_process.ts";
import { parseSize } from "../../src/cli/size.ts";
import { MirageError } from "../../src/errors.ts";

Deno.test("sizes: bytes, decimal and binary units", () => {
  assert.equal(parseSize("1000"), 1000);
  assert.equal(parseSize("512KiB"), 512 * 1024);
  assert.equal(parseSize("1MiB"), 1024 * 1024);
  assert.equal(parseSize("2mb"), 2_000_000);
  assert.equal(parseSize("1.5 KiB"), 1536);
  for (const bad of ["", "MiB", "-1", "1 parsec", "1e3"]) {
    assert.throws(() => parseSize(bad), MirageError, bad);
  }
});

Deno.test("upstream URL: base path + request path + query; a '//' path cannot change the host", () => {
  const up = new URL("http://api.test:9000/base/");
  assert.equal(
    upstreamUrl(up, new URL("http://gw/v1/x?a=1&a=2")).href,
    "http://api.test:9000/base/v1/x?a=1&a=2",
  );
  const sneaky = upstreamUrl(new URL("http://api.test"), new URL("http://gw//evil.test/x"));
  assert.equal(sneaky.host, "api.test");
  assert.equal(sneaky.pathname, "//evil.test/x");
});

Deno.test("request headers: hop-by-hop and Connection-named dropped, x-mirage-* stripped, x-forwarded-* set", () => {
  const incoming = new Headers({
    "host": "gw.test:8080",
    "connection": "keep-alive, X-Custom-Hop",
    "x-custom-hop": "1",
    "upgrade": "websocket",
    "transfer-encoding": "chunked",
    "x-mirage-run-id": "r",
    "content-length": "99",
    "accept": "*/*",
  });
  const out = upstreamHeaders(incoming, new URL("http://api.test:9000/"), {
    clientIp: "10.0.0.5",
    proto: "http",
  }, 3);
  assert.deepEqual([...out.entries()], [
    ["accept", "*/*"],
    ["content-length", "3"],
    ["host", "api.test:9000"],
    ["x-forwarded-for", "10.0.0.5"],
    ["x-forwarded-host", "gw.test:8080"],
    ["x-forwarded-proto", "http"],
  ]);
});

Deno.test("response headers: hop-by-hop and Connection-named dropped, every set-cookie kept", () => {
  const out = answerHeaders([
    ["Connection", "close, X-Trace-Hop"],
    ["X-Trace-Hop", "1"],
    ["Keep-Alive", "timeout=5"],
    ["Transfer-Encoding", "chunked"],
    ["Set-Cookie", "a=1"],
    ["Set-Cookie", "b=2, c"],
    ["Content-Type", "text/plain"],
  ]);
  assert.deepEqual(out.getSetCookie(), ["a=1", "b=2, c"]);
  assert.deepEqual([...out.keys()].filter((k) => k !== "set-cookie"), ["content-type"]);
});

function streamOf(chunks: number[][]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks.map((c) => Uint8Array.from(c)));
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of stream) out.push(...chunk);
  return out;
}

Deno.test("body within the limit is read whole; none is none", async () => {
  assert.deepEqual(await readLimited(null, 10), { kind: "none" });
  const b = await readLimited(streamOf([[1, 2], [3]]), 3);
  assert.equal(b.kind, "complete");
  assert.deepEqual(b.kind === "complete" ? [...b.bytes] : [], [1, 2, 3]);
});

Deno.test("body over the limit keeps every byte: what was read, then the rest", async () => {
  const b = await readLimited(streamOf([[1, 2], [3, 4], [5], [6, 7]]), 3);
  assert.equal(b.kind, "over");
  assert.deepEqual(b.kind === "over" ? await bytesOf(b.stream) : [], [1, 2, 3, 4, 5, 6, 7]);
});

Deno.test("an upstream URL with credentials is refused, never printed or served", async () => {
  assert.throws(
    () => new Upstream(new URL("http://svc:s3cretpw@127.0.0.1:9/base")),
    (e) => e instanceof MirageError && e.code === "invalid_option" && !e.message.includes("s3cret"),
  );
  const cli = await runCli([
    "gateway",
    "--upstream",
    "http://svc:s3cretpw@127.0.0.1:9/base",
    "--mode",
    "enforce",
    "--policies",
    "policies/procurement.yaml",
  ]);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /--upstream cannot carry credentials/);
  assert.equal(`${cli.stdout}${cli.stderr}`.includes("s3cret"), false);
});
