/**
 * Reading a request body for inspection without ever buffering more than the limit: a body
 * that fits is read whole (the policies read it, the upstream gets the same bytes); a larger one
 * is never mistaken for an empty one — what was read is kept and the rest stays in the stream.
 *
 * @module
 */

/** A body read up to the inspection limit. */
export type InspectedBody =
  | { readonly kind: "none" }
  | { readonly kind: "complete"; readonly bytes: Uint8Array }
  | {
    readonly kind: "over";
    /** The whole body: the bytes already read, then the rest as it arrives. */
    readonly stream: ReadableStream<Uint8Array>;
  };

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function replay(
  head: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = head.shift();
      if (next) return controller.enqueue(next);
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Reads `body` until it ends or grows past `limit` bytes.
 *
 * @example
 * ```ts
 * import { readLimited } from "./body_limit.ts";
 * const b = await readLimited(new Response("hello").body, 3);
 * console.log(b.kind); // "over"
 * ```
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<InspectedBody> {
  if (!body) return { kind: "none" };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { kind: "complete", bytes: concat(chunks, total) };
    chunks.push(value);
    total += value.length;
    if (total > limit) return { kind: "over", stream: replay(chunks, reader) };
  }
}
