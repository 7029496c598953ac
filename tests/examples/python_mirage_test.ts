/**
 * Files written for the Python Mirage load unchanged: `mirage check` accepts them, and a
 * `response.body` holding a mapping or a list (its `body` is an alias of `json`) is served as
 * JSON, while a string `body` stays text.
 */

import assert from "node:assert/strict";
import { session } from "@mirage/core";
import { runCli } from "../support/cli_process.ts";

const FIXTURES = "tests/fixtures/python_mirage/";

Deno.test("python mirage: mirage check accepts the files, mapping and list bodies included", async () => {
  const { code, stdout } = await runCli([
    "check",
    "--policies",
    `${FIXTURES}policies.yaml`,
    "--mocks",
    `${FIXTURES}mocks.yaml`,
  ]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /mocks\.yaml: ok · 7 routes/);
});

Deno.test("python mirage: a mapping or list body is served as JSON, a string body as text", async () => {
  await using mirage = await session({
    runId: "python",
    policies: { policies: [] },
    mocks: new URL(`../../${FIXTURES}mocks.yaml`, import.meta.url),
    traces: false,
  });
  const order = await mirage.fetch("http://api.test/v1/orders", { method: "POST", body: "{}" });
  assert.equal(order.status, 201);
  assert.equal(order.headers.get("content-type"), "application/json");
  assert.deepEqual(await order.json(), { order: "ok", lines: [{ sku: "SKU-1", qty: 2 }] });

  const orders = await mirage.fetch("http://api.test/v1/orders");
  assert.equal(orders.headers.get("content-type"), "application/json");
  assert.deepEqual(await orders.json(), [{ id: "ORD-1" }, { id: "ORD-2" }]);

  const health = await mirage.fetch("http://api.test/health");
  assert.equal(health.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await health.text(), "ok");
});
