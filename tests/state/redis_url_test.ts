/** Redis URLs: what they say, and the redacted form that is the only one ever shown. */

import assert from "node:assert/strict";
import { MirageError } from "@mirage/core";
import { parseRedisUrl, redactSecret } from "../../src/state/redis_url.ts";

Deno.test("redis URLs: host, port, database, TLS and credentials", () => {
  const rows: [string, Record<string, unknown>][] = [
    ["redis://127.0.0.1", { host: "127.0.0.1", port: 6379, database: 0, tls: false }],
    ["redis://cache.internal:6380/3", { host: "cache.internal", port: 6380, database: 3 }],
    ["rediss://[::1]:6390/", { host: "::1", port: 6390, database: 0, tls: true }],
    ["redis://:p%40ss@h:1/2", { password: "p@ss", username: undefined }],
    ["redis://app:pw@h", { username: "app", password: "pw" }],
  ];
  for (const [url, expected] of rows) {
    const l = parseRedisUrl(url) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) assert.equal(l[k], v, `${url} ${k}`);
  }
});

Deno.test("redis URLs: the display form never carries the password", () => {
  const rows: [string, string][] = [
    ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379/0"],
    ["redis://:hunter2@127.0.0.1:6379/1", "redis://:***@127.0.0.1:6379/1"],
    ["rediss://app:hunter2@cache.internal", "rediss://app:***@cache.internal/0"],
    ["redis://app@[::1]:7000/4", "redis://app@[::1]:7000/4"],
  ];
  for (const [url, display] of rows) assert.equal(parseRedisUrl(url).display, display);
});

Deno.test("redis URLs: what is not one is refused, password redacted", () => {
  for (
    const url of [
      "localhost:6379",
      "http://:hunter2@h:6379",
      "redis://:hunter2@h:6379/db1",
      "redis://:hunter2@h:6379/0?ssl=true",
      "redis://:hunter2%zz@h:6379",
    ]
  ) {
    assert.throws(
      () => parseRedisUrl(url),
      (e) =>
        e instanceof MirageError && e.code === "invalid_state_url" &&
        !e.message.includes("hunter2"),
      url,
    );
  }
});

Deno.test("redis URLs: a client message that quotes the password is redacted", () => {
  assert.equal(redactSecret("AUTH hunter2 failed", "hunter2"), "AUTH *** failed");
  assert.equal(redactSecret("no secret here", undefined), "no secret here");
});
