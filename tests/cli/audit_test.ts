/**
 * The audit log as a user runs it: `mirage gateway` / `mirage proxy` with `--audit` as real
 * subprocesses, `mirage audit verify` and `mirage audit export` through the CLI. A gateway run's
 * chain verifies, reloads are in it, kill -9 mid-traffic leaves a verifiable prefix that a
 * restart continues, an edit is reported at its entry, and the key is printed nowhere.
 */

import assert from "node:assert/strict";
import { filesUnder } from "../support/files.ts";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { GatewayProcess } from "../gateway/gateway_process.ts";
import { POLICIES } from "../gateway/harness.ts";
import { TestUpstream } from "../gateway/upstream_server.ts";
import { runCli, startProxyProcess } from "../support/cli_process.ts";
import { POLICIES_YAML, postJson, tempDir, workspace } from "../support/fixtures.ts";
import { auditFiles, readEntries, readLines, writeChain, writeLines } from "../audit/helpers.ts";

const KEY = "k3y-that-must-never-be-printed-0123456789";

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

async function allEntries(dir: string): Promise<Record<string, unknown>[]> {
  const files = await auditFiles(dir);
  return (await Promise.all(files.map((f) => readEntries(dir, f)))).flat();
}

/** POSTs `{amount}` to the gateway's `/echo` as `agent`; the answer's status. */
async function post(url: string, amount: number, agent?: string): Promise<number> {
  const headers: Record<string, string> = agent ? { "x-agent-id": agent } : {};
  const res = await fetch(`${url}/echo`, {
    method: "POST",
    body: JSON.stringify({ amount }),
    headers,
  });
  await res.body?.cancel();
  return res.status;
}

async function startGateway(upstream: TestUpstream, policies: string, audit: string, env = {}) {
  return await GatewayProcess.start([
    "--upstream",
    upstream.url,
    "--mode",
    "enforce",
    "--policies",
    policies,
    "--traces",
    join(audit, "..", "traces"),
    "--no-decision-log",
    "--audit",
    audit,
    "--audit-actor-header",
    "X-Agent-Id",
  ], env);
}

Deno.test("cli audit: a gateway run with --audit gives a chain verify accepts, reloads included", async () => {
  await using dir = await tempDir();
  const audit = join(dir.path, "audit");
  const policies = join(dir.path, "policies.yaml");
  const original = await Deno.readFile(POLICIES);
  await Deno.writeFile(policies, original);
  const upstream = new TestUpstream();
  const gateway = await startGateway(upstream, policies, audit);
  let changed: Uint8Array;
  try {
    assert.equal(await post(gateway.url, 10, "bot-7"), 200);
    assert.equal(await post(gateway.url, 5000, "bot-7"), 403);
    assert.equal(await post(gateway.url, 20), 200);
    const text = new TextDecoder().decode(original).replace("value: 100", "value: 10000");
    changed = new TextEncoder().encode(text);
    await Deno.writeFile(policies, changed);
    gateway.signal("SIGHUP");
    await gateway.waitFor(/reloaded \(SIGHUP\)/);
    assert.equal(await post(gateway.url, 5000, "bot-8"), 200);
  } finally {
    await gateway.stop();
    await upstream.close();
  }
  const verify = await runCli(["audit", "verify", audit]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /^audit chain intact: \d+ entries in 1 file, 1 chain$/m);
  const head = verify.stdout.match(/^head (sha256:[0-9a-f]{64}) \(seq (\d+), (audit-\S+)\)$/m);
  assert.ok(head, verify.stdout);

  const entries = await allEntries(audit);
  assert.equal(entries[0]?.kind, "start");
  assert.equal(entries[0]?.policies_digest, sha256(original));
  assert.equal(entries[entries.length - 1]?.kind, "stop");
  assert.equal(entries[entries.length - 1]?.hash, head[1]);
  const decisions = entries.filter((e) => e.kind === "decision");
  assert.deepEqual(decisions.map((e) => [e.actor, e.outcome, e.status]), [
    ["bot-7", "allowed", 200],
    ["bot-7", "policy_violation", 403],
    [null, "allowed", 200],
    ["bot-8", "flagged", 200],
  ]);
  assert.equal(decisions[1]?.policy, "cap_amount");
  assert.equal(decisions[1]?.action, "POST /echo");
  const reloads = entries.filter((e) => e.kind === "reload");
  const reload = reloads.find((e) => e.previous_digest === sha256(original));
  assert.ok(reload, JSON.stringify(reloads));
  assert.equal(reload.policies_digest, sha256(changed));
  assert.equal(decisions[3]?.policies_digest, sha256(changed));
  const raw = (await Promise.all((await auditFiles(audit)).map((f) => readLines(audit, f)))).join();
  assert.equal(raw.includes("5000"), false, "no payload in clear");
});

/** Requests from a few workers until stopped; a killed gateway makes them fail, which is fine. */
function traffic(url: string) {
  let running = true;
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      await post(url, i % 200, `bot-${w}`).catch(() => {});
    }
  };
  const done = Promise.all([1, 2, 3, 4].map(worker));
  return async () => {
    running = false;
    await done;
  };
}

Deno.test("cli audit: kill -9 mid-traffic leaves a verifiable prefix; a restart continues the chain", async () => {
  await using dir = await tempDir();
  const audit = join(dir.path, "audit");
  const upstream = new TestUpstream();
  let gateway = await startGateway(upstream, POLICIES, audit);
  let stopTraffic = traffic(gateway.url);
  try {
    const until = Date.now() + 20_000;
    while ((await allEntries(audit).catch(() => [])).length < 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
    }
    gateway.signal("SIGKILL");
    await gateway.stop();
    await stopTraffic();
  } finally {
    await gateway.stop();
  }
  const killed = await runCli(["audit", "verify", audit]);
  assert.equal(killed.code, 0, killed.stderr);
  assert.match(killed.stderr, /no stop entry/);
  const anchor = killed.stdout.match(/^head (\S+)/m)?.[1] as string;
  const [first] = await auditFiles(audit);

  gateway = await startGateway(upstream, POLICIES, audit);
  stopTraffic = traffic(gateway.url);
  try {
    await new Promise((r) => setTimeout(r, 200));
    await stopTraffic();
  } finally {
    await gateway.stop();
    await upstream.close();
  }
  const files = await auditFiles(audit);
  assert.equal(files.length, 2);
  const [start] = await readEntries(audit, files[1] as string);
  assert.equal(start?.prev_file, first);
  assert.equal(start?.prev, anchor);
  const resumed = await runCli(["audit", "verify", audit, "--expect-head", anchor]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const head = resumed.stdout.match(/^head (\S+)/m)?.[1] as string;

  // Cut the tail: only the anchor tells.
  const lines = await readLines(audit, files[1] as string);
  await writeLines(audit, files[1] as string, lines.slice(0, -2));
  assert.equal((await runCli(["audit", "verify", audit])).code, 0);
  const cut = await runCli(["audit", "verify", audit, "--expect-head", head]);
  assert.equal(cut.code, 1);
  assert.match(cut.stderr, /anchor_missing — the expected head .* is in no chain/);
});

Deno.test("cli audit: verify exits 1 naming the entry that was edited, and how", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 6);
  const [name] = await auditFiles(dir.path);
  const lines = await readLines(dir.path, name as string);
  await writeLines(
    dir.path,
    name as string,
    lines.with(4, (lines[4] as string).replace("bot-4", "bot-5")),
  );
  const r = await runCli(["audit", "verify", dir.path]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    new RegExp(
      `chain broken at seq 5, ${name} line 5: edited — it was edited: its hash does not match`,
    ),
  );
  await writeLines(dir.path, name as string, lines.toSpliced(2, 1));
  assert.match(
    (await runCli(["audit", "verify", dir.path])).stderr,
    /line 3: deleted — 1 entry \(seq 3\)/,
  );
});

Deno.test("cli audit: MIRAGE_AUDIT_KEY makes an HMAC chain; the key is printed and written nowhere", async () => {
  await using ws = await workspace();
  const audit = join(ws.dir, "audit");
  const env = { MIRAGE_AUDIT_KEY: KEY };
  const proxy = await startProxyProcess(
    ["--mocks", ws.mocks, "--policies", ws.policies, "--traces", ws.traces, "--audit", audit],
    env,
  );
  let output: string;
  try {
    const blocked = await fetch(`${proxy.url}/v1/submit_bid`, postJson({ amount: 50000 }));
    assert.equal(blocked.status, 403);
    await blocked.body?.cancel();
    await Deno.writeTextFile(ws.policies, POLICIES_YAML.replace("value: 25000", "value: 90000"));
    await proxy.process.waitFor(/reloaded/);
  } finally {
    const stopped = await proxy.stop();
    output = stopped.stdout + stopped.stderr;
  }
  const entries = await allEntries(audit);
  assert.deepEqual(entries.map((e) => e.kind), ["start", "decision", "reload", "stop"]);
  assert.equal(entries[2]?.cause, "file change");
  assert.equal(entries[2]?.previous_digest, entries[0]?.policies_digest);
  assert.notEqual(entries[2]?.policies_digest, entries[0]?.policies_digest);
  assert.equal(entries[0]?.surface, "proxy");
  assert.ok(entries.every((e) => String(e.hash).startsWith("hmac-sha256:")));

  const withKey = await runCli(["audit", "verify", audit], { env });
  assert.equal(withKey.code, 0, withKey.stderr);
  const withoutKey = await runCli(["audit", "verify", audit]);
  assert.equal(withoutKey.code, 1);
  assert.match(withoutKey.stderr, /key_missing — it is an HMAC entry: set MIRAGE_AUDIT_KEY/);
  const wrong = await runCli(["audit", "verify", audit], {
    env: { MIRAGE_AUDIT_KEY: "another key, not the one it was written with" },
  });
  assert.match(wrong.stderr, /key_mismatch/);

  const helps = await Promise.all(
    [["gateway"], ["proxy"], ["audit"], ["audit", "verify"], ["audit", "export"]].map((c) =>
      runCli([...c, "--help"], { env })
    ),
  );
  const short = await runCli(
    ["proxy", "--mocks", ws.mocks, "--policies", ws.policies, "--audit", audit, "--port", "0"],
    { env: { MIRAGE_AUDIT_KEY: "tooshort" } },
  );
  assert.equal(short.code, 1);
  assert.match(short.stderr, /MIRAGE_AUDIT_KEY must be at least 16 bytes/);
  const printed = [output, ...helps.map((h) => h.stdout + h.stderr), short.stderr];
  for (const text of printed) assert.equal(text.includes(KEY), false, text);
  assert.equal(short.stderr.includes("tooshort"), false);
  const files = [
    ...(await auditFiles(audit)).map((f) => join(audit, f)),
    ...filesUnder(ws.traces),
  ];
  for (const f of files) assert.equal((await Deno.readTextFile(f)).includes(KEY), false, f);
});

Deno.test("cli audit: export writes CSV to a file and JSON lines to stdout; bad flags are usage errors", async () => {
  await using dir = await tempDir();
  const audit = join(dir.path, "audit");
  await writeChain(audit, 4);
  const out = join(dir.path, "audit.csv");
  const csv = await runCli(["audit", "export", audit, "--format", "csv", "--output", out]);
  assert.equal(csv.code, 0, csv.stderr);
  const rows: Record<string, string>[] = parse(await Deno.readTextFile(out), { columns: true });
  assert.deepEqual(rows.map((r) => r.kind), [
    "start",
    "decision",
    "decision",
    "decision",
    "decision",
    "stop",
  ]);
  assert.deepEqual(rows.map((r) => Number(r.seq)), [1, 2, 3, 4, 5, 6]);
  const jsonl = await runCli([
    "audit",
    "export",
    audit,
    "--since",
    "2026-11-24T09:00:02Z",
    "--until",
    "2026-11-24T09:00:05Z",
  ]);
  assert.equal(jsonl.code, 0);
  assert.deepEqual(jsonl.stdout.trim().split("\n").map((l) => JSON.parse(l).actor), [
    "bot-2",
    "bot-3",
    "bot-4",
  ]);

  for (
    const [args, message] of [
      [["audit", "export", audit, "--since", "yesterday"], /--since is not a date/],
      [["audit", "export", audit, "--format", "xml"], /--format must be jsonl or csv/],
      [["audit", "verify"], /the audit directory is required/],
      [["audit"], /a subcommand is required/],
      [["audit", "verfy", audit], /unknown subcommand 'verfy' \(did you mean 'verify'\?\)/],
      [["proxy", "--mocks", "m", "--policies", "p", "--audit-actor-header", "x"], /needs --audit/],
    ] as const
  ) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const help = await runCli(["audit", "verify", "--help"]);
  assert.match(help.stdout, /--expect-head HASH/);
  assert.match(help.stdout, /Removing entries from the end of a chain leaves no trace/);
});
