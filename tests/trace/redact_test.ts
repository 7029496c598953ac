/**
 * Secrets never reach disk: the default credential headers and every `redact:` path are
 * written as "[REDACTED]" in the request and in any decision that read them.
 */

import assert from "node:assert/strict";
import { type PolicyRule, session } from "@mirage/core";
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
