/**
 * Secrets never reach disk: the default credential headers and every `redact:` path are
 * written as "[REDACTED]" in the request and in any decision that read them.
 */

import assert from "node:assert/strict";
import { filesUnder } from "../support/files.ts";
import { type PolicyRule, readPayload, session } from "@mirage/core";
import { compileRedactor, REDACTED } from "../../src/trace/redact.ts";
import { tempDir } from "../support/fixtures.ts";

/** Rules that fail and so record what they read. */
const READERS: [field: string, secret: string][] = [
  ["headers.Authorization", "SECRET-A"],
  ["headers.cookie", "SECRET-B"],
  ["headers.x-api-key", "SECRET-C"],
  ["headers.proxy-authorization", "SECRET-J"],
  ["headers.x-token", "SECRET-D"],
  ["card.number", "SECRET-E"],
  ["payload.cards[*].cvv", "SECRET-F"],
  ["cards[1].cvv", "SECRET-G"],
  ["secret", "SECRET-H"],
  ["query.token", "SECRET-I"],
  ["card", "SECRET-E"],
  ["payload", "SECRET-H"],
  ["url", "SECRET-I"],
  ["cards", "SECRET-F"],
];

const POLICIES = {
  redact: ["headers.X-Token", "payload.card.number", "cards[*].cvv", "secret", "query.token"],
  policies: READERS.map(([field], i): PolicyRule => ({
    name: `reads_${i}`,
    field,
    operator: "eq",
    value: "never",
    message: `reads ${field}`,
  })),
};

const MOCKS = { mocks: [{ name: "pay", method: "POST", path: "/v1/pay" }] };

Deno.test("redaction: no secret appears anywhere in the files on disk", async () => {
  await using dir = await tempDir();
  {
    await using mirage = await session({
      runId: "secrets",
      policies: POLICIES,
      mocks: MOCKS,
      traces: dir.path,
    });
    const res = await mirage.fetch("http://api.test/v1/pay?token=SECRET-I&page=1", {
      method: "POST",
      headers: {
        authorization: "Bearer SECRET-A",
        cookie: "sid=SECRET-B",
        "X-Api-Key": "SECRET-C",
        "proxy-authorization": "Basic SECRET-J",
        "x-token": "SECRET-D",
        "x-visible": "shown",
      },
      body: JSON.stringify({
        card: { number: "SECRET-E", exp: "12/30" },
        cards: [{ cvv: "SECRET-F" }, { cvv: "SECRET-G", last4: "4242" }],
        secret: "SECRET-H",
      }),
    });
    assert.equal(res.status, 403);
    assert.doesNotMatch(await res.text(), /SECRET/, "the blocked answer leaks a secret");
  }
  const files = [...Deno.readDirSync(dir.path)].map((e) => e.name).sort();
  assert.deepEqual(files, [
    ".summaries",
    "secrets.json",
    "secrets.jsonl",
    "secrets.timing.json",
  ]);
  files[0] = ".summaries/secrets.json";
  for (const name of files) {
    const text = await Deno.readTextFile(`${dir.path}/${name}`);
    assert.doesNotMatch(text, /SECRET/, `${name} leaks a secret`);
  }
  const trace = JSON.parse(await Deno.readTextFile(`${dir.path}/secrets.json`));
  const request = trace.events[0].request;
  assert.deepEqual(request.headers, {
    authorization: REDACTED,
    cookie: REDACTED,
    "content-type": "text/plain;charset=UTF-8",
    "proxy-authorization": REDACTED,
    "x-api-key": REDACTED,
    "x-token": REDACTED,
    "x-visible": "shown",
  });
  assert.deepEqual(request.query, { token: REDACTED, page: "1" });
  assert.deepEqual(request.json, {
    card: { number: REDACTED, exp: "12/30" },
    cards: [{ cvv: REDACTED }, { cvv: REDACTED, last4: "4242" }],
    secret: REDACTED,
  });
  const actual = Object.fromEntries(
    trace.events[0].decisions.map((d: { field: string; actual: unknown }) => [d.field, d.actual]),
  );
  for (
    const field of ["headers.Authorization", "card.number", "cards[1].cvv", "query.token", "secret"]
  ) {
    assert.equal(actual[field], REDACTED, field);
  }
  assert.deepEqual(actual["card"], { number: REDACTED, exp: "12/30" });
});

Deno.test("redaction: tool arguments are redacted by payload paths", () => {
  const redactor = compileRedactor(["payload.card.number", "token"]);
  assert.deepEqual(
    redactor.request({
      tool: "pay",
      args: { card: { number: "4242", cvc: "1" }, token: "t", n: 1 },
    }),
    { tool: "pay", args: { card: { number: REDACTED, cvc: "1" }, token: REDACTED, n: 1 } },
  );
  const kept = { tool: "pay", args: { other: 1 } };
  assert.deepEqual(redactor.request(kept), kept);
});

/** Bodies whose syntax once decided whether a redacted path reached disk in clear. */
const CARD = "4111-2222-3333-4444";
const BODIES: [name: string, contentType: string | undefined, body: string][] = [
  ["a form, dotted names", "application/x-www-form-urlencoded", `payment.card_number=${CARD}&n=1`],
  [
    "a form, bracketed names",
    "application/x-www-form-urlencoded",
    `payment%5Bcard_number%5D=${CARD}&n=1`,
  ],
  [
    "a form, repeated",
    "application/x-www-form-urlencoded",
    `payment[card_number]=${CARD}&payment[card_number]=2`,
  ],
  [
    "JSON with a trailing comma, declared",
    "application/json",
    `{"payment":{"card_number":"${CARD}"},}`,
  ],
  ["JSON with a trailing comma, undeclared", undefined, `{"payment":{"card_number":"${CARD}"},}`],
  ["a form, undeclared", "text/plain", `payment.card_number=${CARD}`],
  [
    "a form whose names clash",
    "application/x-www-form-urlencoded",
    `payment=x&payment[card_number]=${CARD}`,
  ],
  [
    "multipart, a bracketed name",
    "multipart/form-data; boundary=XyZ",
    `--XyZ\r\nContent-Disposition: form-data; name="payment[card_number]"\r\n\r\n${CARD}\r\n` +
    `--XyZ\r\nContent-Disposition: form-data; name="n"\r\n\r\n1\r\n--XyZ--\r\n`,
  ],
  [
    "multipart, a file that holds the card",
    "multipart/form-data; boundary=XyZ",
    `--XyZ\r\nContent-Disposition: form-data; name="statement"; filename="s.csv"\r\n` +
    `Content-Type: text/csv\r\n\r\ncard,${CARD}\r\n--XyZ--\r\n`,
  ],
  [
    "multipart, cut before its end",
    "multipart/form-data; boundary=XyZ",
    `--XyZ\r\nContent-Disposition: form-data; name="payment[card_number]"\r\n\r\n${CARD}\r\n`,
  ],
];

Deno.test("redaction: no body syntax puts a redacted payload path on disk in clear", async () => {
  for (const mode of ["enforce", "passthrough"] as const) {
    await using dir = await tempDir();
    {
      await using mirage = await session({
        runId: "bodies",
        mode,
        policies: {
          redact: ["payload.payment.card_number"],
          policies: [
            { name: "reads_all", field: "payload", operator: "eq", value: "x", message: "m" },
            {
              name: "reads_payment",
              field: "payment",
              operator: "eq",
              value: "x",
              on_missing: "pass",
              message: "m",
            },
          ],
        },
        mocks: MOCKS,
        traces: dir.path,
      });
      for (const [name, contentType, body] of BODIES) {
        const res = await mirage.fetch("http://api.test/v1/pay", {
          method: "POST",
          headers: contentType ? { "content-type": contentType } : {},
          body,
        });
        assert.doesNotMatch(await res.text(), /4111/, `${mode}, ${name}: the answer leaks`);
      }
      assert.equal(mirage.events.length, BODIES.length);
    }
    for (const file of filesUnder(dir.path)) {
      const text = await Deno.readTextFile(file);
      assert.doesNotMatch(text, /4111/, `${mode}: ${file} leaks the card number`);
    }
    const trace = JSON.parse(await Deno.readTextFile(`${dir.path}/bodies.json`));
    const requests = trace.events.map((e: { request: Record<string, unknown> }) => e.request);
    assert.deepEqual(requests[0].json, { payment: { card_number: REDACTED }, n: "1" });
    assert.deepEqual(requests[1].json, { payment: { card_number: REDACTED }, n: "1" });
    assert.deepEqual(requests[2].json, { payment: { card_number: REDACTED } });
    const withheld = `${CARD}`.length + `{"payment":{"card_number":""},}`.length;
    assert.equal(
      requests[3].body,
      `[WITHHELD: ${withheld} characters of text not read as fields; redact: lists payload paths]`,
    );
    assert.match(requests[5].body, /^\[WITHHELD: 39 characters/);
    assert.deepEqual(requests[7].json, { payment: { card_number: REDACTED }, n: "1" });
    assert.deepEqual(requests[8].json, {
      statement: {
        filename: "s.csv",
        content_type: "text/csv",
        size: 24,
        text: "[WITHHELD: 24 characters of text not read as fields; redact: lists payload paths]",
      },
    });
    assert.match(requests[9].body, /^\[WITHHELD: \d+ characters/);
  }
});

Deno.test("redaction: without payload paths in redact:, a text body is kept as written", () => {
  const redactor = compileRedactor(["headers.x-token"]);
  const request = { method: "POST", path: "/x", body: "payment.card_number=4111" };
  assert.deepEqual(redactor.request(request), request);
});

Deno.test("redaction: a multipart file's text is withheld where a rule read it, when redact: lists payload paths", () => {
  const body = `--B\r\nContent-Disposition: form-data; name="doc"; filename="d.txt"\r\n\r\n` +
    `card ${CARD}\r\n--B\r\nContent-Disposition: form-data; name="n"\r\n\r\n1\r\n--B--`;
  const read = readPayload(body, "multipart/form-data; boundary=B");
  assert.ok(read.kind === "multipart");
  const payload = read.value;
  const withheld =
    "[WITHHELD: 24 characters of text not read as fields; redact: lists payload paths]";
  const decision = (field: string, actual: unknown) => ({
    policy: "p",
    passed: false,
    action: "block" as const,
    field,
    operator: "eq",
    message: "m",
    actual,
  });
  const reads = [
    decision("payload.doc.text", `card ${CARD}`),
    decision("payload.doc", payload.doc),
    decision("payload", payload),
    decision("payload.n", "1"),
  ];
  const secret = compileRedactor(["payload.payment.card_number"]);
  assert.deepEqual(secret.request({ method: "POST", json: payload }).json, {
    doc: { filename: "d.txt", content_type: "text/plain", size: 24, text: withheld },
    n: "1",
  });
  assert.deepEqual(secret.decisions(reads, payload).map((d) => d.actual), [
    withheld,
    { filename: "d.txt", content_type: "text/plain", size: 24, text: withheld },
    { doc: { filename: "d.txt", content_type: "text/plain", size: 24, text: withheld }, n: "1" },
    "1",
  ]);
  const open = compileRedactor(["headers.x-token"]);
  assert.deepEqual(open.request({ method: "POST", json: payload }).json, payload);
  assert.deepEqual(open.decisions(reads, payload), reads);
});
