/**
 * An HTTPS upstream goes through the same keep-alive pool as a plain one (the TLS agent has the
 * same no-resend override), and the gateway stays byte-exact over it. The upstream's
 * certificate is signed by a throwaway authority the gateway trusts through
 * `NODE_EXTRA_CA_CERTS`, as an operator would trust a private one.
 */

import assert from "node:assert/strict";
import { decodeBase64 } from "./base64.ts";
import { withGateway } from "./harness.ts";
import { headerValues, rawRequest, requestSentOnce } from "./raw_client.ts";
import { BINARY, type Echo, GZIP_BYTES } from "./upstream_server.ts";
import { withCertificates } from "../support/test_certificates.ts";

Deno.test("an HTTPS upstream: requests share one pooled connection and come back byte for byte", async () => {
  await withCertificates(async (certs) => {
    await withGateway(
      { upstreamTls: certs, env: { NODE_EXTRA_CA_CERTS: certs.caFile } },
      async ({ gateway, upstream }) => {
        assert.match(upstream.url, /^https:\/\/localhost:\d+$/);
        const posted = await rawRequest(`${gateway.url}/echo`, {
          method: "POST",
          headers: [["content-type", "application/octet-stream"]],
          body: BINARY,
        });
        assert.equal(posted.status, 200);
        const echo: Echo = JSON.parse(new TextDecoder().decode(posted.body));
        assert.deepEqual(decodeBase64(echo.body_b64), BINARY);
        assert.equal(echo.headers["host"], new URL(upstream.url).host);
        assert.equal(echo.headers["x-forwarded-proto"], "http");
        assert.deepEqual(headerValues(posted, "set-cookie"), [
          "a=1; Path=/; HttpOnly",
          "b=2; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT",
          "c=3",
        ]);

        const gzip = await rawRequest(`${gateway.url}/gzip`);
        assert.deepEqual(headerValues(gzip, "content-encoding"), ["gzip"]);
        assert.deepEqual(gzip.body, GZIP_BYTES);

        const binary = await rawRequest(`${gateway.url}/binary`);
        assert.deepEqual(binary.body, BINARY);

        assert.deepEqual(upstream.seen, ["/echo", "/gzip", "/binary"]);
        assert.equal(new Set(upstream.ports).size, 1, "one upstream connection for all three");
      },
    );
  });
});

Deno.test("an HTTPS upstream: a POST on a reused connection that times out gets 504 and reaches the upstream once", async () => {
  await withCertificates(async (certs) => {
    await withGateway(
      {
        mode: "passthrough",
        args: ["--timeout-ms", "300"],
        upstreamTls: certs,
        env: { NODE_EXTRA_CA_CERTS: certs.caFile },
      },
      async ({ gateway, upstream }) => {
        assert.equal((await rawRequest(`${gateway.url}/echo`)).status, 200);
        const res = await requestSentOnce(upstream, `${gateway.url}/hang`, {
          method: "POST",
          body: new TextEncoder().encode("{}"),
        });
        assert.equal(res.status, 504);
        await new Promise((r) => setTimeout(r, 400));
        assert.deepEqual(upstream.seen, ["/echo", "/hang"], "the POST reached the upstream once");
        assert.equal(new Set(upstream.ports).size, 1, "the POST went on the reused connection");
      },
    );
  });
});
