/**
 * The server-to-client event streams a client opens with GET: they never end on their own (the
 * server may send a message at any time), so a graceful stop — which waits for every response to
 * finish — would wait for as long as any client stays connected. Mirage ends them when it stops;
 * a client reconnects (to the next instance) as the transport spec expects. Calls in flight
 * (POST answers, JSON or SSE) are left to finish.
 *
 * @module
 */

/**
 * Responses whose bodies are ended on {@link OpenStreams.endAll}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenStreams } from "./open_streams.ts";
 * const streams = new OpenStreams();
 * const res = streams.track(new Response(new ReadableStream({ pull() {} })));
 * streams.endAll();
 * assert.equal(await res.text(), ""); // the stream ended instead of waiting forever
 * ```
 */
export class OpenStreams {
  readonly #open = new Set<() => void>();

  /** The response, its body ended (and the source cancelled) by {@link endAll}. */
  track(res: Response): Response {
    if (!res.body) return res;
    const reader = res.body.getReader();
    const open = this.#open;
    let finished = false;
    let end = (): void => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        end = () => {
          if (finished) return;
          finished = true;
          open.delete(end);
          controller.close();
          reader.cancel().catch(() => {});
        };
        open.add(end);
      },
      async pull(controller) {
        const { done, value } = await reader.read();
        if (finished) return;
        if (done) end();
        else controller.enqueue(value);
      },
      cancel(reason) {
        finished = true;
        open.delete(end);
        return reader.cancel(reason);
      },
    });
    return new Response(body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  }

  /** Ends every tracked body now. */
  endAll(): void {
    for (const end of [...this.#open]) end();
  }
}
