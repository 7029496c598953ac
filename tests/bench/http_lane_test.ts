/**
 * The paced generator's connection reads answers framed either way — a declared length, chunked
 * — back to back on one kept-alive connection, and reports their statuses.
 */

import assert from "node:assert/strict";
import { HttpLane } from "../../bench/gateway/http_lane.ts";

Deno.test("one lane: content-length and chunked answers back to back on one connection", async () => {
  const ports = new Set<number>();
  let n = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (_req, info) => {
    ports.add(info.remoteAddr.port);
    n++;
    if (n % 2 === 1) return new Response("x".repeat(70_000), { status: 201 });
    const body = ReadableStream.from(
      ["first chunk ", "second chunk"].map((t) => new TextEncoder().encode(t)),
    );
    return new Response(body, { status: n === 4 ? 404 : 200 });
  });
  const lane = await HttpLane.open("127.0.0.1", server.addr.port);
  const request = new TextEncoder().encode(
    `GET /x HTTP/1.1\r\nhost: 127.0.0.1:${server.addr.port}\r\n\r\n`,
  );
  try {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await lane.exchange(request));
    assert.deepEqual(statuses, [201, 200, 201, 404]);
    assert.equal(ports.size, 1);
  } finally {
    lane.close();
    await server.shutdown();
  }
});
