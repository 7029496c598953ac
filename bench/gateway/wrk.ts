/**
 * Saturating load with wrk (`-t1 -c32 -d5s --latency`), sending the load request through a Lua
 * script, and the parse of wrk's report.
 */

import { LOAD_REQUEST } from "./load_request.ts";

/** What one wrk run reports. */
export interface WrkResult {
  readonly requestsPerSecond: number;
  /** Latency percentiles in microseconds (50, 75, 90, 99). */
  readonly latencyUs: Readonly<Record<string, number>>;
  readonly non2xx: number;
  readonly socketErrors: string | undefined;
}

const UNITS: Readonly<Record<string, number>> = { us: 1, ms: 1_000, s: 1_000_000 };

/** Parses wrk's text report. */
export function parseWrk(text: string): WrkResult {
  const rps = text.match(/Requests\/sec:\s+([\d.]+)/)?.[1];
  if (rps === undefined) throw new Error(`wrk printed no Requests/sec: ${text.slice(0, 400)}`);
  const latencyUs: Record<string, number> = {};
  for (const m of text.matchAll(/^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$/gm)) {
    latencyUs[`p${m[1]}`] = Number(m[2]) * (UNITS[m[3] as string] as number);
  }
  return {
    requestsPerSecond: Number(rps),
    latencyUs,
    non2xx: Number(text.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0),
    socketErrors: text.match(/Socket errors:.*$/m)?.[0],
  };
}

function luaScript(): string {
  const headers = Object.entries(LOAD_REQUEST.headers).map(([k, v]) =>
    `wrk.headers["${k}"] = "${v}"`
  );
  return [`wrk.method = "${LOAD_REQUEST.method}"`, `wrk.body = '${LOAD_REQUEST.body}'`, ...headers]
    .join("\n");
}

/** Is wrk on the PATH? */
export async function hasWrk(): Promise<boolean> {
  try {
    return (await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" })
      .output())
      .code <= 1;
  } catch {
    return false;
  }
}

/** Runs wrk against `origin` (`http://127.0.0.1:PORT`) for `seconds`. */
export async function runWrk(
  origin: string,
  seconds: number,
  connections = 32,
): Promise<WrkResult> {
  const script = await Deno.makeTempFile({ prefix: "mirage-bench-", suffix: ".lua" });
  try {
    await Deno.writeTextFile(script, luaScript());
    const args = [
      "-t1",
      `-c${connections}`,
      `-d${seconds}s`,
      "--latency",
      "-s",
      script,
      `${origin}${LOAD_REQUEST.path}`,
    ];
    const out = await new Deno.Command("wrk", { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (out.code !== 0) throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}`);
    return parseWrk(text);
  } finally {
    await Deno.remove(script).catch(() => {});
  }
}
