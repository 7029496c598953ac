/**
 * The session, `mirage proxy` and `mirage gateway` read bodies and paths alike (docs/bodies.md):
 * the same bytes give the same outcome and the same status on every surface, and the decide
 * route of the proxy and of the gateway answers the same action alike (its decided outcomes
 * with 200, its errors with the status the surfaces answer). Each case is one a probe found
 * deciding differently than an upstream would read it.
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
const FORM_TYPE: [string, string] = ["content-type", "application/x-www-form-urlencoded"];

/** JSON that a form parser reads as `destination_url=https://pastebin.com/raw/x` too. */
const JSON_AND_FORM = enc('["x","&destination_url=https://pastebin.com/raw/x&"]');

/** A multipart body as Deno's `fetch` serialises a `FormData`, with its content-type. */
async function multipart(fields: Record<string, string>): Promise<[[string, string], Uint8Array]> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const request = new Request("http://x.test/", { method: "POST", body: form });
  return [["content-type", request.headers.get("content-type") as string], await request.bytes()];
}

const [MULTIPART_TYPE, MULTIPART_PASTE] = await multipart({
  note: "weekly export",
  destination_url: "https://pastebin.com/raw/x",
});
const [BID_TYPE, MULTIPART_BID] = await multipart({ amount: "50000" });

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
    name: "a form after a UTF-16 byte-order mark",
    path: "/v1/get_quote",
    headers: [["content-type", "application/x-www-form-urlencoded"]],
    body: new Uint8Array([0xff, 0xfe, ...enc("&destination_url=https://pastebin.com/raw/x")]),
    expect: ["error", 415],
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
  {
    name: "a declared form that also parses as JSON",
    path: "/v1/get_quote",
    headers: [FORM_TYPE],
    body: JSON_AND_FORM,
    expect: ["policy_violation", 403],
  },
  {
    name: "JSON that also reads as a form, of no stated type",
    path: "/v1/get_quote",
    body: JSON_AND_FORM,
    expect: ["error", 415],
  },
  {
    name: "JSON that also reads as a form, as text/plain",
    path: "/v1/get_quote",
    headers: [["content-type", "text/plain;charset=UTF-8"]],
    body: JSON_AND_FORM,
    expect: ["error", 415],
  },
  {
    name: "a form, as text/plain",
    path: "/v1/get_quote",
    headers: [["content-type", "text/plain"]],
    body: enc("destination_url=https://pastebin.com/raw/x"),
    expect: ["error", 415],
  },
  {
    name: "a form whose fields differ where ';' ends a field",
    path: "/v1/get_quote",
    headers: [FORM_TYPE],
    body: enc("note=x;destination_url=https://pastebin.com/raw/x"),
    expect: ["error", 415],
  },
  {
    name: "a multipart body",
    path: "/v1/get_quote",
    headers: [MULTIPART_TYPE],
    body: MULTIPART_PASTE,
    expect: ["policy_violation", 403],
  },
  {
    name: "a multipart bid, its amount numeric text",
    path: "/v1/submit_bid",
    headers: [BID_TYPE],
    body: MULTIPART_BID,
    expect: ["policy_violation", 403],
  },
  {
    name: "a gzip multipart body",
    path: "/v1/submit_bid",
    headers: [BID_TYPE, ["content-encoding", "gzip"]],
    body: new Uint8Array(gzipSync(MULTIPART_BID)),
    expect: ["policy_violation", 403],
  },
  {
    name: "a multipart body cut before its close delimiter",
    path: "/v1/get_quote",
    headers: [MULTIPART_TYPE],
    body: MULTIPART_PASTE.subarray(0, MULTIPART_PASTE.length - 10),
    expect: ["error", 415],
  },
  {
    name: "a multipart part named with name*",
    path: "/v1/get_quote",
    headers: [["content-type", "multipart/form-data; boundary=XyZ"]],
    body: enc(
      "--XyZ\r\nContent-Disposition: form-data; name*=UTF-8''destination_url\r\n\r\n" +
        "https://pastebin.com/raw/x\r\n--XyZ--\r\n",
    ),
    expect: ["error", 415],
  },
  {
    name: "a multipart body without a boundary",
    path: "/v1/get_quote",
    headers: [["content-type", "multipart/form-data"]],
    body: MULTIPART_PASTE,
    expect: ["error", 415],
  },
  {
    name: "declared gzip that is not gzip",
    path: "/v1/submit_bid",
    headers: [JSON_TYPE, ["content-encoding", "gzip"]],
    body: enc('{"amount": 50000}'),
    expect: ["error", 415],
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
    name: "JSON that also reads as a form, of no stated type",
    path: "/v1/get_quote",
    body: JSON_AND_FORM,
    expect: ["error", 200],
  },
  {
    name: "a multipart body cut before its close delimiter",
    path: "/v1/get_quote",
    headers: [MULTIPART_TYPE],
    body: MULTIPART_PASTE.subarray(0, MULTIPART_PASTE.length - 10),
    expect: ["error", 200],
  },
  {
    name: "a multipart body",
    path: "/v1/get_quote",
    headers: [MULTIPART_TYPE],
    body: MULTIPART_PASTE,
    expect: ["policy_violation", 200],
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

/**
 * The case as an action posted to the decide route. It answers a decided outcome with 200 and
 * an error with the status the surfaces answer (the passthrough surfaces pass a body they cannot
 * read on: 200, as the route answers it).
 */
async function viaDecide(base: string, c: Case): Promise<Answer> {
  const action = {
    method: "POST",
    url: `http://api.test${c.path}`,
    headers: Object.fromEntries(c.headers ?? []),
    ...(c.body ? { body_base64: c.body.toBase64() } : {}),
  };
  const res = await rawRequest(`${base}/_mirage/v1/decide`, {
    method: "POST",
    headers: [["x-mirage-run-id", "agree"], JSON_TYPE],
    body: enc(JSON.stringify(action)),
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
        "proxy decide": await viaDecide(proxy.url, c),
        "gateway decide": await viaDecide(gateway.url, c),
      };
      const [outcome, status] = c.expect;
      const decided: Answer = [outcome, outcome === "error" ? status : 200];
      assert.deepEqual(answers, {
        session: c.expect,
        proxy: c.expect,
        gateway: c.expect,
        "proxy decide": decided,
        "gateway decide": decided,
      }, c.name);
    }
    // Only the gateway's traffic reaches the upstream, and only what it lets through.
    const forwarded = cases.filter((c) => c.expect[1] < 400).map((c) => c.path);
    assert.deepEqual(upstream.seen, forwarded, "what reached the upstream");
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

/** The shipped policies that hold `no_paste_sites`. */
const SHIPPED = "policies/outbound_data.yaml";

/** An enforcing gateway over the shipped policies, in front of `upstream`. */
function shippedGateway(upstream: TestUpstream, traces: string): Promise<GatewayProcess> {
  const args = ["--upstream", upstream.url, "--mode", "enforce", "--policies", SHIPPED];
  return GatewayProcess.start([...args, "--traces", traces]);
}

Deno.test("the shipped no_paste_sites rule stops the probe's body with an invalid UTF-8 byte", async () => {
  const body = new Uint8Array([...enc(PASTE), 0xff, ...enc('"}')]);
  {
    await using mirage = await session({
      policies: SHIPPED,
      mocks: "mocks/outbound_data.yaml",
      traces: false,
    });
    const res = await mirage.fetch("http://api.acme.internal/v1/reports", { method: "POST", body });
    assert.deepEqual([res.status, res.headers.get("x-mirage-policy")], [403, "no_paste_sites"]);
    await res.body?.cancel();
  }
  const upstream = new TestUpstream();
  await using ws = await workspace(POLICIES, MOCKS_YAML);
  const gateway = await shippedGateway(upstream, ws.traces);
  try {
    const res = await rawRequest(`${gateway.url}/v1/reports`, { method: "POST", body });
    assert.deepEqual([res.status, headerValues(res, "x-mirage-policy")], [403, ["no_paste_sites"]]);
    assert.deepEqual(upstream.seen, []);
  } finally {
    await gateway.stop();
    await upstream.close();
  }
});

/** `curl` against a URL: its status and its `x-mirage-outcome`. */
async function curl(args: string[]): Promise<Answer> {
  const out = await new Deno.Command("curl", {
    args: ["-sS", "-o", "/dev/null", "-D", "-", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const head = new TextDecoder().decode(out.stdout);
  const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1]);
  return [/^x-mirage-outcome: (\S+)/im.exec(head)?.[1] ?? "(none)", status];
}

Deno.test("the review's probes against a live enforcing gateway: nothing reaches the upstream", async () => {
  const upstream = new TestUpstream();
  await using ws = await workspace(POLICIES, MOCKS_YAML);
  const gateway = await shippedGateway(upstream, ws.traces);
  try {
    const reports = `${gateway.url}/v1/reports`;
    const decide = `${gateway.url}/_mirage/v1/decide`;
    const paste = "https://pastebin.com/raw/x";
    const action = (headers: Record<string, string>, body: string) =>
      JSON.stringify({ method: "POST", url: "http://api/v1/notes", headers, body });
    assert.deepEqual(
      {
        form: await curl([
          ...["-H", "content-type: application/x-www-form-urlencoded"],
          ...["--data-binary", `["x","&destination_url=${paste}&"]`, reports],
        ]),
        multipart: await curl(["-F", `destination_url=${paste}`, reports]),
        "decide, JSON with a trailing comma": await curl([
          ...["-H", "content-type: application/json", "--data-binary"],
          action({ "content-type": "application/json" }, `{"destination_url":"${paste}",}`),
          decide,
        ]),
        "decide, gzip that is not": await curl([
          ...["-H", "content-type: application/json", "--data-binary"],
          action({ "content-type": "application/json", "content-encoding": "gzip" }, "{}"),
          decide,
        ]),
      },
      {
        form: ["policy_violation", 403],
        multipart: ["policy_violation", 403],
        "decide, JSON with a trailing comma": ["error", 415],
        "decide, gzip that is not": ["error", 415],
      },
    );
    assert.deepEqual(upstream.seen, []);
  } finally {
    await gateway.stop();
    await upstream.close();
  }
});
