/**
 * `normalize:` on rules and conditions: a comparison must hold for the value as sent and for
 * every normalised form, defaults come from the file, the rule and condition groups, the
 * decision records the steps, and `checksum: luhn` counts only card-like matches.
 */

import assert from "node:assert/strict";
import { compilePolicies, type PolicyDocument, type PolicyRule, toolAction } from "@mirage/core";
import { decideOne, post, rule } from "./helpers.ts";

const EMAIL = "[a-z0-9._%+-]+@[a-z0-9-]+(\\.[a-z0-9-]+)*\\.[a-z]{2,}";
const NO_EMAIL: Partial<PolicyRule> = {
  field: "body",
  operator: "not_regex_match",
  value: EMAIL,
  normalize: ["url_decode", "html_decode", "nfkc", "confusables", "case_fold"],
};

Deno.test("a blocklist rule reads the decoded forms, and the decision names the steps", async () => {
  const cases: [string, boolean, string[] | undefined][] = [
    ["write to jane%40example.com", false, ["url_decode"]],
    ["write to jane&#64;example&period;com", false, ["html_decode"]],
    ["write to jane\uff20example.com", false, ["nfkc"]],
    ["write to JANE@EXAMPLE.COM", false, ["case_fold"]],
    ["write to jane@\u0435xample.com", false, ["confusables"]],
    ["no address here", true, undefined],
    ["Nothing In Upper Case", true, ["case_fold"]],
  ];
  for (const [body, passed, normalized] of cases) {
    const d = await decideOne(NO_EMAIL, post("/", { body }));
    assert.equal(d.passed, passed, body);
    assert.deepEqual(d.normalized, normalized, body);
    assert.equal(d.actual, body, "the decision shows the value as sent");
  }
});

Deno.test("normalisation only makes a rule stricter: an allowlist is not passed by a look-alike", async () => {
  const allow: Partial<PolicyRule> = {
    field: "payload.url",
    operator: "host_in",
    value: ["uploads.partner.example"],
    normalize: ["punycode", "confusables"],
  };
  const lookAlike = await decideOne(
    allow,
    post("/", { url: "https://upl\u043eads.partner.example/" }),
  );
  assert.equal(lookAlike.passed, false);
  assert.equal(lookAlike.normalized, undefined, "the value as sent already fails");
  const block: Partial<PolicyRule> = {
    ...allow,
    operator: "host_not_in",
    value: ["paste.evil.example"],
  };
  const punycoded = await decideOne(
    block,
    post("/", { url: "https://xn--pste-53d.evil.example/" }),
  );
  assert.equal(punycoded.passed, false);
  assert.deepEqual(punycoded.normalized, ["punycode", "confusables"]);
  const positive = await decideOne(
    { field: "sku", operator: "regex_match", value: "^SKU-[0-9]{4}$", normalize: ["case_fold"] },
    post("/", { sku: "SKU-0042" }),
  );
  assert.equal(positive.passed, false, "a pattern is not folded: write it for the folded text");
});

Deno.test("string operands are rewritten once, so a folded value meets a folded operand", async () => {
  const noPassword = await decideOne(
    { field: "note", operator: "not_contains", value: "Password", normalize: ["case_fold"] },
    post("/", { note: "my PASSWORD is" }),
  );
  assert.equal(noPassword.passed, false);
  const currency = { field: "currency", operator: "in" as const, value: ["USD"] };
  const folded = { ...currency, normalize: ["case_fold" as const] };
  assert.equal((await decideOne(folded, post("/", { currency: "USD" }))).passed, true);
  assert.equal((await decideOne(folded, post("/", { currency: "usd" }))).passed, false);
});

Deno.test("text operators read an object's JSON text, and each element of a list of scalars", async () => {
  const card = await decideOne(
    { field: "payload", operator: "not_contains", value: "secret", normalize: ["case_fold"] },
    post("/", { to: "x", attachments: [{ note: "SECRET" }] }),
  );
  assert.equal(card.passed, false);
  const tags = await decideOne(
    { field: "tags", operator: "not_contains", value: "vip", normalize: ["case_fold"] },
    post("/", { tags: ["VIPER"] }),
  );
  assert.deepEqual([tags.passed, tags.actual], [false, "VIPER"]);
  const member = await decideOne(
    { field: "tags", operator: "contains", value: "vip", normalize: ["case_fold"] },
    post("/", { tags: ["VIPER", "vip"] }),
  );
  assert.equal(member.passed, true, "contains on a list is membership");
  const amount = await decideOne(
    { field: "amount", operator: "lte", value: 100, normalize: ["digits", "number_separators"] },
    post("/", { amount: "\u0661,\u0665\u0660\u0660" }),
  );
  assert.equal(amount.passed, false, "the value as sent is no number, so the rule fails closed");
});

Deno.test("over [*], every element and every form of it must pass", async () => {
  const d = await decideOne(
    {
      field: "lines[*].note",
      operator: "not_regex_match",
      value: "ssn",
      normalize: ["strip_invisible"],
    },
    post("/", { lines: [{ note: "ok" }, { note: "s\u200bsn 1" }] }),
  );
  assert.deepEqual([d.passed, d.actual, d.normalized], [false, "s\u200bsn 1", [
    "strip_invisible",
  ]]);
});

function doc(normalize: PolicyDocument["normalize"], rules: Partial<PolicyRule>[]): PolicyDocument {
  const policies = rules.map((r, i) => rule({ name: `r${i}`, ...r }));
  return normalize === undefined ? { policies } : { normalize, policies };
}

Deno.test("defaults: the file's normalize, a rule's [] turns it off, a group's applies inside", async () => {
  const plain = { field: "body", operator: "not_contains" as const, value: "@" };
  const set = compilePolicies(doc(["html_decode"], [
    plain,
    { ...plain, normalize: [] },
    { when: { all: [plain] } },
    { normalize: [], when: { any: [plain], normalize: ["html_decode"] } },
    { when: { not: { ...plain, operator: "contains", normalize: [] } } },
  ]));
  const v = await set.decide(post("/", { body: "a&#64;b" }));
  assert.deepEqual(v.decisions.map((d) => d.passed), [false, true, false, false, true]);
});

Deno.test("normalize applies to tool calls as to requests", async () => {
  const set = compilePolicies(doc(undefined, [{ tool: "send", ...NO_EMAIL }]));
  const v = await set.decide(toolAction({ tool: "send", args: { body: "to a%40b.io" } }));
  assert.equal(v.outcome, "policy_violation");
  assert.deepEqual(v.decisions[0]?.normalized, ["url_decode"]);
});

const CARD = "(?:[0-9][ .-]?){12,18}[0-9]";

Deno.test("checksum: luhn counts only the matches whose digits pass the check", async () => {
  const noCard: Partial<PolicyRule> = {
    field: "body",
    operator: "not_regex_match",
    value: CARD,
    checksum: "luhn",
  };
  const cases: [string, boolean][] = [
    ["card 4111 1111 1111 1111", false],
    ["card 4111-1111-1111-1112", true],
    ["ref 4111 1111 1111 1112 and card 5500.0000.0000.0004", false],
    ["no digits", true],
  ];
  for (const [body, passed] of cases) {
    assert.equal((await decideOne(noCard, post("/", { body }))).passed, passed, body);
  }
  const hasCard = await decideOne(
    { field: "body", operator: "regex_match", value: CARD, checksum: "luhn" },
    post("/", { body: "4111 1111 1111 1111" }),
  );
  assert.equal(hasCard.passed, true);
  const nested = await decideOne(
    {
      when: {
        all: [{
          field: "body",
          operator: "not_regex_match",
          value: CARD,
          checksum: "luhn",
          normalize: ["nfkc"],
        }],
      },
    },
    post("/", { body: "\uff14\uff11\uff11\uff11 1111 1111 1111" }),
  );
  assert.deepEqual([nested.passed, nested.normalized], [false, ["nfkc"]]);
});
