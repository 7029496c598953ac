/**
 * A paced (open-loop) load generator: requests are scheduled at a fixed interval and each
 * latency is measured from its scheduled send time, not from when it was actually sent, so a
 * stall in the server (or in this process) shows up in the latencies instead of silently
 * lowering the rate — the coordinated-omission trap of closed-loop tools.
 *
 * It runs as its own process and sends over raw keep-alive TCP connections (`HttpLane`): one
 * write of the pre-encoded request and a minimal read of the answer per request. The first
 * version used `fetch`, whose own cost per request made the generator late by more than the
 * latencies it was measuring once the machine was busy. A request that finds every connection
 * busy waits for the first one free, still timed from its scheduled time.
 *
 * `deno run -A bench/gateway/paced_load.ts --url URL --rate 1000 --seconds 5 --warmup 1`
 * prints one JSON object (see {@link PacedResult}).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { HttpLane } from "./http_lane.ts";
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
  /** How late the generator itself sent, p50 and p99 in µs: if large, its lag is in the numbers. */
  readonly sendLagP50Us: number;
  readonly sendLagP99Us: number;
}

/** Connections kept open to the target: more than a stalled second of the rate ever needs. */
const LANES = 32;

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function requestBytes(url: URL): Uint8Array {
  const body = new TextEncoder().encode(LOAD_REQUEST.body);
  const lines = [
    `${LOAD_REQUEST.method} ${url.pathname}${url.search} HTTP/1.1`,
    `host: ${url.host}`,
    ...Object.entries(LOAD_REQUEST.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${body.length}`,
  ];
  const head = new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`);
  const bytes = new Uint8Array(head.length + body.length);
  bytes.set(head);
  bytes.set(body, head.length);
  return bytes;
}

/** The schedule's bookkeeping: what is due, what was measured. */
class Run {
  readonly lat: number[] = [];
  readonly lags: number[] = [];
  errors = 0;
  /** Indices due while every lane was busy, oldest first. */
  readonly #queue: number[] = [];
  #queueHead = 0;
  readonly #idle: HttpLane[];
  readonly #request: Uint8Array;
  readonly #inflight = new Set<Promise<void>>();

  constructor(
    lanes: HttpLane[],
    request: Uint8Array,
    readonly scheduledAt: (i: number) => number,
    readonly firstKept: number,
  ) {
    this.#idle = lanes;
    this.#request = request;
  }

  /** Request `i` is due now. */
  due(i: number): void {
    if (i >= this.firstKept) this.lags.push((performance.now() - this.scheduledAt(i)) * 1000);
    const lane = this.#idle.pop();
    if (lane) this.#track(this.#send(lane, i));
    else this.#queue.push(i);
  }

  /** Resolves when every request sent so far has its answer. */
  async drained(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all(this.#inflight);
  }

  #track(p: Promise<void>): void {
    this.#inflight.add(p);
    p.finally(() => this.#inflight.delete(p));
  }

  async #send(lane: HttpLane, first: number): Promise<void> {
    for (let i: number | undefined = first; i !== undefined; i = this.#nextQueued()) {
      const keep = i >= this.firstKept;
      try {
        const status = await lane.exchange(this.#request);
        if (!keep) continue;
        if (status >= 200 && status < 300) {
          this.lat.push((performance.now() - this.scheduledAt(i)) * 1000);
        } else this.errors++;
      } catch {
        if (keep) this.errors++;
        await lane.reconnect().catch(() => {});
      }
    }
    this.#idle.push(lane);
  }

  #nextQueued(): number | undefined {
    if (this.#queueHead === this.#queue.length) return undefined;
    return this.#queue[this.#queueHead++];
  }
}

function percentileOf(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** Sends at `rate` per second for `warmup + seconds`; only the last `seconds` are kept. */
export async function pacedLoad(
  url: URL,
  rate: number,
  seconds: number,
  warmup: number,
): Promise<PacedResult> {
  const intervalMs = 1000 / rate;
  const total = Math.round(rate * (warmup + seconds));
  const firstKept = Math.round(rate * warmup);
  const lanes = await Promise.all(
    Array.from({ length: LANES }, () => HttpLane.open(url.hostname, Number(url.port))),
  );
  const startEpochMs = epochNow() + 100;
  const scheduledAt = (i: number) => startEpochMs + i * intervalMs - performance.timeOrigin;
  const run = new Run(lanes, requestBytes(url), scheduledAt, firstKept);
  const due = new Int32Array(new SharedArrayBuffer(4));
  const ticker = new Worker(new URL("./paced_ticker.ts", import.meta.url), { type: "module" });
  try {
    ticker.postMessage({ startEpochMs, intervalMs, total, due });
    for (let sent = 0; sent < total;) {
      const wait = Atomics.waitAsync(due, 0, sent);
      if (wait.async) await wait.value;
      const now = Atomics.load(due, 0);
      while (sent < now) run.due(sent++);
    }
    await run.drained();
  } finally {
    ticker.terminate();
    for (const lane of lanes) lane.close();
  }
  const elapsed = (performance.now() - scheduledAt(firstKept)) / 1000;
  const lags = run.lags.sort((a, b) => a - b);
  return {
    rate,
    seconds,
    sent: total - firstKept,
    ok: run.lat.length,
    errors: run.errors,
    achievedRps: run.lat.length / elapsed,
    latenciesUs: run.lat.sort((a, b) => a - b),
    sendLagP50Us: percentileOf(lags, 0.5),
    sendLagP99Us: percentileOf(lags, 0.99),
  };
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
    new URL(values.url),
    Number(values.rate),
    Number(values.seconds),
    Number(values.warmup),
  );
  console.log(JSON.stringify(result));
}
