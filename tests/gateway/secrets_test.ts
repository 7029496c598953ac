/**
 * Secrets never reach disk: credential headers and every `redact:` path are written as
 * "[REDACTED]" in every file of the trace directory — journal, trace and timing sidecar —
 * while the upstream still gets them.
 */

import { filesUnder } from "../support/files.ts";
import assert from "node:assert/strict";
import { json, readTraceFile, withGateway } from "./harness.ts";
import { rawRequest } from "./raw_client.ts";
import type { Echo } from "./upstream_server.ts";

const SECRETS = [
  "Bearer tok-AUTH-1234",
  "session=COOKIE-5678",
  "HDR-SECRET-9012",
  "4111111111111111",
  "ak-KEY-3456",
];

async function everyFile(dir: string): Promise<string> {
  let text = "";
  for (const file of filesUnder(dir)) text += await Deno.readTextFile(file);
  return text;
}

Deno.test("no secret from headers or redacted payload paths in any trace file", async () => {
  await withGateway({ mode: "passthrough" }, async ({ gateway, traces }) => {
    const headers: Array<[string, string]> = [
      ["authorization", "Bearer tok-AUTH-1234"],
      ["cookie", "session=COOKIE-5678"],
      ["x-secret-token", "HDR-SECRET-9012"],
      ["x-api-key", "ak-KEY-3456"],
      ["content-type", "application/json"],
      ["x-mirage-run-id", "secrets"],
    ];
    const body = { amount: 500, card: { number: "4111111111111111" } };
    const res = await rawRequest(`${gateway.url}/echo`, {
      method: "POST",
      headers,
      body: json(body),
    });
    const echo: Echo = JSON.parse(new TextDecoder().decode(res.body));
    assert.equal(
      echo.headers["authorization"],
      "Bearer tok-AUTH-1234",
      "the upstream still gets the credentials",
    );
    await rawRequest(`${gateway.url}/_mirage/v1/decide`, {
      method: "POST",
      headers,
      body: json({
        method: "POST",
        url: "http://api.test/echo",
        headers: Object.fromEntries(headers),
        json: body,
      }),
    });
    await gateway.stop();
    const trace = await readTraceFile(traces, "secrets");
    const written = await everyFile(traces);
    assert.match(written, /\[REDACTED\]/);
    for (const secret of SECRETS) assert.ok(!written.includes(secret), `'${secret}' reached disk`);
    const events = trace.events as { request: { json: { amount: number; card: unknown } } }[];
    assert.equal(events.length, 2);
    assert.deepEqual(events[0]?.request.json.card, { number: "[REDACTED]" });
    assert.equal(events[0]?.request.json.amount, 500);
  });
});

Deno.test("a blocked answer does not echo a redacted value back in its decisions", async () => {
  await withGateway({ mode: "enforce" }, async ({ gateway }) => {
    const long = "4111111111111111111111111";
    const res = await rawRequest(`${gateway.url}/echo`, {
      method: "POST",
      headers: [["content-type", "application/json"]],
      body: json({ amount: 5, card: { number: long } }),
    });
    const text = new TextDecoder().decode(res.body);
    assert.equal(res.status, 403);
    assert.equal(JSON.parse(text).policy, "card_number_short");
    assert.ok(!text.includes(long), "the 403 body leaks the card number");
  });
});

Deno.test("v1/decide does not echo a redacted value back in its decisions", async () => {
  await withGateway({ mode: "enforce" }, async ({ gateway }) => {
    const long = "4111111111111111111111111";
    const res = await rawRequest(`${gateway.url}/_mirage/v1/decide`, {
      method: "POST",
      headers: [["content-type", "application/json"]],
      body: json({ method: "POST", url: "http://api.test/echo", json: { card: { number: long } } }),
    });
    const text = new TextDecoder().decode(res.body);
    assert.equal(JSON.parse(text).policy, "card_number_short");
    assert.ok(!text.includes(long), "the decide answer leaks the card number");
  });
});

Deno.test("a redacted payload path stays off disk in a form, and in JSON that does not parse", async () => {
  const card = "4111111111111111";
  const bodies: Array<[string, string]> = [
    ["application/x-www-form-urlencoded", `card.number=${card}&amount=5`],
    ["application/x-www-form-urlencoded", `card%5Bnumber%5D=${card}&amount=5`],
    ["application/json", `{"card":{"number":"${card}"},}`],
    ["text/plain", `card.number=${card}`],
  ];
  for (const mode of ["enforce", "passthrough"] as const) {
    await withGateway({ mode }, async ({ gateway, traces }) => {
      for (const [type, body] of bodies) {
        const res = await rawRequest(`${gateway.url}/echo`, {
          method: "POST",
          headers: [["content-type", type], ["x-mirage-run-id", "forms"]],
          body: new TextEncoder().encode(body),
        });
        if (mode === "passthrough") {
          const echo: Echo = JSON.parse(new TextDecoder().decode(res.body));
          assert.equal(atob(echo.body_b64), body, "the upstream gets the body as sent");
        }
      }
      await gateway.stop();
      const trace = await readTraceFile(traces, "forms");
      assert.ok(!(await everyFile(traces)).includes(card), `${mode}: the card number reached disk`);
      const requests = (trace.events as { request: Record<string, unknown> }[]).map((e) =>
        e.request
      );
      assert.deepEqual(requests[0]?.json, { card: { number: "[REDACTED]" }, amount: "5" });
      assert.deepEqual(requests[1]?.json, requests[0]?.json);
      assert.match(String(requests[2]?.body), /^\[WITHHELD: 39 characters/);
      assert.match(String(requests[3]?.body), /^\[WITHHELD: 28 characters/);
    });
  }
});

Deno.test("a multipart file's text stays out of the blocked answer and off disk; the upstream gets it in passthrough", async () => {
  const card = "4111111111111111";
  const form = new FormData();
  form.append("amount", new File([`card ${card}`], "statement.txt", { type: "text/plain" }));
  const request = new Request("http://x.test/", { method: "POST", body: form });
  const type = request.headers.get("content-type") as string;
  const body = await request.bytes();
  const withheld =
    "[WITHHELD: 21 characters of text not read as fields; redact: lists payload paths]";
  for (const mode of ["enforce", "passthrough"] as const) {
    await withGateway({ mode }, async ({ gateway, traces }) => {
      const res = await rawRequest(`${gateway.url}/echo`, {
        method: "POST",
        headers: [["content-type", type], ["x-mirage-run-id", "files"]],
        body,
      });
      const text = new TextDecoder().decode(res.body);
      if (mode === "enforce") {
        assert.equal(res.status, 403);
        assert.equal(JSON.parse(text).decisions[0].actual.text, withheld);
        assert.ok(!text.includes(card), "the 403 body leaks the file's text");
      } else {
        const echo: Echo = JSON.parse(text);
        assert.deepEqual(Uint8Array.fromBase64(echo.body_b64), body, "the body goes on as sent");
      }
      await gateway.stop();
      const trace = await readTraceFile(traces, "files");
      assert.ok(!(await everyFile(traces)).includes(card), `${mode}: the file's text reached disk`);
      const [event] = trace.events as { request: { json: { amount: { text: string } } } }[];
      assert.equal(event?.request.json.amount.text, withheld);
    });
  }
});
