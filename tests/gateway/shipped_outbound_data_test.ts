/**
 * The shipped policies/outbound_data.yaml in front of a real upstream, in enforce mode: a field
 * sent twice or as a JSON array is stopped as the single value is (werkzeug and Go read the
 * first of a repeated field, Django and PHP the last), and a webhook URL whose host parsers read
 * differently never reaches the upstream. The same bodies with harmless values go through.
 */

import assert from "node:assert/strict";
import { withGateway } from "./harness.ts";
import { headerValues, rawRequest } from "./raw_client.ts";

const FORM: [string, string] = ["content-type", "application/x-www-form-urlencoded"];
const JSON_TYPE: [string, string] = ["content-type", "application/json"];
const enc = (s: string) => new TextEncoder().encode(s);
const json = (v: unknown) => enc(JSON.stringify(v));

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly type?: [string, string];
  readonly body?: Uint8Array;
  /** The status and the deciding policy (none when it goes through). */
  readonly expect: readonly [number, string?];
}

const EVIL = "filename=evil.exe&link=/admin/users&expires_at=2026-12-31";

const CASES: readonly Case[] = [
  {
    name: "each field once",
    path: "/v1/files",
    type: FORM,
    body: enc(EVIL),
    expect: [403, "no_executables"],
  },
  {
    name: "each field twice",
    path: "/v1/files",
    type: FORM,
    body: enc(`${EVIL}&${EVIL}`),
    expect: [403, "no_executables"],
  },
  {
    name: "a harmless first value (werkzeug, Go), the executable last (Django, PHP)",
    path: "/v1/files",
    type: FORM,
    body: enc("filename=a.pdf&filename=evil.exe&expires_at=2026-12-31"),
    expect: [403, "no_executables"],
  },
  {
    name: "the executable first, a harmless last value",
    path: "/v1/files",
    type: FORM,
    body: enc("filename=evil.exe&filename=a.pdf&expires_at=2026-12-31"),
    expect: [403, "no_executables"],
  },
  {
    name: "an admin link sent twice",
    path: "/v1/files",
    type: FORM,
    body: enc("filename=a.pdf&link=/files/a&link=/admin/users&expires_at=2026-12-31"),
    expect: [403, "no_admin_paths_in_links"],
  },
  {
    name: "JSON arrays",
    path: "/v1/files",
    type: JSON_TYPE,
    body: json({ filename: ["evil.exe"], link: ["/admin/users"], expires_at: ["2026-12-31"] }),
    expect: [403, "no_executables"],
  },
  {
    name: "a far expiry in an array",
    path: "/v1/files",
    type: JSON_TYPE,
    body: json({ filename: ["a.pdf"], expires_at: ["2026-12-31", "2099-01-01"] }),
    expect: [403, "share_links_expire"],
  },
  {
    name: "a tunnel in a repeated query parameter",
    method: "GET",
    path: "/v1/redirects/7?next=https://docs.acme.internal/&next=https://x.ngrok.io/",
    expect: [403, "no_tunnels_in_redirects"],
  },
  {
    name: "a webhook URL that is Slack to fetch and evil.com to Python",
    path: "/v1/webhooks",
    type: JSON_TYPE,
    body: json({ url: "https://hooks.slack.com\\@evil.com/x" }),
    expect: [403, "webhook_egress_allowlist"],
  },
  {
    name: "harmless fields sent twice",
    path: "/v1/files",
    type: FORM,
    body: enc("filename=a.pdf&filename=a.pdf&link=/files/a&link=/files/a&expires_at=2026-12-31"),
    expect: [200],
  },
  {
    name: "harmless JSON arrays",
    path: "/v1/files",
    type: JSON_TYPE,
    body: json({ filename: ["a.pdf"], link: ["/files/a"], expires_at: ["2026-12-31"] }),
    expect: [200],
  },
  {
    name: "a Slack webhook",
    path: "/v1/webhooks",
    type: JSON_TYPE,
    body: json({ url: "https://hooks.slack.com/services/T0/B0/x" }),
    expect: [200],
  },
];

Deno.test("gateway: the shipped outbound_data rules stop repeated fields, arrays and ambiguous URLs", async () => {
  await withGateway({ policies: "policies/outbound_data.yaml" }, async ({ upstream, gateway }) => {
    const forwarded: string[] = [];
    for (const c of CASES) {
      const res = await rawRequest(`${gateway.url}${c.path}`, {
        method: c.method ?? "POST",
        headers: c.type ? [c.type] : [],
        ...(c.body ? { body: c.body } : {}),
      });
      const [status, policy] = c.expect;
      assert.deepEqual(
        [res.status, headerValues(res, "x-mirage-policy")],
        [status, policy === undefined ? [] : [policy]],
        c.name,
      );
      if (status === 200) forwarded.push(new URL(c.path, "http://x").pathname);
    }
    assert.deepEqual(upstream.seen, forwarded, "only the harmless requests reach the upstream");
  });
});
