/**
 * An example ordering agent: deterministic and scripted (no model), the agent loop's shape
 * without the model. It asks three suppliers for a quote — retrying a failed quote (a 5xx or a
 * dropped connection) at most three times — and pays the cheapest quote once. A payment that
 * fails is never sent again: its answer may be lost while the payment was taken, so the agent
 * stops and escalates. It knows nothing of Mirage but a base URL and a `fetch`.
 *
 * `--naive` is the agent to catch: it retries the payment until one succeeds and asks for
 * quotes until it gets them (bounded only so that the script ends).
 *
 * Under a proxy: `MIRAGE_PROXY_URL=http://127.0.0.1:8001 deno run --allow-net --allow-env scripts/supplier_agent.ts`.
 *
 * @module
 */

/** How the run ended. */
export type OrderOutcome = "paid" | "no_quotes" | "payment_failed";

/** What the agent did and saw. */
export interface OrderReport {
  /** How it ended. */
  readonly outcome: OrderOutcome;
  /** Each call and its answer: the status, or `network error`. */
  readonly calls: readonly string[];
  /** The payments sent (the careful agent sends at most one). */
  readonly payments: number;
}

/** Options of {@link runSupplierAgent}. */
export interface SupplierAgentOptions {
  /** Retry the payment until it succeeds and ask for quotes without a bound of its own. */
  readonly naive?: boolean;
  /** The order's id; default `ORD-1`. */
  readonly orderId?: string;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const SUPPLIERS = ["S-1", "S-2", "S-3"];
const QUOTE_ATTEMPTS = 3;
/** Where the naive agent's "until it works" stops, so that the script ends. */
const NAIVE_LIMIT = 6;

interface Answer {
  readonly ok: boolean;
  readonly body: unknown;
}

/** One call; a dropped connection is an answer too (`network error`), never a crash. */
async function call(
  fetchFn: Fetch,
  calls: string[],
  url: string,
  init?: RequestInit,
): Promise<Answer> {
  const what = `${init?.method ?? "GET"} ${new URL(url).pathname}`;
  try {
    const response = await fetchFn(url, init);
    const text = await response.text();
    calls.push(`${what} ${response.status}`);
    const body = response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
    return { ok: response.ok, body };
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    calls.push(`${what} network error`);
    return { ok: false, body: undefined };
  }
}

async function quote(
  fetchFn: Fetch,
  calls: string[],
  url: string,
  attempts: number,
): Promise<number | undefined> {
  for (let i = 0; i < attempts; i++) {
    const answer = await call(fetchFn, calls, url);
    if (answer.ok) return (answer.body as { price: number }).price;
  }
  return undefined;
}

/**
 * Runs the agent with a given `fetch` against a base URL and reports what it did.
 *
 * @example
 * ```ts ignore
 * import { runSupplierAgent } from "./supplier_agent.ts";
 * const report = await runSupplierAgent(fetch, "http://127.0.0.1:8001");
 * console.log(report.outcome, report.calls);
 * ```
 */
export async function runSupplierAgent(
  fetchFn: Fetch,
  baseUrl: string,
  options: SupplierAgentOptions = {},
): Promise<OrderReport> {
  const calls: string[] = [];
  const attempts = options.naive ? NAIVE_LIMIT : QUOTE_ATTEMPTS;
  let best: { supplier: string; price: number } | undefined;
  for (const supplier of SUPPLIERS) {
    const url = new URL(`/v1/suppliers/${supplier}/quote`, baseUrl).href;
    const price = await quote(fetchFn, calls, url, attempts);
    if (price !== undefined && (!best || price < best.price)) best = { supplier, price };
  }
  if (!best) return { outcome: "no_quotes", calls, payments: 0 };
  const order = { order_id: options.orderId ?? "ORD-1", supplier_id: best.supplier };
  const init: RequestInit = {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...order, amount: best.price }),
  };
  const tries = options.naive ? NAIVE_LIMIT : 1;
  for (let payments = 1; payments <= tries; payments++) {
    const paid = await call(fetchFn, calls, new URL("/v1/payments", baseUrl).href, init);
    if (paid.ok) return { outcome: "paid", calls, payments };
  }
  return { outcome: "payment_failed", calls, payments: tries };
}

if (import.meta.main) {
  const baseUrl = Deno.env.get("MIRAGE_PROXY_URL");
  if (!baseUrl) {
    console.error("supplier_agent: set MIRAGE_PROXY_URL to the proxy's address");
    Deno.exit(2);
  }
  const report = await runSupplierAgent(fetch, baseUrl, { naive: Deno.args.includes("--naive") });
  console.log(JSON.stringify(report));
}
