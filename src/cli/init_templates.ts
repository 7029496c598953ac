/**
 * The files `mirage init` writes, embedded in the module so that a compiled `mirage` binary
 * carries them (nothing is read from the repository at run time).
 *
 * The `$schema` comments point at the JSON Schemas published with `@mirage/core` on JSR, at the
 * version of the mirage that wrote them: a published version never changes, so an editor
 * checks the files against exactly the language this binary checks, and a newer `mirage init`
 * writes the newer URL. A relative path would point nowhere in a user's repository, and a
 * moving URL ("latest") would start rejecting files an older binary accepts.
 *
 * @module
 */

import config from "../../deno.json" with { type: "json" };

/**
 * The published JSON Schema of one kind of file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { schemaUrl } from "./init_templates.ts";
 * assert.equal(schemaUrl("policies"), "https://jsr.io/@mirage/core/0.1.0/schemas/policies.schema.json");
 * ```
 */
export function schemaUrl(kind: "policies" | "mocks" | "policy_test"): string {
  return `https://jsr.io/${config.name}/${config.version}/schemas/${kind}.schema.json`;
}

/**
 * The `uses:` of the workflow when `--action` is not given: a placeholder that fails loudly
 * until it names the repository mirage is released from (a guessed one could run anyone's code).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ACTION_PLACEHOLDER } from "./init_templates.ts";
 * assert.equal(ACTION_PLACEHOLDER, "<owner>/mirage@v0.1.0");
 * ```
 */
export const ACTION_PLACEHOLDER = `<owner>/mirage@v${config.version}`;

function schemaLine(kind: "policies" | "mocks" | "policy_test"): string {
  return `# yaml-language-server: $schema=${schemaUrl(kind)}`;
}

const POLICIES = `${schemaLine("policies")}
# Every HTTP request and tool call of your agent is decided by these rules: allowed, flagged or
# blocked. Check after editing: mirage check --policies policies.yaml --mocks mocks.yaml
version: 1

# Written as "[REDACTED]" in traces (authorization, cookie and x-api-key always are).
redact:
  - headers.x-customer-token

policies:
  - name: order_amount_limit
    description: Orders above the approved amount need a human.
    method: POST
    path: /v1/orders
    field: amount
    operator: max
    value: 1000
    message: Orders above 1,000 need human approval.

  - name: orders_per_run
    description: A runaway loop must not place order after order.
    method: POST
    path: /v1/orders
    operator: count_lte
    value: 3
    message: An agent run may place at most 3 orders.

  - name: flag_express_shipping
    method: POST
    path: /v1/orders
    field: shipping
    operator: neq
    value: express
    action: flag
    on_missing: pass
    message: Express shipping costs extra; a person reviews it.

  - name: refund_limit
    tool: issue_refund
    field: amount
    operator: lte
    value: 200
    message: Refunds above 200 need a supervisor.
`;

const MOCKS = `${schemaLine("mocks")}
# The API your agent may call in CI, and what it answers (first declared match wins). A request
# outside it is unmatched_route. Tools listed under tools: are answered here instead of running.
mocks:
  - name: list_products
    method: GET
    path: /v1/products
    response:
      json:
        products:
          - { sku: SKU-1, name: Desk lamp, price: 40 }
          - { sku: SKU-2, name: Office chair, price: 350 }

  - name: create_order
    method: POST
    path: /v1/orders
    response:
      status_code: 201
      json: { order_id: ORD-1, amount: "{{ payload.amount }}", status: placed }

  - name: get_order
    method: GET
    path: /v1/orders/{order_id}
    response:
      json: { order_id: "{{ params.order_id }}", status: shipped }

tools:
  - name: refund_issued
    tool: issue_refund
    result:
      json: { refund_id: "RF-{{ args.order_id }}", amount: "{{ args.amount }}", status: issued }
`;

const TESTS = `${schemaLine("policy_test")}
# Policy tests: each case sends its steps through the policies on a fresh state store and checks
# each outcome. Run: mirage test (add --coverage to see which rules no step exercises).
policies: policies.yaml
mocks: mocks.yaml

cases:
  - name: an order within the limit is placed
    steps:
      - request: { method: GET, url: "https://api.example.com/v1/products" }
        expect: allowed
      - request:
          method: POST
          url: https://api.example.com/v1/orders
          json: { sku: SKU-2, amount: 350 }
        expect: { outcome: allowed, status: 201 }

  - name: an order above the limit is stopped
    steps:
      - request:
          method: POST
          url: https://api.example.com/v1/orders
          json: { sku: SKU-2, amount: 3500 }
        expect: { outcome: policy_violation, policy: order_amount_limit, status: 403 }

  - name: the fourth order of a run is stopped
    steps:
      - request: { method: POST, url: "https://api.example.com/v1/orders", json: { amount: 40 } }
        expect: allowed
      - request: { method: POST, url: "https://api.example.com/v1/orders", json: { amount: 40 } }
        expect: allowed
      - request: { method: POST, url: "https://api.example.com/v1/orders", json: { amount: 40 } }
        expect: allowed
      - request: { method: POST, url: "https://api.example.com/v1/orders", json: { amount: 40 } }
        expect: { outcome: policy_violation, policy: orders_per_run }

  - name: express shipping is flagged, not stopped
    steps:
      - request:
          method: POST
          url: https://api.example.com/v1/orders
          json: { amount: 40, shipping: express }
        expect: { outcome: flagged, policy: flag_express_shipping, status: 201 }

  - name: refunds are capped
    steps:
      - tool: { name: issue_refund, args: { order_id: ORD-1, amount: 20 } }
        expect: allowed
      - tool: { name: issue_refund, args: { order_id: ORD-1, amount: 500 } }
        expect: { outcome: policy_violation, policy: refund_limit }

  - name: an undeclared endpoint is unmatched
    steps:
      - request: { method: DELETE, url: "https://api.example.com/v1/orders/ORD-1" }
        expect: unmatched_route
`;

function workflow(action: string): string {
  return `# Mirage on every push and pull request: the policy tests, then (once you set the command)
# your agent's own tests against the mocks, gated by the policies.
name: mirage

on:
  push:
  pull_request:

permissions:
  contents: read

jobs:
  mirage:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4

      - name: policy tests
        uses: ${action}
        with:
          test: policies.test.yaml

      # Your agent's tests under the Mirage proxy (MIRAGE_PROXY_URL is set for them): set the
      # command and uncomment. The build fails on a policy_violation, unmatched_route or error.
      # - name: agent tests under Mirage
      #   uses: ${action}
      #   with:
      #     policies: policies.yaml
      #     mocks: mocks.yaml
      #     command: npm test
`;
}

/**
 * The starter files by path relative to the folder, with the workflow using `action`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ACTION_PLACEHOLDER, starterFiles } from "./init_templates.ts";
 * const files = starterFiles(ACTION_PLACEHOLDER);
 * assert.deepEqual(Object.keys(files), ["policies.yaml", "mocks.yaml", "policies.test.yaml", ".github/workflows/mirage.yml"]);
 * ```
 */
export function starterFiles(action: string): Record<string, string> {
  return {
    "policies.yaml": POLICIES,
    "mocks.yaml": MOCKS,
    "policies.test.yaml": TESTS,
    ".github/workflows/mirage.yml": workflow(action),
  };
}
