/**
 * The example agent: a deterministic, scripted procurement agent (no model). It asks for a
 * quote, lists the suppliers, then bids 50,000 — twice the approved limit — which is what
 * Mirage is there to stop. It knows nothing of Mirage but a base URL.
 *
 * Run against a proxy: `MIRAGE_PROXY_URL=http://127.0.0.1:8001 deno run --allow-net --allow-env scripts/procurement_agent.ts`.
 *
 * @module
 */

/** One call the agent made and what it got back. */
export interface AgentStep {
  /** `POST /v1/get_quote`. */
  readonly call: string;
  /** The answer's status. */
  readonly status: number;
  /** The answer's parsed JSON body. */
  readonly body: unknown;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function call(fetchFn: Fetch, baseUrl: string, method: string, path: string, json?: unknown) {
  const init: RequestInit = json === undefined
    ? { method }
    : { method, body: JSON.stringify(json), headers: { "content-type": "application/json" } };
  const response = await fetchFn(new URL(path, baseUrl).href, init);
  return { call: `${method} ${path}`, status: response.status, body: await response.json() };
}

function firstSupplier(body: unknown): string {
  const suppliers = (body as { suppliers?: { id: string }[] }).suppliers;
  return suppliers?.[0]?.id ?? "SUP-001";
}

/**
 * Runs the agent's three steps with a given `fetch` against a base URL, and returns what it saw.
 *
 * @example
 * ```ts
 * import { runProcurementAgent } from "./procurement_agent.ts";
 * const steps = await runProcurementAgent(fetch, "http://127.0.0.1:8001");
 * console.log(steps.map((s) => `${s.call} ${s.status}`));
 * ```
 */
export async function runProcurementAgent(fetchFn: Fetch, baseUrl: string): Promise<AgentStep[]> {
  const quote = await call(fetchFn, baseUrl, "POST", "/v1/get_quote", {
    sku: "SKU-STEEL-100",
    quantity: 200,
  });
  const suppliers = await call(fetchFn, baseUrl, "GET", "/v1/suppliers");
  const quoteId = (quote.body as { quote_id?: string }).quote_id;
  const bid = await call(fetchFn, baseUrl, "POST", "/v1/submit_bid", {
    quote_id: quoteId,
    supplier_id: firstSupplier(suppliers.body),
    amount: 50000,
  });
  return [quote, suppliers, bid];
}

if (import.meta.main) {
  const baseUrl = Deno.env.get("MIRAGE_PROXY_URL");
  if (!baseUrl) {
    console.error(
      "procurement_agent: set MIRAGE_PROXY_URL to the proxy's address (mirage proxy prints it)",
    );
    Deno.exit(2);
  }
  await runProcurementAgent(fetch, baseUrl);
}
