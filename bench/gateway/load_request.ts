/**
 * The one request every load in the gateway suite sends: a quote request the shipped
 * procurement policy allows, so every mode forwards it and the comparison is like for like.
 */

/** Method, path, body and headers of the load request. */
export const LOAD_REQUEST = {
  method: "POST",
  path: "/v1/get_quote",
  body: '{"sku":"SKU-0042","supplier_id":"S-1","quantity":3}',
  headers: { "content-type": "application/json", "x-mirage-run-id": "bench-load" },
} as const;
