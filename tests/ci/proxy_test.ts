import assert from "node:assert/strict";
import { startProxy } from "../../src/ci/proxy.ts";
import { MOCKS_YAML, postJson, workspace } from "../support/fixtures.ts";

const COUNTED = `policies:
  - name: two_supplier_lists
    method: GET
    path: /v1/suppliers
    operator: count_lte
    value: 2
    message: at most two supplier lists per run
`;

async function start(ws: { policies: string; mocks: string; traces: string }, log: string[]) {
  return await startProxy({
    policies: ws.policies,
    mocks: ws.mocks,
    port: 0,
    hostname: "127.0.0.1",
    traces: ws.traces,
    runId: "r",
    mode: "enforce",
    reloadOnSignal: false,
    watchFiles: false,
    log: (line) => log.push(line),
    colour: false,
  });
}

async function status(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, init);
  await res.body?.cancel();
  return res.status;
}

Deno.test("ci proxy: state survives a reload; a broken reload keeps the old files", async () => {
  await using ws = await workspace(COUNTED, MOCKS_YAML);
  const log: string[] = [];
  const proxy = await start(ws, log);
  try {
    assert.equal(log[0], `[mirage] proxy listening on :${proxy.port} · 4 routes · 1 policy`);
    assert.equal(await status(`${proxy.url}/v1/suppliers`), 200);
    assert.equal(await status(`${proxy.url}/v1/suppliers`), 200);

    await Deno.writeTextFile(ws.policies, COUNTED.replace("value: 2", "value: two"));
    assert.equal(await proxy.reload(), false);
    assert.match(
      log.join("\n"),
      /reload \(reload\) failed; still serving the previous files:\n.*policies\.yaml:\d+:\d+: /,
    );

    await Deno.writeTextFile(ws.policies, COUNTED.replace("value: 2", "value: 3"));
    assert.equal(await proxy.reload(), true);
    assert.equal(log.at(-1), "[mirage] reloaded · 4 routes · 1 policy");
    // Two calls were counted before the reload: the third is within 3, the fourth is not.
    assert.equal(await status(`${proxy.url}/v1/suppliers`), 200);
    assert.equal(await status(`${proxy.url}/v1/suppliers`), 403);
    assert.equal(
      await status(`${proxy.url}/v1/get_quote`, postJson({}, { "x-mirage-run-id": "other" })),
      200,
    );
    assert.deepEqual([...proxy.runIds].sort(), ["other", "r"]);
    assert.equal(proxy.routes, 4);
    assert.equal(proxy.policies, 1);
  } finally {
    await proxy.close();
  }
  await proxy.close(); // a second close (signal during shutdown, finally blocks) is harmless
  const trace = JSON.parse(await Deno.readTextFile(`${ws.traces}/r.json`));
  assert.deepEqual(trace.counts, {
    allowed: 3,
    flagged: 0,
    policy_violation: 1,
    unmatched_route: 0,
    error: 0,
  });
});

Deno.test("ci proxy: a config error at start is thrown with its position", async () => {
  await using ws = await workspace("policies:\n  - name: x\n", MOCKS_YAML);
  await assert.rejects(
    start(ws, []),
    (e) => e instanceof Error && /policies\.yaml:\d+:\d+/.test(e.message),
  );
});

Deno.test("ci proxy: v1/decide decides against the mocks, records in the run, and logs the line", async () => {
  await using ws = await workspace(
    COUNTED,
    `${MOCKS_YAML}tools:\n  - { name: lookup, result: { text: found } }\n`,
  );
  const log: string[] = [];
  const proxy = await start(ws, log);
  try {
    const decide = async (action: unknown) => {
      const res = await fetch(`${proxy.url}/_mirage/v1/decide`, postJson(action));
      return { status: res.status, body: await res.json() };
    };
    const undeclared = await decide({ method: "GET", url: "http://api.test/v1/nowhere" });
    assert.equal(undeclared.status, 200);
    assert.equal(undeclared.body.outcome, "unmatched_route");
    assert.equal(undeclared.body.message, "no declared route matches GET /v1/nowhere");
    const tool = await decide({ tool: "lookup", args: { q: 1 }, call_id: "c1" });
    assert.deepEqual([tool.body.outcome, tool.body.event, tool.body.mock], [
      "allowed",
      2,
      { name: "lookup", result: { kind: "text", text: "found" } },
    ]);
    const bad = await decide({ tool: "lookup", call_id: 5 });
    assert.deepEqual([bad.status, bad.body.error], [400, "invalid_action"]);
    assert.ok(proxy.runIds.has("r"));
    assert.match(log.join("\n"), /agent → tool lookup allowed/);
  } finally {
    await proxy.close();
  }
  const trace = JSON.parse(await Deno.readTextFile(`${ws.traces}/r.json`));
  assert.deepEqual(trace.events.map((e: { response: unknown }) => e.response), [
    { status: 200 },
    { mock: "lookup" },
  ]);
});
