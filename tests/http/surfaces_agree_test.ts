/**
 * The session, `mirage proxy` and `mirage gateway` read bodies and paths alike (docs/bodies.md):
 * the same bytes give the same outcome and the same status on every surface. Each case is one a
 * probe found deciding differently than an upstream would read it.
 */

import assert from "node:assert/strict";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { session } from "@mirage/core";
import { GatewayProcess } from "../gateway/gateway_process.ts";
import { headerValues, rawRequest } from "../gateway/raw_client.ts";
import { TestUpstream } from "../gateway/upstream_server.ts";
import { startProxyProcess } from "../support/cli_process.ts";
import { MOCKS_YAML, POLICIES_YAML, workspace } from "../support/fixtures.ts";

/** The fixture's bid limit and bulk-quote flag, and the shipped `no_paste_sites` rule. */
const POLICIES = `${POLICIES_YAML}  - name: no_paste_sites
    path: /v1/**
    field: payload.destination_url
    operator: host_not_in
    value: [pastebin.com, "*.ngrok.io", transfer.sh]
    on_missing: pass
    message: Data must not be sent to paste or tunnel sites.
`;

const enc = (s: string) => new TextEncoder().encode(s);
const JSON_TYPE: [string, string] = ["content-type", "application/json"];

interface Case {
  readonly name: string;
  readonly path: string;
  readonly headers?: Array<[string, string]>;
  readonly body?: Uint8Array;
  /** Outcome and status, the same on every surface. */
  readonly expect: readonly [string, number];
}

const PASTE = '{"destination_url":"https://pastebin.com/raw/x","t":"';

const ENFORCE: readonly Case[] = [
  {
    name: "an invalid UTF-8 byte in JSON",
    path: "/v1/get_quote",
    headers: [JSON_TYPE],
    body: new Uint8Array([...enc(PASTE), 0xff, ...enc('"}')]),
    expect: ["policy_violation", 403],
  },
  {
    name: "UTF-16 JSON",
    path: "/v1/get_quote",
    headers: [JSON_TYPE],
    body: Uint8Array.from([...`${PASTE}x"}`].flatMap((c) => [c.charCodeAt(0), 0])),
    expect: ["policy_violation", 403],
  },
  {
    name: "a form",
    path: "/v1/get_quote",
    headers: [["content-type", "application/x-www-form-urlencoded"]],
    body: enc("destination_url=https%3A%2F%2Fpastebin.com%2Fraw%2Fx"),
    expect: ["policy_violation", 403],
  },
  {
    name: "declared JSON that does not parse",
    path: "/v1/submit_bid",
    headers: [JSON_TYPE],
    body: enc('{"amount": 50000,}'),
    expect: ["error", 415],
  },
  {
    name: "a gzip body",
    path: "/v1/get_quote",
    headers: [JSON_TYPE, ["content-encoding", "gzip"]],
    body: new Uint8Array(gzipSync(enc('{"quantity": 5000}'))),
    expect: ["flagged", 200],
  },
  {
    name: "a br body",
    path: "/v1/submit_bid",
    headers: [JSON_TYPE, ["content-encoding", "br"]],
    body: new Uint8Array(brotliCompressSync(enc('{"amount": 50000}'))),
    expect: ["policy_violation", 403],
  },
  {
    name: "an unknown coding",
    path: "/v1/get_quote",
    headers: [["content-encoding", "zstd"]],
    body: enc("(zstd)"),
    expect: ["error", 415],
  },
  {
    name: "a gzip bomb",
    path: "/v1/get_quote",
    headers: [["content-encoding", "gzip"]],
    body: new Uint8Array(gzipSync(new Uint8Array(8 * 1024 * 1024))),
    expect: ["error", 413],
  },
  {
    name: "an encoded slash",
    path: "/v1%2Fsubmit_bid",
    headers: [JSON_TYPE],
    body: enc('{"amount": 50000}'),
    expect: ["policy_violation", 403],
  },
  {
    name: "an encoded trailing slash",
    path: "/v1/submit_bid%2F",
    headers: [JSON_TYPE],
    body: enc('{"amount": 50000}'),
    expect: ["policy_violation", 403],
  },
  {
    name: "dot segments behind encoded slashes",
    path: "/v1/x%2F..%2Fsubmit_bid",
    headers: [JSON_TYPE],
    body: enc('{"amount": 50000}'),
    expect: ["policy_violation", 403],
  },
  { name: "a doubled slash before /_mirage", path: "//_mirage/health", expect: ["error", 400] },
  { name: "an encoded _ in /_mirage", path: "/%5Fmirage/v1/runs", expect: ["error", 400] },
  { name: "an encoded slash to /_mirage", path: "/x%2F..%2F_mirage", expect: ["error", 400] },
  { name: "a ; parameter in /_mirage", path: "/_mirage;x/health", expect: ["error", 400] },
];

/** Passthrough: a body the rules cannot read is served (CI) or forwarded (gateway). */
const PASSTHROUGH: readonly Case[] = [
  {
    name: "declared JSON that does not parse",
    path: "/v1/get_quote",
    headers: [JSON_TYPE],
    body: enc('{"amount": 50000,}'),
    expect: ["error", 200],
  },
  {
    name: "an unknown coding",
    path: "/v1/get_quote",
    headers: [["content-encoding", "zstd"]],
    body: enc("(zstd)"),
    expect: ["error", 200],
  },
  {
    name: "a doubled slash before /_mirage",
    path: "//_mirage/health",
    expect: ["error", 400],
  },
];

type Answer = readonly [string, number];

async function viaHttp(base: string, c: Case): Promise<Answer> {
  const res = await rawRequest(`${base}${c.path}`, {
    method: "POST",
    headers: [["x-mirage-run-id", "agree"], ...c.headers ?? []],
    ...(c.body ? { body: c.body } : {}),
  });
  return [headerValues(res, "x-mirage-outcome")[0] ?? "(none)", res.status];
}

async function viaSession(
  ws: { policies: string; mocks: string },
  mode: string,
  c: Case,
): Promise<Answer> {
  await using mirage = await session({
    policies: ws.policies,
    mocks: ws.mocks,
    mode: mode as "enforce" | "passthrough",
    traces: false,
  });
  const res = await mirage.fetch(`http://api.test${c.path}`, {
    method: "POST",
    headers: c.headers ?? [],
    ...(c.body ? { body: c.body as Uint8Array<ArrayBuffer> } : {}),
  });
  await res.body?.cancel();
  return [res.headers.get("x-mirage-outcome") ?? "(none)", res.status];
}

async function agree(mode: "enforce" | "passthrough", cases: readonly Case[]): Promise<void> {
  await using ws = await workspace(POLICIES, MOCKS_YAML);
  const upstream = new TestUpstream();
  const proxy = await startProxyProcess([
    "--policies",
    ws.policies,
    "--mocks",
    ws.mocks,
    "--traces",
    ws.traces,
    "--mode",
    mode,
    "--no-watch",
  ]);
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await GatewayProcess.start([
      "--upstream",
      upstream.url,
      "--mode",
      mode,
      "--policies",
      ws.policies,
      "--traces",
      `${ws.traces}-gateway`,
    ]);
    for (const c of cases) {
      const answers: Record<string, Answer> = {
        session: await viaSession(ws, mode, c),
        proxy: await viaHttp(proxy.url, c),
        gateway: await viaHttp(gateway.url, c),
      };
      assert.deepEqual(answers, { session: c.expect, proxy: c.expect, gateway: c.expect }, c.name);
    }
  } finally {
    await gateway?.stop();
    await proxy.stop();
    await upstream.close();
  }
}

Deno.test("every surface reads bodies and paths alike (enforce)", async () => {
  await agree("enforce", ENFORCE);
});

Deno.test("every surface reads bodies and paths alike (passthrough)", async () => {
  await agree("passthrough", PASSTHROUGH);
});

Deno.test("the shipped no_paste_sites rule stops the probe's body with an invalid UTF-8 byte", async () => {
  const policies = "policies/outbound_data.yaml";
  const body = new Uint8Array([...enc(PASTE), 0xff, ...enc('"}')]);
  {
    await using mirage = await session({
      policies,
      mocks: "mocks/outbound_data.yaml",
      traces: false,
    });
    const res = await mirage.fetch("http://api.acme.internal/v1/reports", { method: "POST", body });
    assert.deepEqual([res.status, res.headers.get("x-mirage-policy")], [403, "no_paste_sites"]);
    await res.body?.cancel();
  }
  const upstream = new TestUpstream();
  await using ws = await workspace(POLICIES, MOCKS_YAML);
  const gateway = await GatewayProcess.start([
    "--upstream",
    upstream.url,
    "--mode",
    "enforce",
    "--policies",
    policies,
    "--traces",
    ws.traces,
  ]);
  try {
    const res = await rawRequest(`${gateway.url}/v1/reports`, { method: "POST", body });
    assert.deepEqual([res.status, headerValues(res, "x-mirage-policy")], [403, ["no_paste_sites"]]);
    assert.deepEqual(upstream.seen, []);
  } finally {
    await gateway.stop();
    await upstream.close();
  }
});
