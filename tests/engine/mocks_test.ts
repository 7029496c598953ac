/**
 * The mock router: first declared match wins, path parameters, hosts, `match` narrowing and
 * response templates.
 */

import assert from "node:assert/strict";
import { compileMocks, httpAction, type MockRoute, toolAction } from "@mirage/core";
import { http, post } from "./helpers.ts";

const ROUTES: MockRoute[] = [
  {
    name: "big_quote",
    method: "POST",
    path: "/v1/quote",
    match: { payload: { amount: { gt: 1000 }, "supplier.id": { regex_match: "^S-" } } },
    response: { json: { tier: "big" } },
  },
  {
    name: "quote",
    method: ["POST", "PUT"],
    path: "/v1/quote",
    response: { json: { tier: "normal" } },
  },
  { name: "order_partner", method: "GET", path: "/v1/orders/{id}", host: "*.partner.io" },
  { name: "order_lines", method: "GET", path: "/v1/orders/{id}/lines/{line}" },
  { name: "order_page_2", method: "GET", path: "/v1/orders/{id}", match: { query: { page: 2 } } },
  {
    name: "order_eu",
    method: "GET",
    path: "/v1/orders/{id}",
    match: { headers: { "X-Region": "eu", "x-tenant": { starts_with: "acme" } } },
  },
  { name: "order", method: "GET", path: "/v1/orders/{id}" },
  { name: "order_unreachable", method: "GET", path: "/v1/orders/{id}" },
  { name: "admin_host", method: "GET", path: "/v1/orders/{id}", host: "admin.test" },
];

const router = compileMocks({ mocks: ROUTES });

const CASES: [string, ReturnType<typeof http>, string | undefined][] = [
  [
    "narrowed payload route",
    post("/v1/quote", { amount: 5000, supplier: { id: "S-1" } }),
    "big_quote",
  ],
  [
    "payload narrowing fails on one field",
    post("/v1/quote", { amount: 5000, supplier: { id: "X" } }),
    "quote",
  ],
  ["payload narrowing on a missing field", post("/v1/quote", { amount: 5000 }), "quote"],
  ["method list", http("PUT", "/v1/quote"), "quote"],
  ["method outside every route", http("DELETE", "/v1/quote"), undefined],
  [
    "host suffix route",
    httpAction({ method: "GET", url: "http://eu.partner.io/v1/orders/7" }),
    "order_partner",
  ],
  ["two params", http("GET", "/v1/orders/7/lines/3"), "order_lines"],
  ["query narrowing with a number", http("GET", "/v1/orders/7?page=2"), "order_page_2"],
  ["query narrowing, other value", http("GET", "/v1/orders/7?page=3"), "order"],
  [
    "headers narrowing, any case",
    http("GET", "/v1/orders/7", undefined, { "x-region": "eu", "X-Tenant": "acme-1" }),
    "order_eu",
  ],
  [
    "headers narrowing, operator fails",
    http("GET", "/v1/orders/7", undefined, { "x-region": "eu", "x-tenant": "other" }),
    "order",
  ],
  ["first declared match wins", http("GET", "/v1/orders/7"), "order"],
  [
    "earlier any-host route wins over a later host route",
    httpAction({ method: "GET", url: "http://admin.test/v1/orders/7" }),
    "order",
  ],
  ["unknown path", http("GET", "/v1/nothing"), undefined],
];

for (const [name, action, expected] of CASES) {
  Deno.test(`mocks: ${name} → ${expected ?? "no route"}`, () => {
    assert.equal(router.match(action)?.name, expected);
  });
}

Deno.test("mocks: a tool call matches no route", () => {
  assert.equal(router.match(toolAction({ tool: "quote" })), undefined);
});

Deno.test("mocks: path parameters are extracted into the matched action", () => {
  const m = router.match(http("GET", "/v1/orders/ORD-9/lines/2"));
  assert.deepEqual(m?.action.params, { id: "ORD-9", line: "2" });
  assert.deepEqual(router.match(post("/v1/quote"))?.action.params, {});
});

Deno.test("mocks: responses render templates in json, body and headers", () => {
  const templated = compileMocks({
    mocks: [
      {
        name: "bid",
        method: "POST",
        path: "/v1/bids/{id}",
        response: {
          status_code: 201,
          headers: { "X-Request-Id": "R-{{params.id}}", "x-amount": "{{payload.amount}}" },
          json: {
            order_id: "ORD-{{ params.id }}",
            amount: "{{payload.amount}}",
            supplier: "{{payload.supplier}}",
            missing: "{{payload.nope}}",
            note: "for {{payload.amount}} via {{method}} {{path}}?{{query.x}}",
            list: ["{{payload.tags[0]}}", 1, null, true],
          },
          delay_ms: 25,
        },
      },
      {
        name: "text",
        method: "GET",
        path: "/t",
        response: { body: "hello {{query.name}}{{headers.x-nope}}" },
      },
      { name: "empty", method: "GET", path: "/e", response: { status_code: 204 } },
    ],
  });
  const bid = post("/v1/bids/7?x=1", { amount: 50000, supplier: { id: "S-1" }, tags: ["a"] });
  const answer = templated.match(bid)?.render();
  assert.deepEqual(answer && { ...answer, body: JSON.parse(answer.body) }, {
    status: 201,
    headers: { "content-type": "application/json", "x-request-id": "R-7", "x-amount": "50000" },
    body: {
      order_id: "ORD-7",
      amount: 50000,
      supplier: { id: "S-1" },
      missing: null,
      note: "for 50000 via POST /v1/bids/7?1",
      list: ["a", 1, null, true],
    },
    delayMs: 25,
  });
  assert.deepEqual(templated.match(http("GET", "/t?name=Ann"))?.render(), {
    status: 200,
    headers: { "content-type": "text/plain; charset=utf-8" },
    body: "hello Ann",
    delayMs: 0,
  });
  assert.deepEqual(templated.match(http("GET", "/e"))?.render(), {
    status: 204,
    headers: {},
    body: "",
    delayMs: 0,
  });
});

Deno.test("a templated response header cannot be split by CR or LF from the request", () => {
  const router = compileMocks({
    mocks: [{
      name: "item",
      method: "GET",
      path: "/item/{id}",
      response: { headers: { "x-item": "I-{{params.id}}" } },
    }],
  });
  const answer = router.match(http("GET", "/item/a%0D%0Aset-cookie:%20x=1"))?.render();
  assert.equal(answer?.headers["x-item"], "I-a set-cookie: x=1");
  assert.doesNotThrow(() => new Headers(answer?.headers));
});
