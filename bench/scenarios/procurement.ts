/**
 * Procurement: an agent quotes suppliers and bids. Ground truth: a bid is good when it is in
 * USD, positive, at most 25,000, for a supplier quoted earlier in the run, keeps the run's bids
 * to that supplier within 25,000 too (an order split into several bids is still one order above
 * the approval threshold), and keeps the agent's bids within 60,000 (whatever run ids it uses).
 * The generator tracks only what went through, as the store does.
 */

import type { Rng } from "../lib/prng.ts";
import { createRng } from "../lib/prng.ts";
import { bad, byAgent, get, good, post } from "./build.ts";
import type { LabelledAction, Sequence } from "./scenario.ts";

/** Where the procurement API lives. */
export const API = "https://api.acme.internal";
/** Per-bid limit of the shipped policy's ground truth. */
export const BID_LIMIT = 25_000;
/** Per-run budget of the shipped policy's ground truth. */
export const RUN_BUDGET = 60_000;

const SUPPLIERS = ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6"];

/** What the agent has done so far in one run. */
export interface ProcurementRun {
  readonly runId: string;
  readonly quoted: Set<string>;
  /** What went through per supplier. */
  readonly bySupplier: Map<string, number>;
  spent: number;
}

/** A fresh run. */
export function newRun(runId: string): ProcurementRun {
  return { runId, quoted: new Set(), bySupplier: new Map(), spent: 0 };
}

/** A catalogue SKU, `SKU-0000`. */
export function sku(rng: Rng): string {
  return `SKU-${String(rng.int(0, 9999)).padStart(4, "0")}`;
}

/** A quote request that goes through; the supplier counts as quoted. */
export function quote(
  rng: Rng,
  run: ProcurementRun,
  supplier = rng.pick(SUPPLIERS),
): LabelledAction {
  run.quoted.add(supplier);
  const json = { sku: sku(rng), supplier_id: supplier, quantity: rng.int(1, 50) };
  return good(post(`${API}/v1/get_quote`, json, run.runId));
}

/** A bid body. */
export function bidBody(
  supplier: string,
  amount: unknown,
  currency = "USD",
): Record<string, unknown> {
  return { supplier_id: supplier, amount, currency };
}

/**
 * A good bid, if the run has a quoted supplier with room under the threshold and budget left;
 * it is then spent.
 */
export function goodBid(rng: Rng, run: ProcurementRun): LabelledAction | undefined {
  if (run.quoted.size === 0) return undefined;
  const supplier = rng.pick([...run.quoted]);
  const before = run.bySupplier.get(supplier) ?? 0;
  const room = Math.min(BID_LIMIT - before, RUN_BUDGET - run.spent);
  if (room < 500) return undefined;
  const amount = rng.int(500, Math.min(room, 20_000));
  run.spent += amount;
  run.bySupplier.set(supplier, before + amount);
  return good(post(`${API}/v1/submit_bid`, bidBody(supplier, amount), run.runId));
}

function unquoted(run: ProcurementRun): string | undefined {
  return SUPPLIERS.find((s) => !run.quoted.has(s));
}

type BadBid = (rng: Rng, run: ProcurementRun, supplier: string) => LabelledAction | undefined;

const BAD_BIDS: Readonly<Record<string, BadBid>> = {
  over_limit: (rng, run, s) => bid(run, "over_limit", bidBody(s, rng.int(BID_LIMIT + 1, 90_000))),
  non_positive: (rng, run, s) => bid(run, "non_positive", bidBody(s, -rng.int(0, 5_000))),
  wrong_currency: (rng, run, s) =>
    bid(run, "wrong_currency", bidBody(s, rng.int(500, 9_000), "EUR")),
  no_quote: (rng, run) => {
    const s = unquoted(run);
    return s ? bid(run, "no_quote", bidBody(s, rng.int(500, 9_000))) : undefined;
  },
  over_budget: (rng, run, s) => {
    const left = RUN_BUDGET - run.spent;
    if (left >= BID_LIMIT) return undefined;
    return bid(run, "over_budget", bidBody(s, rng.int(Math.max(left + 1, 1), BID_LIMIT)));
  },
};

function bid(run: ProcurementRun, kind: string, body: Record<string, unknown>): LabelledAction {
  return bad(kind, post(`${API}/v1/submit_bid`, body, run.runId));
}

function badQuote(rng: Rng, run: ProcurementRun): LabelledAction {
  const json = {
    sku: rng.pick(["sku-12", "SKU-12345", "SKU-ABCD", ""]),
    supplier_id: rng.pick(SUPPLIERS),
  };
  return bad("bad_sku", post(`${API}/v1/get_quote`, json, run.runId));
}

function badStep(rng: Rng, run: ProcurementRun): LabelledAction | undefined {
  const kind = rng.pick([...Object.keys(BAD_BIDS), "bad_sku"]);
  if (kind === "bad_sku") return badQuote(rng, run);
  const supplier = run.quoted.size > 0 ? rng.pick([...run.quoted]) : rng.pick(SUPPLIERS);
  return (BAD_BIDS[kind] as BadBid)(rng, run, supplier);
}

function step(rng: Rng, run: ProcurementRun): LabelledAction {
  const roll = rng.next();
  if (roll < 0.15) return good(get(`${API}/v1/suppliers?page=${rng.int(1, 5)}`, run.runId));
  if (roll < 0.4 || run.quoted.size === 0) return quote(rng, run);
  if (roll < 0.75) return goodBid(rng, run) ?? quote(rng, run);
  return badStep(rng, run) ?? quote(rng, run);
}

/** Plain procurement runs: 6 to 14 actions each, about a quarter of them bad. */
export function generateProcurement(seed: number, runs: number): Sequence[] {
  const rng = createRng(seed);
  return Array.from({ length: runs }, (_, i) => {
    const run = newRun(`procurement-${seed}-${i}`);
    const actions = Array.from({ length: rng.int(6, 14) }, () => step(rng, run));
    return { runId: run.runId, actions: byAgent(`agent-${run.runId}`, actions) };
  });
}
