/**
 * A value that is a list of scalars — a repeated query parameter or form field, a JSON array —
 * is read element by element: an upstream takes one of them (werkzeug and Go the first, Django
 * and PHP the last), so every element must pass. Presence, the sizes and `contains` read the
 * list whole; an empty list is missing; a list holding objects is read as before.
 */

import assert from "node:assert/strict";
import { compileMocks, httpAction, type OperatorName } from "@mirage/core";
import { decideOne, HOST, http, post } from "./helpers.ts";

type Row = [operator: OperatorName, value: unknown, passing: unknown, failing: unknown];

const ROWS: Row[] = [
  ["eq", "EUR", "EUR", "USD"],
  ["neq", "evil.exe", "a.pdf", "evil.exe"],
  ["in", ["EUR", "CHF"], "CHF", "USD"],
  ["not_in", ["evil.exe"], "a.pdf", "evil.exe"],
  ["lt", 10, 9, 11],
  ["lte", "2027-01-01", "2026-12-31", "2099-01-01"],
  ["gt", 0, "3", "0"],
  ["gte", 1, 1, 0],
  ["between", [1, 5], 2, 6],
  ["regex_match", "^SKU-[0-9]+$", "SKU-1", "SKU-1; DROP"],
  ["not_regex_match", "^/admin", "/files/a", "/admin/users"],
  ["not_contains", "secret", "fine", "my secret"],
  ["starts_with", "https://", "https://a.test", "http://a.test"],
  ["not_starts_with", "/admin", "/files/a", "/admin/users"],
  ["ends_with", ".pdf", "a.pdf", "a.exe"],
  ["not_ends_with", ".exe", "a.pdf", "evil.exe"],
  ["host_in", ["a.test"], "https://a.test/x", "https://evil.test/x"],
  ["host_not_in", ["evil.test"], "https://a.test/x", "https://evil.test/x"],
  ["cidr_in", ["10.0.0.0/8"], "10.1.2.3", "8.8.8.8"],
  ["cidr_not_in", ["10.0.0.0/8"], "8.8.8.8", "10.1.2.3"],
];

for (const [operator, value, passing, failing] of ROWS) {
  Deno.test(`${operator} on a list of scalars: every element must pass`, async () => {
    const rule = { field: "v", operator, value };
    for (const list of [[passing, failing], [failing, passing], [failing]]) {
      const d = await decideOne(rule, post("/", { v: list }));
      assert.deepEqual([d.passed, d.actual], [false, failing], JSON.stringify(list));
    }
    const both = await decideOne(rule, post("/", { v: [passing, passing] }));
    assert.deepEqual([both.passed, both.actual], [true, [passing, passing]]);
    const nested = await decideOne(rule, post("/", { v: [[passing], [[failing]]] }));
    assert.deepEqual([nested.passed, nested.actual], [false, failing], "nested lists");
    const empty = await decideOne(rule, post("/", { v: [] }));
    assert.deepEqual([empty.passed, empty.missing], [false, true], "an empty list is missing");
    const lenient = await decideOne({ ...rule, on_missing: "pass" }, post("/", { v: [] }));
    assert.deepEqual([lenient.passed, lenient.missing], [true, true]);
  });
}

Deno.test("a repeated query parameter and a repeated form field are read per element", async () => {
  const rule = { field: "query.file", operator: "not_ends_with" as const, value: ".exe" };
  for (const q of ["file=a.pdf&file=evil.exe", "file=evil.exe&file=a.pdf"]) {
    const d = await decideOne(rule, http("GET", `/?${q}`));
    assert.deepEqual([d.passed, d.actual], [false, "evil.exe"], q);
  }
  assert.equal((await decideOne(rule, http("GET", "/?file=a.pdf&file=b.pdf"))).passed, true);
  const form = (body: string) =>
    httpAction({
      method: "POST",
      url: `http://${HOST}/v1/files`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
  const field = { field: "filename", operator: "neq" as const, value: "evil.exe" };
  const twice = await decideOne(field, form("filename=evil.exe&filename=evil.exe"));
  assert.deepEqual([twice.passed, twice.actual], [false, "evil.exe"]);
  const last = await decideOne(field, form("filename=a.pdf&filename=evil.exe"));
  assert.deepEqual([last.passed, last.actual], [false, "evil.exe"]);
});

Deno.test("exists, the sizes and contains read a list whole", async () => {
  const tags = (v: unknown) => post("/", { tags: v });
  const exists = await decideOne({ field: "tags", operator: "exists" }, tags([]));
  assert.equal(exists.passed, true, "an empty list is there");
  const count = { field: "tags", operator: "length_lte" as const, value: 2 };
  assert.equal((await decideOne(count, tags(["a", "b"]))).passed, true);
  assert.equal((await decideOne(count, tags(["a", "b", "c"]))).passed, false);
  assert.equal((await decideOne(count, tags(["abc"]))).passed, true, "the list's length");
  assert.equal(
    (await decideOne({ field: "tags", operator: "length_gte", value: 0 }, tags([]))).passed,
    true,
  );
  const member = { field: "tags", operator: "contains" as const, value: "urgent" };
  assert.equal((await decideOne(member, tags(["x", "urgent"]))).passed, true);
  assert.equal((await decideOne(member, tags(["not urgent"]))).passed, false, "membership");
});

Deno.test("not_contains on a list fails when an element equals the value or its text has it", async () => {
  const rule = (value: unknown) => ({ field: "v", operator: "not_contains" as const, value });
  const cases: [unknown, unknown[], boolean][] = [
    ["secret", ["a", "b"], true],
    ["secret", ["a", "secret"], false],
    ["secret", ["a", "top secret"], false],
    [2, [1, 3], true],
    [2, [1, 2], false],
    [2, [1, 12], false],
    [2, ["x", "2"], false],
  ];
  for (const [value, list, passes] of cases) {
    const d = await decideOne(rule(value), post("/", { v: list }));
    assert.equal(d.passed, passes, `${JSON.stringify(list)} not_contains ${value}`);
  }
});

Deno.test("eq and in with a list operand also compare the list whole", async () => {
  const v = (list: unknown) => post("/", { v: list });
  const eq = { field: "v", operator: "eq" as const, value: ["a", "b"] };
  assert.equal((await decideOne(eq, v(["a", "b"]))).passed, true);
  assert.equal((await decideOne(eq, v(["a"]))).passed, false);
  const neq = { field: "v", operator: "neq" as const, value: ["a", "b"] };
  assert.equal((await decideOne(neq, v(["a", "b"]))).passed, false);
  assert.equal((await decideOne(neq, v(["b", "a"]))).passed, true);
  const within = { field: "v", operator: "in" as const, value: [["a", "b"], "c"] };
  assert.equal((await decideOne(within, v(["a", "b"]))).passed, true);
  assert.equal((await decideOne(within, v(["c", "c"]))).passed, true);
  const eqEmpty = { field: "v", operator: "eq" as const, value: [] };
  assert.equal((await decideOne(eqEmpty, v([]))).passed, true);
  const notIn = { field: "v", operator: "not_in" as const, value: ["evil.exe", ["x"]] };
  assert.equal((await decideOne(notIn, v(["evil.exe", "evil.exe"]))).passed, false);
  assert.equal((await decideOne(notIn, v(["x"]))).passed, false);
  assert.equal((await decideOne(notIn, v(["a.pdf"]))).passed, true);
});

Deno.test("a list holding objects is read as before: whole, or as its JSON text", async () => {
  const objects = post("/", { v: [{ name: "evil.exe" }] });
  const text = await decideOne(
    { field: "v", operator: "not_regex_match", value: "evil" },
    objects,
  );
  assert.deepEqual([text.passed, text.actual], [false, [{ name: "evil.exe" }]]);
  const ends = await decideOne({ field: "v", operator: "not_ends_with", value: ".exe" }, objects);
  assert.equal(ends.passed, true, "the JSON text ends with ]");
  const mixed = await decideOne(
    { field: "v", operator: "neq", value: "evil.exe" },
    post("/", { v: ["evil.exe", { x: 1 }] }),
  );
  assert.equal(mixed.passed, true, "a list with an object is compared whole");
});

Deno.test("normalisation applies to each element, and the decision names the one that failed", async () => {
  const d = await decideOne(
    { field: "v", operator: "not_ends_with", value: ".exe", normalize: ["url_decode"] },
    post("/", { v: ["a.pdf", "evil%2Eexe"] }),
  );
  assert.deepEqual([d.passed, d.actual, d.normalized], [false, "evil%2Eexe", ["url_decode"]]);
  const ok = await decideOne(
    { field: "v", operator: "not_ends_with", value: ".exe", normalize: ["url_decode"] },
    post("/", { v: ["a%2Epdf", "b.pdf"] }),
  );
  assert.deepEqual([ok.passed, ok.actual, ok.normalized], [true, ["a%2Epdf", "b.pdf"], [
    "url_decode",
  ]]);
});

Deno.test("over [*], a selected value that is a list is read per element too", async () => {
  const rule = { field: "files[*].name", operator: "not_ends_with" as const, value: ".exe" };
  const d = await decideOne(
    rule,
    post("/", { files: [{ name: "a.pdf" }, { name: ["evil.exe"] }] }),
  );
  assert.deepEqual([d.passed, d.actual], [false, "evil.exe"]);
  const empty = await decideOne(rule, post("/", { files: [{ name: "a.pdf" }, { name: [] }] }));
  assert.deepEqual([empty.passed, empty.missing], [false, true]);
});

Deno.test("under not, a comparison holds for no element: not of ends_with stops one .exe", async () => {
  const when = { not: { field: "v", operator: "ends_with" as const, value: ".exe" } };
  const mixed = await decideOne({ when }, post("/", { v: ["a.pdf", "evil.exe"] }));
  assert.deepEqual([mixed.passed, mixed.actual], [false, "evil.exe"]);
  assert.equal((await decideOne({ when }, post("/", { v: ["evil.exe", "a.pdf"] }))).passed, false);
  assert.equal((await decideOne({ when }, post("/", { v: ["a.pdf", "b.pdf"] }))).passed, true);
  assert.equal((await decideOne({ when }, post("/", { v: "a.pdf" }))).passed, true);
  assert.equal((await decideOne({ when }, post("/", { v: "evil.exe" }))).passed, false);
  const twice = { not: { not: { field: "v", operator: "not_ends_with" as const, value: ".exe" } } };
  assert.equal((await decideOne({ when: twice }, post("/", { v: ["a", "b.exe"] }))).passed, false);
  const empty = await decideOne({ when }, post("/", { v: [] }));
  assert.deepEqual([empty.passed, empty.missing], [false, true]);
});

Deno.test("under not, a comparison over [*] holds for no selected value", async () => {
  const over = { not: { field: "items[*].price", operator: "gt" as const, value: 100 } };
  const d = await decideOne({ when: over }, post("/", { items: [{ price: 50 }, { price: 500 }] }));
  assert.deepEqual([d.passed, d.actual], [false, 500]);
  const cheap = post("/", { items: [{ price: 50 }, { price: 60 }] });
  assert.equal((await decideOne({ when: over }, cheap)).passed, true);
  const secret = { not: { field: "items[*].secret", operator: "exists" as const } };
  const one = post("/", { items: [{ id: 1 }, { id: 2, secret: "s" }] });
  assert.equal((await decideOne({ when: secret }, one)).passed, false);
  assert.equal((await decideOne({ when: secret }, cheap)).passed, true);
  const lacking = { not: { field: "items[*].id", operator: "not_exists" as const } };
  assert.equal((await decideOne({ when: lacking }, one)).passed, true, "every item has an id");
  assert.equal((await decideOne({ when: lacking }, cheap)).passed, false);
});

Deno.test("when: a recipient list with one outside address is stopped (shipped email rule)", async () => {
  const when = {
    not: {
      all: [
        { field: "attachments", operator: "exists" as const },
        { field: "to", operator: "not_regex_match" as const, value: "@acme\\.com$" },
      ],
    },
  };
  const mail = (to: unknown) => post("/", { attachments: ["r.csv"], to });
  const outside = await decideOne({ when }, mail(["a@acme.com", "evil@x.example"]));
  assert.deepEqual([outside.passed, outside.actual], [false, "evil@x.example"]);
  assert.equal((await decideOne({ when }, mail(["a@acme.com", "b@acme.com"]))).passed, true);
  assert.equal((await decideOne({ when }, mail("evil@x.example"))).passed, false);
});

Deno.test("mock match narrowing reads a repeated query parameter per element", () => {
  const router = compileMocks({
    mocks: [
      { name: "page_2", method: "GET", path: "/v1/orders", match: { query: { page: 2 } } },
      {
        name: "pdf",
        method: "GET",
        path: "/v1/orders",
        match: { query: { file: { ends_with: ".pdf" } } },
      },
      { name: "other", method: "GET", path: "/v1/orders" },
    ],
  });
  const route = (q: string) => router.match(http("GET", `/v1/orders?${q}`))?.name;
  assert.equal(route("page=2&page=2"), "page_2");
  assert.equal(route("page=2&page=3"), "other");
  assert.equal(route("file=a.pdf&file=b.pdf"), "pdf");
  assert.equal(route("file=a.pdf&file=b.exe"), "other");
});
