/**
 * A throwaway certificate authority and a `localhost` server certificate it signed, made with
 * `openssl` in a temporary directory for one test and removed after it: no private key is ever
 * committed. Missing openssl is an error, never a skip: `.ci/run` installs Debian's package.
 */

import { join } from "node:path";

/** What a TLS test gets. */
export interface TestCertificates {
  /** The server's certificate (PEM). */
  readonly cert: string;
  /** The server's private key (PEM). */
  readonly key: string;
  /** Path of the authority's certificate, for `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error("openssl is not installed: run `apt-get install -y openssl` (.ci/run does)");
    }
    throw e;
  }
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** Runs `fn` with fresh certificates; the directory holding them is removed afterwards. */
export async function withCertificates(
  fn: (certs: TestCertificates) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mirage-tls-" });
  try {
    await openssl(dir, [
      "req",
      "-x509",
      ...EC,
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "1",
      "-subj",
      "/CN=Mirage test CA",
    ]);
    await openssl(dir, [
      "req",
      ...EC,
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=localhost",
    ]);
    await Deno.writeTextFile(
      join(dir, "server.ext"),
      "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n" +
        "extendedKeyUsage=serverAuth\n",
    );
    await openssl(dir, [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "1",
      "-extfile",
      "server.ext",
    ]);
    await fn({
      cert: await Deno.readTextFile(join(dir, "server.pem")),
      key: await Deno.readTextFile(join(dir, "server.key")),
      caFile: join(dir, "ca.pem"),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
