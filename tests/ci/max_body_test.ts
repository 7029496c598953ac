/**
 * The CI path reads request bodies up to the inspection limit, as the gateway does: a larger
 * body (as sent or once decompressed) is refused 413 and recorded as `error` in both modes, since
 * there is no upstream to pass it to, and it is never buffered whole.
 */

import assert from "node:assert/strict";
import http from "node:http";
import { gzipSync } from "node:zlib";
import { session } from "@mirage/core";
import { runCli, startProxyProcess } from "../support/cli_process.ts";
import { MOCKS_YAML, POLICIES_YAML, workspace } from "../support/fixtures.ts";

const QUOTE = "http://api.test/v1/get_quote";

Deno.test("session: a body over maxBody is answered 413 and recorded as error, in both modes", async () => {
  for (const mode of ["enforce", "passthrough"] as const) {
    await using ws = await workspace();
    await using mirage = await session({
      policies: ws.policies,
      mocks: ws.mocks,
      mode,
      traces: false,
      maxBody: 1000,
    });
    const res = await mirage.fetch(QUOTE, { method: "POST", body: "x".repeat(1001) });
    assert.equal(res.status, 413, mode);
    const body = await res.json();
    assert.equal(body.error, "body_too_large");
    const zipped = await mirage.fetch(QUOTE, {
      method: "POST",
      headers: { "content-encoding": "gzip" },
      body: new Uint8Array(gzipSync(new Uint8Array(1001))),
    });
    assert.equal(zipped.status, 413, mode);
    await zipped.body?.cancel();
    const events = mirage.events.map((e) => [e.outcome, e.response.status, e.enforced]);
    assert.deepEqual(events, [["error", 413, true], ["error", 413, true]], mode);
    assert.match(String(mirage.events[0]?.error), /inspection limit of 1000 bytes/);
    const within = await mirage.fetch(QUOTE, { method: "POST", body: '{"quantity": 5}' });
    assert.equal(within.status, 200);
    await within.body?.cancel();
  }
});

Deno.test("session: the default inspection limit is 1 MiB", async () => {
  await using ws = await workspace();
  await using mirage = await session({ policies: ws.policies, mocks: ws.mocks, traces: false });
  const at = await mirage.fetch(QUOTE, { method: "POST", body: "x".repeat(1024 * 1024) });
  assert.equal(at.status, 200);
  await at.body?.cancel();
  const over = await mirage.fetch(QUOTE, { method: "POST", body: "x".repeat(1024 * 1024 + 1) });
  assert.equal(over.status, 413);
  await over.body?.cancel();
});

/** Streams zeros to the proxy until it answers; resolves with its status and what was sent. */
function streamUntilAnswered(url: string, cap: number): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const chunk = new Uint8Array(64 * 1024);
    const req = http.request(url, {
      method: "POST",
      agent: false,
      headers: { "transfer-encoding": "chunked" },
    }, (res) => {
      answered = true;
      res.resume();
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, sent });
      });
    });
    req.on("error", (e) => answered ? undefined : reject(e));
    const pump = () => {
      while (!answered && sent < cap) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

Deno.test("mirage proxy --max-body: a larger body is refused 413 before it is read whole", async () => {
  await using ws = await workspace(POLICIES_YAML, MOCKS_YAML);
  for (const mode of ["enforce", "passthrough"]) {
    const proxy = await startProxyProcess([
      "--policies",
      ws.policies,
      "--mocks",
      ws.mocks,
      "--traces",
      ws.traces,
      "--mode",
      mode,
      "--max-body",
      "64KiB",
      "--no-watch",
      "--run-id",
      "big",
    ]);
    try {
      const cap = 512 * 1024 * 1024;
      const { status, sent } = await streamUntilAnswered(`${proxy.url}/v1/get_quote`, cap);
      assert.equal(status, 413, mode);
      assert.ok(sent < cap, `${mode}: the proxy waited for the whole ${sent}-byte body`);
    } finally {
      await proxy.stop();
    }
    const trace = JSON.parse(await Deno.readTextFile(`${ws.traces}/big.json`));
    assert.deepEqual(
      trace.events.map((e: { outcome: string; response: unknown }) => [e.outcome, e.response]),
      [["error", { status: 413 }]],
      mode,
    );
    assert.match(trace.events[0].error, /inspection limit of 65536 bytes/);
  }
});

Deno.test("mirage proxy --max-body takes sizes as the gateway does and refuses nonsense", async () => {
  const r = await runCli([
    "proxy",
    "--mocks",
    "m.yaml",
    "--policies",
    "p.yaml",
    "--max-body",
    "lots",
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--max-body: not a size: 'lots' \(use e\.g\. 1000, 512KiB, 1MiB\)/);
});
