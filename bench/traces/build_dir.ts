/**
 * Trace directories for the traces suite, written as the trace store writes them (one journal
 * line per event, `journalLine`), but straight to disk: a million events through the store
 * would take the suite's time measuring the writer.
 */

import { join } from "node:path";
import type { Outcome } from "../../src/engine/outcome.ts";
import type { PendingEvent } from "../../src/trace/event.ts";
import { journalLine } from "../../src/trace/journal.ts";
import type { EventTiming } from "../../src/trace/timing.ts";

const OUTCOMES: readonly Outcome[] = [
  "allowed",
  "allowed",
  "allowed",
  "flagged",
  "policy_violation",
];

function event(i: number): PendingEvent {
  const outcome = OUTCOMES[i % OUTCOMES.length] as Outcome;
  const e: PendingEvent = {
    request: {
      method: "POST",
      path: "/v1/submit_bid",
      host: "api.acme.internal",
      headers: { "content-type": "application/json", "user-agent": "agent/1.0" },
      json: { amount: 1_000 + (i % 50_000), supplier: `SUP-${i % 97}`, note: "x".repeat(i % 40) },
    },
    route: "submit_bid",
    outcome,
    enforced: true,
    decisions: outcome === "allowed" ? [] : [{
      policy: "enforce_bid_limit",
      passed: false,
      action: outcome === "flagged" ? "flag" : "block",
      field: "amount",
      operator: "max",
      expected: 25_000,
      actual: 1_000 + (i % 50_000),
      message: "Bids above 25,000 need human approval.",
    }],
    response: { status: outcome === "policy_violation" ? 403 : 200 },
  };
  if (outcome !== "allowed") e.policy = "enforce_bid_limit";
  return e;
}

function timing(ms: number): EventTiming {
  return { at: new Date(ms).toISOString(), evaluate_us: 3.2, decide_us: 41.5, total_us: 380.25 };
}

/** Writes one run's journal of `events` events, stamped from `startMs` on. */
export async function writeJournal(
  dir: string,
  runId: string,
  events: number,
  startMs: number,
): Promise<void> {
  const file = await Deno.open(join(dir, `${runId}.jsonl`), { write: true, create: true });
  const writer = file.writable.getWriter();
  const encoder = new TextEncoder();
  let chunk = "";
  for (let i = 0; i < events; i++) {
    chunk += journalLine({
      run_id: runId,
      mode: "enforce",
      event: event(i),
      timing: timing(startMs + i),
    });
    if (chunk.length > 256 * 1024) {
      await writer.write(encoder.encode(chunk));
      chunk = "";
    }
  }
  if (chunk) await writer.write(encoder.encode(chunk));
  await writer.close();
}

/** A directory of `runs` runs holding `events` events in all (run sizes vary around the mean). */
export async function buildDirectory(dir: string, runs: number, events: number): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const mean = events / runs;
  let written = 0;
  for (let r = 0; r < runs; r++) {
    const left = events - written;
    const size = r === runs - 1 ? left : Math.min(left, Math.round(mean * (0.5 + (r % 11) / 10)));
    await writeJournal(
      dir,
      `run-${String(r).padStart(5, "0")}`,
      size,
      Date.UTC(2026, 0, 1) + r * 60_000,
    );
    written += size;
  }
}

/** Appends one event to each of the given runs, stamped `ms`. */
export async function appendEvent(dir: string, runIds: readonly string[], ms: number) {
  for (const id of runIds) {
    const line = journalLine({ run_id: id, mode: "enforce", event: event(4), timing: timing(ms) });
    await Deno.writeTextFile(join(dir, `${id}.jsonl`), line, { append: true });
  }
}
