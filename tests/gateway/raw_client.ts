/**
 * A client that sees the gateway's answer as it is on the wire: `fetch` in Deno decodes gzip
 * bodies, so byte-exact checks go through `node:http` instead.
 */

import http from "node:http";

/** An answer, byte for byte. */
export interface RawAnswer {
  status: number;
  /** Name/value pairs as received, repeated names kept apart. */
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/** All values of a header (case-insensitive). */
export function headerValues(answer: RawAnswer, name: string): string[] {
  return answer.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

/** Sends one request; `headers` may repeat names. */
export function rawRequest(
  url: string,
  init: {
    method?: string;
    headers?: Array<[string, string]>;
    body?: Uint8Array;
    /** Give up (rejecting) when this fires. */
    signal?: AbortSignal;
  } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of init.headers ?? []) {
      const prior = headers[name];
      headers[name] = prior === undefined
        ? value
        : [...(Array.isArray(prior) ? prior : [prior]), value];
    }
    const req = http.request(
      url,
      { method: init.method ?? "GET", headers, agent: false, signal: init.signal },
      (res) => {
        const chunks: Uint8Array[] = [];
        res.on("data", (c: Uint8Array) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const pairs: Array<[string, string]> = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            pairs.push([res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string]);
          }
          const size = chunks.reduce((n, c) => n + c.length, 0);
          const body = new Uint8Array(size);
          let at = 0;
          for (const c of chunks) {
            body.set(c, at);
            at += c.length;
          }
          resolve({ status: res.statusCode ?? 0, headers: pairs, body });
        });
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

/**
 * Sends one request as {@link rawRequest} does and fails as soon as its path reaches `upstream`
 * a second time: a resent request to a path the upstream holds would hang until it stops.
 */
export async function requestSentOnce(
  upstream: { arrived(path: string, count: number): Promise<void> },
  url: string,
  init: { method?: string; headers?: Array<[string, string]>; body?: Uint8Array } = {},
): Promise<RawAnswer> {
  const client = new AbortController();
  const answer = rawRequest(url, { ...init, signal: client.signal });
  const resent = upstream.arrived(new URL(url).pathname, 2).then(() => "resent" as const);
  if (await Promise.race([answer, resent]) === "resent") {
    client.abort();
    await answer.catch(() => {});
    throw new Error(`${new URL(url).pathname} reached the upstream twice`);
  }
  return await answer;
}
