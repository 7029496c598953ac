/**
 * The landing page's procurement run, against the example files: a quote, the supplier list,
 * then a bid of 50,000 that `enforce_bid_limit` stops.
 */

import type { MirageSession, SessionOptions } from "@mirage/core";

/** The example files of the repository. */
export const PROCUREMENT: Pick<SessionOptions, "policies" | "mocks"> = {
  policies: new URL("../../policies/procurement.yaml", import.meta.url),
  mocks: new URL("../../mocks/procurement.yaml", import.meta.url),
};

/** The procurement API's base URL. */
export const API = "http://api.acme.internal";

/** POSTs JSON through the session. */
export function postJson(
  mirage: MirageSession,
  path: string,
  json: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return mirage.fetch(`${API}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(json),
  });
}

/** Runs the agent's three calls and returns the three responses, bodies read. */
export async function runProcurement(
  mirage: MirageSession,
  bidHeaders: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: unknown }[]> {
  const responses = [
    await postJson(mirage, "/v1/get_quote", { sku: "SKU-100", quantity: 10 }),
    await mirage.fetch(`${API}/v1/suppliers`),
    await postJson(mirage, "/v1/submit_bid", { amount: 50000, supplier_id: "SUP-001" }, bidHeaders),
  ];
  const out = [];
  for (const r of responses) {
    out.push({ status: r.status, headers: r.headers, body: await r.json() });
  }
  return out;
}
