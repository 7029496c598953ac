/**
 * An upstream with a base path: requests go to `<base><path>`, but rules read the path the
 * client sent — a base path must not take a request out of its rules' scope.
 */

import assert from "node:assert/strict";
import { json, readTraceFile, withGateway } from "./harness.ts";
import { rawRequest } from "./raw_client.ts";
import type { Echo } from "./upstream_server.ts";

function postAmount(url: string, amount: number) {
  return rawRequest(`${url}/echo?x=1`, {
    method: "POST",
    headers: [["content-type", "application/json"], ["x-mirage-run-id", "base"]],
    body: json({ amount }),
  });
}

Deno.test("base path: rules scoped to /echo still stop /echo behind an upstream base path", async () => {
  await withGateway({ mode: "enforce", upstreamFor: (url) => `${url}/api/` }, async (rig) => {
    const blocked = await postAmount(rig.gateway.url, 500);
    assert.equal(blocked.status, 403);
    assert.deepEqual(rig.upstream.seen, [], "the violation never reached the upstream");
    const allowed = await postAmount(rig.gateway.url, 5);
    assert.equal(allowed.status, 200);
    const echo: Echo = JSON.parse(new TextDecoder().decode(allowed.body));
    assert.deepEqual([echo.path, echo.search], ["/api/echo", "?x=1"]);
    await rig.gateway.stop();
    const trace = await readTraceFile(rig.traces, "base");
    const paths = (trace.events as { request: { path: string } }[]).map((e) => e.request.path);
    assert.deepEqual(paths, ["/echo", "/echo"], "the trace shows what the client asked for");
  });
});

Deno.test("--run-id names the run of requests without x-mirage-run-id", async () => {
  await withGateway({ mode: "enforce", args: ["--run-id", "nightly"] }, async (rig) => {
    const res = await rawRequest(`${rig.gateway.url}/echo`, { method: "GET" });
    assert.equal(res.status, 200);
    await rig.gateway.stop();
    assert.equal((await readTraceFile(rig.traces, "nightly")).run_id, "nightly");
  });
});
