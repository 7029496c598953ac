/**
 * The gateway in front of a real nginx: static binary and JSON files (gzip on the fly), range
 * requests and several set-cookie arrive exactly as nginx sends them directly.
 */

import assert from "node:assert/strict";
import { GatewayProcess } from "./gateway_process.ts";
import { POLICIES } from "./harness.ts";
import { Nginx } from "./nginx_server.ts";
import { type RawAnswer, rawRequest } from "./raw_client.ts";

const BIN = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 13 + 5) % 256);
const JSON_BYTES = new TextEncoder().encode(
  JSON.stringify({ items: Array.from({ length: 300 }, (_, i) => ({ i })) }),
);

/** Headers a hop sets for itself (and the gateway's own), left out of the comparison. */
const PER_HOP = new Set(["date", "connection", "keep-alive", "transfer-encoding"]);

function endToEnd(answer: RawAnswer): string[] {
  return answer.headers
    .map(([n, v]) => `${n.toLowerCase()}: ${v}`)
    .filter((h) => !PER_HOP.has(h.split(":")[0] as string) && !h.startsWith("x-mirage-"))
    .sort();
}

async function both(
  nginx: Nginx,
  gateway: GatewayProcess,
  path: string,
  headers: Array<[string, string]> = [],
) {
  const direct = await rawRequest(`${nginx.url}${path}`, { headers });
  const via = await rawRequest(`${gateway.url}${path}`, { headers });
  return { direct, via };
}

Deno.test("through the gateway, nginx's answers are byte-exact and keep their headers", async () => {
  const nginx = await Nginx.start({ "data.bin": BIN, "data.json": JSON_BYTES });
  const traces = await Deno.makeTempDir({ prefix: "mirage-gw-nginx-" });
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await GatewayProcess.start([
      "--upstream",
      nginx.url,
      "--mode",
      "enforce",
      "--policies",
      POLICIES,
      "--traces",
      traces,
      "--no-decision-log",
    ]);

    const bin = await both(nginx, gateway, "/data.bin");
    assert.equal(bin.via.status, 200);
    assert.deepEqual(bin.via.body, BIN);
    assert.deepEqual(endToEnd(bin.via), endToEnd(bin.direct));

    const gz = await both(nginx, gateway, "/data.json", [["accept-encoding", "gzip"]]);
    assert.ok(endToEnd(gz.direct).includes("content-encoding: gzip"), "nginx compressed the JSON");
    assert.deepEqual(gz.via.body, gz.direct.body);
    assert.deepEqual(endToEnd(gz.via), endToEnd(gz.direct));

    const plain = await both(nginx, gateway, "/data.json");
    assert.deepEqual(plain.via.body, JSON_BYTES);
    assert.deepEqual(endToEnd(plain.via), endToEnd(plain.direct));

    const range = await both(nginx, gateway, "/data.bin", [["range", "bytes=100-199"]]);
    assert.equal(range.via.status, 206);
    assert.deepEqual(range.via.body, BIN.slice(100, 200));
    assert.deepEqual(endToEnd(range.via), endToEnd(range.direct));

    const cookies = await both(nginx, gateway, "/cookies");
    const setCookies = (a: RawAnswer) =>
      a.headers.filter(([n]) => n.toLowerCase() === "set-cookie").map(([, v]) => v);
    assert.deepEqual(setCookies(cookies.via), ["first=1; Path=/", "second=2; HttpOnly"]);
    assert.deepEqual(endToEnd(cookies.via), endToEnd(cookies.direct));

    const missing = await both(nginx, gateway, "/nope.txt");
    assert.equal(missing.via.status, 404);
    assert.deepEqual(missing.via.body, missing.direct.body);
  } finally {
    await gateway?.stop();
    await nginx.stop();
    await Deno.remove(traces, { recursive: true });
  }
});
