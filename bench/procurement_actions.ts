/** The actions of the landing page's procurement run, for the benchmarks. */

import { type HttpAction, httpAction } from "@mirage/core";

/** A quote, the supplier list and the bid of 50,000 that `enforce_bid_limit` stops. */
export function procurementActions(): {
  quote: HttpAction;
  suppliers: HttpAction;
  bid: HttpAction;
} {
  const api = "http://api.acme.internal";
  const runId = "procurement";
  return {
    quote: httpAction({
      method: "POST",
      url: `${api}/v1/get_quote`,
      json: { sku: "SKU-1", quantity: 10 },
      runId,
    }),
    suppliers: httpAction({ method: "GET", url: `${api}/v1/suppliers`, runId }),
    bid: httpAction({
      method: "POST",
      url: `${api}/v1/submit_bid`,
      json: { amount: 50000, supplier_id: "SUP-001" },
      runId,
    }),
  };
}
