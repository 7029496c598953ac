/**
 * `mirage gateway` on the command line: listed in `mirage --help`, its own `--help`, usage
 * errors (exit 2) for missing or bad flags, and exit 1 with the loader's message for a missing
 * or broken policies file — before anything listens.
 */

import assert from "node:assert/strict";
import { runCli } from "../support/cli_process.ts";

const POLICIES = new URL("../gateway/fixtures/policies.yaml", import.meta.url).pathname;
const BASE = [
  "gateway",
  "--upstream",
  "http://127.0.0.1:9",
  "--mode",
  "enforce",
  "--policies",
  POLICIES,
];

function without(flag: string): string[] {
  const i = BASE.indexOf(flag);
  return [...BASE.slice(0, i), ...BASE.slice(i + 2)];
}

Deno.test("mirage --help lists the gateway command", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^\s+gateway\s+put the policies in front of a real upstream/m);
});

Deno.test("mirage gateway --help describes every flag", async () => {
  const r = await runCli(["gateway", "--help"]);
  assert.equal(r.code, 0);
  for (
    const flag of [
      "--upstream",
      "--mode",
      "--policies",
      "--surface",
      "--port",
      "--host",
      "--traces",
      "--timeout-ms",
      "--max-body",
      "--admin-token",
      "--no-decision-log",
      "/_mirage/health",
      "/_mirage/v1/decide",
    ]
  ) {
    assert.ok(r.stdout.includes(flag), `--help does not mention ${flag}`);
  }
});

Deno.test("missing required flags are usage errors (exit 2)", async () => {
  for (
    const [flag, message] of [["--upstream", /--upstream is required/], [
      "--mode",
      /--mode is required/,
    ], [
      "--policies",
      /--policies is required/,
    ]] as const
  ) {
    const r = await runCli(without(flag));
    assert.equal(r.code, 2, `without ${flag}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage: mirage gateway/);
  }
});

Deno.test("a bare `mirage gateway` names every required flag at once", async () => {
  const r = await runCli(["gateway"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^mirage gateway: --upstream, --mode and --policies are required$/m);
});

Deno.test("bad flag values are usage errors (exit 2)", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["--mode", "block"], /--mode must be enforce or passthrough, got 'block'/],
    [["--mode", "enforc"], /got 'enforc' \(did you mean 'enforce'\?\)/],
    [["--max-body", "lots"], /not a size: 'lots'/],
    [["--port", "99999"], /--port must be an integer from 0 to 65535/],
    [["--timeout-ms", "1.5"], /--timeout-ms must be an integer/],
    [["--upstream", "ftp://files.test"], /--upstream must be http:\/\/ or https:\/\//],
    [["--upstream", "not a url"], /--upstream is not a URL/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli([...BASE, ...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, message);
  }
});

Deno.test("a missing or broken policies file stops the gateway before it listens (exit 1)", async () => {
  const missing = await runCli([...without("--policies"), "--policies", "no/such/policies.yaml"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /policies file not found: no\/such\/policies.yaml/);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/p.yaml`,
      "policies:\n  - name: a\n    field: x\n    operator: maxx\n    message: m\n",
    );
    const broken = await runCli([...without("--policies"), "--policies", `${dir}/p.yaml`]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /p\.yaml:4:15: .*maxx/);
    assert.ok(!broken.stderr.includes("listening"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
