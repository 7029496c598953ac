import assert from "node:assert/strict";
import { MirageError } from "../../src/errors.ts";
import { listen } from "../../src/http/serve.ts";

Deno.test("serve: port 0 binds a free port and shutdown stops it", async () => {
  const server = listen(() => new Response("ok"), { port: 0, hostname: "127.0.0.1" });
  assert.ok(server.port > 0);
  const res = await fetch(`http://127.0.0.1:${server.port}/`);
  assert.equal(await res.text(), "ok");
  await server.shutdown();
  await assert.rejects(fetch(`http://127.0.0.1:${server.port}/`));
});

Deno.test("serve: a port in use is a listen_failed MirageError", async () => {
  const first = listen(() => new Response("ok"), { port: 0, hostname: "127.0.0.1" });
  try {
    assert.throws(
      () => listen(() => new Response("no"), { port: first.port, hostname: "127.0.0.1" }),
      (e) =>
        e instanceof MirageError && e.code === "listen_failed" &&
        e.message.includes(`:${first.port}`),
    );
  } finally {
    await first.shutdown();
  }
});
