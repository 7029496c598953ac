/**
 * `POST /_mirage/v1/decide` reads an HTTP-shaped action's body as the surfaces read a request's
 * (docs/bodies.md#the-decide-route): a body the gateway would refuse is not answered `allowed`.
 */

import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { compilePolicies } from "@mirage/core";
import type { Mode } from "../../src/engine/outcome.ts";
import { type DecideContext, handleDecide } from "../../src/http/decide_route.ts";
import { CallMemory } from "../../src/tools/call_memory.ts";
import { compileRedactor } from "../../src/trace/redact.ts";
import { type RecordedEvent, Recorder } from "../../src/trace/recorder.ts";
import { RunIdRule } from "../../src/trace/run_id.ts";

const POLICIES = compilePolicies({
  policies: [{
    name: "no_paste_sites",
    path: "/v1/**",
    field: "payload.destination_url",
    operator: "host_not_in",
    value: ["pastebin.com"],
    on_missing: "pass",
    message: "no paste sites",
  }],
});

const PASTE = "https://pastebin.com/raw/x";
const JSON_TYPE = { "content-type": "application/json" };

/** A decide route over the paste rule, in `mode`, with the events it records. */
function route(mode: Mode, maxBody = 1024 * 1024) {
  const events: RecordedEvent[] = [];
  const ctx: DecideContext = {
    mode,
    maxBody,
    runIds: new RunIdRule({ env: undefined }),
    recorder: new Recorder({ observers: [(r) => events.push(r)] }),
    calls: new CallMemory(),
    config: () => ({ policies: POLICIES, redactor: compileRedactor([]) }),
  };
  const decide = async (action: Record<string, unknown>) => {
    const res = await handleDecide(
      ctx,
      new Request("http://gw/_mirage/v1/decide", {
        method: "POST",
        body: JSON.stringify({ method: "POST", url: "http://api/v1/notes", ...action }),
      }),
    );
    return { status: res.status, body: await res.json() };
  };
  return { decide, events };
}

Deno.test("decide: a body is read as the surfaces read it: a declared form, multipart, base64", async () => {
  const { decide } = route("enforce");
  const form = await decide({
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `["x","&destination_url=${PASTE}&"]`,
  });
  assert.deepEqual([form.status, form.body.outcome], [200, "policy_violation"]);
  const data = new FormData();
  data.append("destination_url", PASTE);
  const request = new Request("http://x.test/", { method: "POST", body: data });
  const multipart = await decide({
    headers: { "content-type": request.headers.get("content-type") },
    body_base64: (await request.bytes()).toBase64(),
  });
  assert.deepEqual([multipart.status, multipart.body.outcome], [200, "policy_violation"]);
  const gzip = await decide({
    headers: { ...JSON_TYPE, "content-encoding": "gzip" },
    body_base64: new Uint8Array(gzipSync(new TextEncoder().encode('{"destination_url":"x.test"}')))
      .toBase64(),
  });
  assert.deepEqual([gzip.status, gzip.body.outcome], [200, "allowed"]);
  const json = await decide({ json: { destination_url: PASTE } });
  assert.deepEqual([json.status, json.body.outcome], [200, "policy_violation"]);
});

/** Bodies the gateway answers 415 or 413 in enforce. */
const UNREAD: [name: string, action: Record<string, unknown>, status: number][] = [
  [
    "JSON with a trailing comma",
    { headers: JSON_TYPE, body: `{"destination_url":"${PASTE}",}` },
    415,
  ],
  ["gzip that is not", { headers: { ...JSON_TYPE, "content-encoding": "gzip" }, body: "{}" }, 415],
  ["an unknown coding", { headers: { "content-encoding": "zstd" }, body: "x" }, 415],
  ["JSON and a form, of no type", { body: `["x","&destination_url=${PASTE}&"]` }, 415],
  [
    "a multipart body cut short",
    { headers: { "content-type": "multipart/form-data; boundary=B" }, body: "--B\r\n" },
    415,
  ],
  [
    "a bomb",
    {
      headers: { "content-encoding": "gzip" },
      body_base64: new Uint8Array(gzipSync(new Uint8Array(2 * 1024 * 1024))).toBase64(),
    },
    413,
  ],
];

Deno.test("decide: in enforce, a body the rules cannot read is answered with its status and recorded as error", async () => {
  const { decide, events } = route("enforce");
  for (const [name, action, status] of UNREAD) {
    const answer = await decide(action);
    assert.equal(answer.status, status, name);
    assert.equal(answer.body.error, status === 413 ? "body_too_large" : "body_not_inspectable");
    const event = events.at(-1)?.event;
    assert.deepEqual(
      [event?.seq, event?.outcome, event?.enforced, event?.response],
      [answer.body.event, "error", true, { status }],
      name,
    );
    assert.match(event?.error ?? "", /^request body/, name);
  }
  assert.equal(events.length, UNREAD.length);
});

Deno.test("decide: in passthrough, a body the rules cannot read is answered error, enforced: false, undecided", async () => {
  const { decide, events } = route("passthrough");
  for (const [name, action] of UNREAD) {
    const answer = await decide(action);
    assert.equal(answer.status, 200, name);
    assert.deepEqual(
      [answer.body.outcome, answer.body.enforced, answer.body.decisions],
      ["error", false, []],
      name,
    );
    assert.match(answer.body.error, /^request body/, name);
    const event = events.at(-1)?.event;
    assert.deepEqual([event?.outcome, event?.enforced], ["error", false], name);
    assert.match(event?.error ?? "", /; not decided$/, name);
  }
});

Deno.test("decide: a path that reads as /_mirage is refused 400 in both modes, as the surfaces refuse it", async () => {
  for (const mode of ["enforce", "passthrough"] as const) {
    const { decide, events } = route(mode);
    for (const path of ["//_mirage/health", "/%5Fmirage/v1/runs", "/x%2F..%2F_mirage"]) {
      const answer = await decide({ url: `http://api${path}` });
      assert.deepEqual([answer.status, answer.body.error], [400, "reserved_path"], path);
      assert.equal(events.at(-1)?.event.outcome, "error");
    }
  }
});

Deno.test("decide: body, body_base64 and json are one each, and base64 must be base64", async () => {
  const { decide, events } = route("enforce");
  for (
    const [action, why] of [
      [{ body: "{}", json: {} }, /one of 'body', 'body_base64' and 'json'/],
      [{ body: "{}", body_base64: "e30=" }, /one of/],
      [{ body_base64: "not base64!" }, /'body_base64' is not base64/],
      [{ body_base64: 5 }, /'body_base64' must be a base64 string/],
      [{ body: 5 }, /'body' must be a string/],
    ] as const
  ) {
    const answer = await decide(action);
    assert.deepEqual([answer.status, answer.body.error], [400, "invalid_action"]);
    assert.match(answer.body.message, why);
  }
  assert.equal(events.length, 0);
});

Deno.test("decide: a body at the inspection limit fits in base64; the limit is the surfaces'", async () => {
  const { decide } = route("enforce", 3000);
  const at = new TextEncoder().encode(JSON.stringify({ pad: "x".repeat(2990) }));
  assert.equal(at.length, 3000);
  const read = await decide({ headers: JSON_TYPE, body_base64: at.toBase64() });
  assert.deepEqual([read.status, read.body.outcome], [200, "allowed"]);
  const over = new Uint8Array(3001).fill(0x20);
  const refused = await decide({ body_base64: over.toBase64() });
  assert.deepEqual([refused.status, refused.body.error], [413, "body_too_large"]);
  assert.match(refused.body.message, /inspection limit of 3000 bytes/);
});
