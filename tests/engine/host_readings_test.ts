/**
 * `host_in` / `host_not_in` on URLs whose host WHATWG parsers (fetch, Node, Deno, browsers)
 * and RFC 3986 parsers (Python's `urlsplit(...).hostname`, Go's `url.Parse`) read differently:
 * the host an upstream goes to cannot be known, so both operators fail and the decision says so.
 * The RFC readings in the comments are Python 3's.
 */

import assert from "node:assert/strict";
import { toolAction } from "@mirage/core";
import { readHost } from "../../src/engine/network.ts";
import { decideOne } from "./helpers.ts";

const AMBIGUOUS: [url: string, reason: string][] = [
  // WHATWG: hooks.slack.com (a backslash ends the authority); RFC: evil.com.
  ["https://hooks.slack.com\\@evil.com/x", "a backslash in its authority"],
  ["https://evil.com\\@hooks.slack.com/x", "a backslash in its authority"],
  ["https://hooks.slack.com\\evil.com", "a backslash in its authority"],
  ["hooks.slack.com\\@evil.com", "a backslash in its authority"],
  // WHATWG drops tabs and new lines anywhere; many RFC parsers keep them in the host.
  ["https://hooks.sla\tck.com/x", "a control character or space in its authority"],
  ["https://hooks.slack.com\n/x", "a control character or space in its authority"],
  ["https://hooks.slack.com\u0000.evil.com/", "a control character or space in its authority"],
  ["https://hooks.slack.com /x", "a control character or space in its authority"],
  // Two `@`: the last one splits in WHATWG and Python, the first in others.
  ["https://a@hooks.slack.com@evil.com/x", "more than one '@' in its authority"],
  // Python refuses these; a parser that folds first reads evil.com.
  [
    "https://evil.com\uff0f@hooks.slack.com/",
    "a character in its authority that Unicode NFKC turns into a delimiter",
  ],
  [
    "https://hooks.slack.com\uff20evil.com/",
    "a character in its authority that Unicode NFKC turns into a delimiter",
  ],
  // WHATWG: evil.com (special schemes need no `//`); RFC: no host at all.
  ["http:/evil.com", "a host without '//' before it"],
  ["https:evil.com/x", "a host without '//' before it"],
  ["https:\\\\evil.com\\x", "a host without '//' before it"],
];

const READABLE: [url: string, host: string | undefined][] = [
  ["https://hooks.slack.com/x", "hooks.slack.com"],
  ["https://bot:token@hooks.slack.com/x", "hooks.slack.com"],
  ["https://hooks.slack.com@evil.com/x", "evil.com"],
  ["https://hooks.slack.com:443@evil.com/", "evil.com"],
  ["https://evil.com#@hooks.slack.com", "evil.com"],
  ["https://evil.com?@hooks.slack.com", "evil.com"],
  ["https://evil.com/a\\b@c", "evil.com"],
  ["https://HOOKS.SLACK.COM./x", "hooks.slack.com"],
  ["https://b\u00fccher.example/x", "xn--bcher-kva.example"],
  ["https://exa%6Dple.com/", "example.com"],
  ["https://[::1]:8080/x", "::1"],
  ["https://0x7f.1/", "127.0.0.1"],
  ["//evil.com/x", "evil.com"],
  ["hooks.slack.com", "hooks.slack.com"],
  ["hooks.slack.com:443/x", "hooks.slack.com"],
  ["evil.com/?next=https://hooks.slack.com", "evil.com"],
  ["s3://acme-exports/x", "acme-exports"],
  ["  https://hooks.slack.com/x  ", "hooks.slack.com"],
  ["https://hooks.slack.com%40evil.com/", undefined],
  ["https://hooks.slack.com:abc/", undefined],
  ["mailto:a@evil.com", undefined],
  ["not a host", undefined],
  ["", undefined],
];

Deno.test("readHost: a URL whose host parsers read differently is ambiguous, with why", () => {
  for (const [url, reason] of AMBIGUOUS) {
    assert.deepEqual(readHost(url), { ambiguous: reason }, JSON.stringify(url));
  }
});

Deno.test("readHost: any other URL or host reads as its one host, or as none", () => {
  for (const [url, host] of READABLE) {
    assert.deepEqual(readHost(url), host === undefined ? undefined : { host }, JSON.stringify(url));
  }
});

const call = (url: unknown) => toolAction({ tool: "send", args: { url } });
const ALLOW = { field: "payload.url", operator: "host_in" as const, value: ["hooks.slack.com"] };
const DENY = { field: "payload.url", operator: "host_not_in" as const, value: ["evil.com"] };

Deno.test("host_in and host_not_in both fail on an ambiguous URL, and the decision says why", async () => {
  for (const [url, reason] of AMBIGUOUS) {
    for (const rule of [ALLOW, DENY]) {
      const d = await decideOne(rule, call(url));
      assert.deepEqual(
        [d.passed, d.actual, d.message],
        [false, url, `m (URL parsers read different hosts in it: ${reason})`],
        `${rule.operator} ${JSON.stringify(url)}`,
      );
    }
  }
  const plain = await decideOne(ALLOW, call("https://hooks.slack.com/x"));
  assert.deepEqual([plain.passed, plain.message], [true, "m"]);
  const other = await decideOne(ALLOW, call("https://evil.com/x"));
  assert.deepEqual([other.passed, other.message], [false, "m"]);
});

Deno.test("an ambiguous URL fails under not too, in a list, and once normalised", async () => {
  const url = "https://hooks.slack.com\\@evil.com/x";
  const negated = await decideOne(
    { when: { not: { field: "payload.url", operator: "host_in", value: ["evil.com"] } } },
    call(url),
  );
  assert.deepEqual([negated.passed, negated.actual], [false, url]);
  assert.match(negated.message, /a backslash in its authority/);
  const listed = await decideOne(ALLOW, call(["https://hooks.slack.com/a", url]));
  assert.deepEqual([listed.passed, listed.actual], [false, url]);
  const encoded = "https://hooks.slack.com%5C@evil.com/x";
  const paste = { field: "payload.url", operator: "host_not_in" as const, value: ["paste.test"] };
  const decoded = await decideOne({ ...paste, normalize: ["url_decode"] }, call(encoded));
  assert.deepEqual([decoded.passed, decoded.actual, decoded.normalized], [false, encoded, [
    "url_decode",
  ]]);
  assert.match(decoded.message, /a backslash in its authority/);
});
