/**
 * Small policy and mock files for the server, gate and CLI tests, written into a temp dir.
 */

import { join } from "node:path";

/** A bid limit (block) and a bulk-quote flag. */
export const POLICIES_YAML = `policies:
  - name: enforce_bid_limit
    method: POST
    path: /v1/submit_bid
    field: amount
    operator: max
    value: 25000
    message: Bids above 25,000 need human approval.
  - name: flag_bulk_quotes
    method: POST
    path: /v1/get_quote
    field: quantity
    operator: lte
    value: 1000
    action: flag
    on_missing: pass
    message: Quotes for more than 1,000 units are flagged for review.
`;

/** Quote, bid, a slow report (for graceful shutdown) and a GET. */
export const MOCKS_YAML = `mocks:
  - name: get_quote
    method: POST
    path: /v1/get_quote
    response:
      json: { quote_id: Q-001, price: 24500 }
  - name: submit_bid
    method: POST
    path: /v1/submit_bid
    response:
      status_code: 201
      json: { order_id: ORD-9 }
  - name: slow_report
    method: GET
    path: /v1/slow
    response:
      json: { done: true }
      delay_ms: 800
  - name: list_suppliers
    method: GET
    path: /v1/suppliers
    response:
      json: { suppliers: [{ id: SUP-001 }] }
`;

/** A temp dir with `policies.yaml`, `mocks.yaml` and a `traces/` path. */
export interface Workspace extends AsyncDisposable {
  readonly dir: string;
  readonly policies: string;
  readonly mocks: string;
  readonly traces: string;
}

/** Creates a workspace; dispose it to remove the dir. */
export async function workspace(policies = POLICIES_YAML, mocks = MOCKS_YAML): Promise<Workspace> {
  const dir = await Deno.makeTempDir({ prefix: "mirage-test-" });
  const ws = {
    dir,
    policies: join(dir, "policies.yaml"),
    mocks: join(dir, "mocks.yaml"),
    traces: join(dir, "traces"),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
  await Deno.writeTextFile(ws.policies, policies);
  await Deno.writeTextFile(ws.mocks, mocks);
  return ws;
}

/** A JSON POST init. */
export function postJson(json: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    body: JSON.stringify(json),
    headers: { "content-type": "application/json", ...headers },
  };
}

/** A temp dir removed on dispose. */
export interface TempDir extends AsyncDisposable {
  readonly path: string;
}

/** Creates an empty temp dir. */
export async function tempDir(): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: "mirage-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}
