/**
 * `mirage mcp` on the command line: listed in `mirage --help`, its own `--help`, usage errors
 * (exit 2) for contradicting or missing flags, exit 1 for a broken policies file or a server
 * command that cannot start — and the HTTP proxy's start line and stop.
 */

import assert from "node:assert/strict";
import { CliProcess, runCli } from "../support/cli_process.ts";

const POLICIES = new URL("../mcp/fixtures/policies.yaml", import.meta.url).pathname;
const MOCKS = new URL("../mcp/fixtures/mocks.yaml", import.meta.url).pathname;

Deno.test("mirage --help lists the mcp command", async () => {
  const r = await runCli(["--help"]);
  assert.match(r.stdout, /^\s+mcp\s+put the policies in front of an MCP server/m);
});

Deno.test("mirage mcp --help describes the three ways to run it and every flag", async () => {
  const r = await runCli(["mcp", "--help"]);
  assert.equal(r.code, 0);
  for (
    const flag of [
      "--upstream",
      "-- COMMAND",
      "--mocks",
      "--policies",
      "--mode",
      "--port",
      "--host",
      "--path",
      "--allow-origin",
      "--hide-blocked-tools",
      "--traces",
      "--run-id",
      "--timeout-ms",
      "--max-body",
      "--admin-token",
      "--no-decision-log",
    ]
  ) {
    assert.ok(r.stdout.includes(flag), `--help does not mention ${flag}`);
  }
});

Deno.test("contradicting or missing flags are usage errors (exit 2)", async () => {
  const cases: [string[], RegExp][] = [
    [["--upstream", "http://127.0.0.1:9"], /--policies is required/],
    [["--policies", POLICIES], /give --upstream URL, -- COMMAND, or --mocks M/],
    [["--policies", POLICIES, "--upstream", "http://127.0.0.1:9", "--", "srv"], /not both/],
    [["--policies", POLICIES, "--"], /give the server's command after --/],
    [["--policies", POLICIES, "--mocks", MOCKS, "--mode", "shadow"], /--mode must be enforce/],
    [["--policies", POLICIES, "--upstream", "ftp://x"], /must be http/],
    [["--policies", POLICIES, "--mocks", MOCKS, "--port", "99999"], /--port must be an integer/],
    [["--policies", POLICIES, "--mocks", MOCKS, "--max-body", "lots"], /not a size/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(["mcp", ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

Deno.test("a broken policies file or a server that cannot start is exit 1, with why", async () => {
  const dir = await Deno.makeTempDir();
  const broken = `${dir}/p.yaml`;
  await Deno.writeTextFile(broken, "policies:\n  - name: x\n    operator: maxx\n");
  const bad = await runCli(["mcp", "--policies", broken, "--mocks", MOCKS, "--traces", dir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /p\.yaml:3:15/);
  const missing = await runCli([
    "mcp",
    "--policies",
    POLICIES,
    "--traces",
    dir,
    "--",
    "no-such-server-binary",
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot start 'no-such-server-binary'/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mirage mcp --upstream starts, says where, and stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  const p = new CliProcess([
    "mcp",
    "--policies",
    POLICIES,
    "--upstream",
    "http://127.0.0.1:9/base",
    "--port",
    "0",
    "--traces",
    dir,
  ]);
  const m = await p.waitFor(
    /mcp listening on (http:\/\/127\.0\.0\.1:\d+\/mcp) → http:\/\/127\.0\.0\.1:9\/base · enforce · 3 policies/,
  );
  const health = await fetch(`${new URL(m[1] as string).origin}/_mirage/health`);
  assert.equal((await health.json()).transport, "http");
  p.kill("SIGTERM");
  const r = await p.finished();
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "", "stdout is left to decision lines");
  await Deno.remove(dir, { recursive: true });
});
