/**
 * A paced (open-loop) load generator: requests are scheduled at a fixed interval and each
 * latency is measured from its scheduled send time, not from when it was actually sent, so a
 * stall in the server (or in this process) shows up in the latencies instead of silently
 * lowering the rate — the coordinated-omission trap of closed-loop tools.
 *
 * `deno run -A bench/gateway/paced_load.ts --url URL --rate 1000 --seconds 5 --warmup 1`
 * prints one JSON object (see {@link PacedResult}).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { LOAD_REQUEST } from "./load_request.ts";

/** What a paced run reports. */
export interface PacedResult {
  readonly rate: number;
  readonly seconds: number;
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  /** Achieved completions per second over the measured part. */
  readonly achievedRps: number;
  /** Per-request latencies from the scheduled time, in µs, measured part only, sorted. */
  readonly latenciesUs: number[];
  /** How late the generator itself sent, p99 in µs: if large, its own lag is in the numbers. */
  readonly sendLagP99Us: number;
}

async function one(
  url: string,
  scheduled: number,
  out: { lat: number[]; errors: number },
  keep: boolean,
) {
  try {
    const res = await fetch(url, {
      method: LOAD_REQUEST.method,
      headers: LOAD_REQUEST.headers,
      body: LOAD_REQUEST.body,
    });
    await res.arrayBuffer();
    if (keep) res.ok ? out.lat.push((performance.now() - scheduled) * 1000) : out.errors++;
  } catch {
    if (keep) out.errors++;
  }
}

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Sends at `rate` per second for `warmup + seconds`; only the last `seconds` are kept. */
export function pacedLoad(
  url: string,
  rate: number,
  seconds: number,
  warmup: number,
): Promise<PacedResult> {
  const intervalMs = 1000 / rate;
  const total = Math.round(rate * (warmup + seconds));
  const firstKept = Math.round(rate * warmup);
  const out = { lat: [] as number[], errors: 0 };
  const lags: number[] = [];
  const inflight: Promise<void>[] = [];
  const startEpochMs = epochNow() + 100;
  const ticker = new Worker(new URL("./paced_ticker.ts", import.meta.url), { type: "module" });
  return new Promise((resolve) => {
    ticker.onmessage = async (event: MessageEvent<number>) => {
      const i = event.data;
      if (i >= 0) {
        const scheduled = startEpochMs + i * intervalMs - performance.timeOrigin;
        if (i >= firstKept) lags.push((performance.now() - scheduled) * 1000);
        inflight.push(one(url, scheduled, out, i >= firstKept));
        return;
      }
      ticker.terminate();
      const keptStart = startEpochMs + firstKept * intervalMs - performance.timeOrigin;
      await Promise.all(inflight);
      const elapsed = (performance.now() - keptStart) / 1000;
      lags.sort((a, b) => a - b);
      resolve({
        rate,
        seconds,
        sent: total - firstKept,
        ok: out.lat.length,
        errors: out.errors,
        achievedRps: out.lat.length / elapsed,
        latenciesUs: out.lat.sort((a, b) => a - b),
        sendLagP99Us: lags[Math.floor(lags.length * 0.99)] ?? NaN,
      });
    };
    ticker.postMessage({ startEpochMs, intervalMs, total });
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      url: { type: "string" },
      rate: { type: "string", default: "1000" },
      seconds: { type: "string", default: "5" },
      warmup: { type: "string", default: "1" },
    },
  });
  if (values.url === undefined) throw new Error("--url is required");
  const result = await pacedLoad(
    values.url,
    Number(values.rate),
    Number(values.seconds),
    Number(values.warmup),
  );
  console.log(JSON.stringify(result));
}
