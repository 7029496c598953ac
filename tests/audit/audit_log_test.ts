/**
 * The writer: entry fields, one turn's entries in one batch, payloads never in clear, rotation
 * by size and by day, restarts that continue the chain (also after a torn last line), replicas
 * that never share a file or a chain, and a directory written with another key refused.
 */

import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { AuditKey, AuditLog, verifyAudit } from "@mirage/core/audit";
import {
  auditFiles,
  decision,
  DIGEST_A,
  DIGEST_B,
  readEntries,
  readLines,
  seal,
  writeChain,
  writeLines,
  WRITER,
} from "./helpers.ts";
import { tempDir } from "../support/fixtures.ts";

Deno.test("audit log: a start entry, then one entry per decision, with the format's fields", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 3);
  const [file] = await auditFiles(dir.path);
  const entries = await readEntries(dir.path, file as string);
  assert.deepEqual(entries.map((e) => e.kind), [
    "start",
    "decision",
    "decision",
    "decision",
    "stop",
  ]);
  assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3, 4, 5]);
  const [start, , , third] = entries as Record<string, unknown>[];
  assert.equal(start?.file, file);
  assert.equal(start?.prev_file, null);
  assert.equal(start?.prev, null);
  assert.equal(start?.surface, "gateway");
  assert.equal(start?.mode, "enforce");
  assert.equal(start?.policies_digest, DIGEST_A);
  assert.equal(start?.key_id, null);
  assert.match(String(start?.writer), /\/\d+$/);
  assert.deepEqual(Object.keys(third as object).sort(), [
    "action",
    "actor",
    "body_digest",
    "enforced",
    "hash",
    "host",
    "kind",
    "outcome",
    "policies_digest",
    "policy",
    "prev",
    "run_id",
    "seq",
    "status",
    "time",
  ]);
  assert.equal(third?.action, "POST /v1/submit_bid");
  assert.equal(third?.host, "api.acme.internal");
  assert.equal(third?.actor, "bot-3");
  assert.equal(third?.outcome, "policy_violation");
  assert.equal(third?.policy, "enforce_bid_limit");
  assert.equal(third?.status, 403);
  assert.equal(third?.run_id, "bids");
  assert.equal(third?.time, decision(3).time);
  for (let i = 1; i < entries.length; i++) {
    assert.equal(entries[i]?.prev, entries[i - 1]?.hash);
  }
  assert.equal((await verifyAudit(dir.path)).ok, true);
});

Deno.test("audit log: the hash is sha256 over the canonical JSON without hash, and the line is that JSON", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 1);
  const [file] = await auditFiles(dir.path);
  for (const line of await readLines(dir.path, file as string)) {
    assert.equal(seal(JSON.parse(line)).line, line);
  }
});

Deno.test("audit log: decisions recorded in one turn are written together, in order, and all wait for it", async () => {
  await using dir = await tempDir();
  const log = await AuditLog.open({ dir: dir.path }, WRITER);
  const lines = () => Deno.readTextFileSync(log.path).split("\n").length - 1;
  const written = Array.from({ length: 50 }, (_, i) => log.decision(decision(i + 1)));
  const before = lines();
  await Promise.all(written);
  const after = lines();
  await log.close();
  assert.equal(before, 1, "nothing is written during the turn that records");
  assert.equal(after, 51);
  const entries = await readEntries(dir.path, (await auditFiles(dir.path))[0] as string);
  assert.deepEqual(
    entries.slice(1, 51).map((e) => e.seq),
    Array.from({ length: 50 }, (_, i) => i + 2),
  );
  assert.ok(entries.slice(1, 51).every((e) => e.actor === null), "no actor header configured");
});

Deno.test("audit log: no payload in clear; the body digest is over the redacted body", async () => {
  await using dir = await tempDir();
  const log = await AuditLog.open({ dir: dir.path }, WRITER);
  const withCard = (card: string, amount: number) => {
    const d = decision(1);
    return {
      ...d,
      event: { ...d.event, request: { ...d.event.request, json: { card, amount } } },
    };
  };
  await log.decision(withCard("[REDACTED]", 4242424242));
  await log.decision(withCard("[REDACTED]", 4242424242));
  await log.decision(withCard("[REDACTED]", 17));
  await log.decision({ ...decision(2), event: { ...decision(2).event, request: { tool: "x" } } });
  await log.close();
  const [file] = await auditFiles(dir.path);
  const text = await Deno.readTextFile(join(dir.path, file as string));
  assert.equal(text.includes("4242424242"), false);
  assert.equal(text.includes("REDACTED"), false);
  const [, a, b, c, tool] = await readEntries(dir.path, file as string);
  assert.match(String(a?.body_digest), /^sha256:[0-9a-f]{64}$/);
  assert.equal(a?.body_digest, b?.body_digest);
  assert.notEqual(a?.body_digest, c?.body_digest);
  assert.equal(tool?.body_digest, null);
  assert.equal(tool?.action, "tool x");
  assert.equal(tool?.host, null);
});

Deno.test("audit log: with a key, hashes and body digests are HMACs and the key is never written", async () => {
  await using dir = await tempDir();
  const secret = "correct horse battery staple 0123456789";
  const key = AuditKey.fromSecret(secret);
  await writeChain(dir.path, 2, { key });
  const [file] = await auditFiles(dir.path);
  const text = await Deno.readTextFile(join(dir.path, file as string));
  assert.equal(text.includes(secret), false);
  const entries = await readEntries(dir.path, file as string);
  assert.equal(entries[0]?.key_id, key.id);
  for (const e of entries) assert.match(String(e.hash), /^hmac-sha256:[0-9a-f]{64}$/);
  assert.match(String(entries[1]?.body_digest), /^hmac-sha256:/);
  for (
    const shown of [String(key), JSON.stringify({ key }), Deno.inspect(key), Deno.inspect({ key })]
  ) {
    assert.equal(shown.includes(secret), false, shown);
    assert.equal(shown.includes("correct"), false, shown);
  }
  assert.throws(
    () => AuditKey.fromSecret("short secret"),
    (e: Error) => /at least 16 bytes/.test(e.message) && !e.message.includes("short secret"),
  );
});

Deno.test("audit log: rotation by size continues the chain; each file names the one before", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 40, { rotateBytes: 4096 });
  const files = await auditFiles(dir.path);
  assert.ok(files.length >= 3, `${files.length} files`);
  let seq = 0;
  for (const [i, name] of files.entries()) {
    const entries = await readEntries(dir.path, name);
    const first = entries[0] as Record<string, unknown>;
    assert.equal(first.kind, i === 0 ? "start" : "rotate");
    assert.equal(first.file, name);
    assert.equal(first.prev_file, i === 0 ? null : files[i - 1]);
    if (i > 0) assert.equal(first.reason, "size");
    assert.equal(first.seq, seq + 1);
    seq = entries[entries.length - 1]?.seq as number;
    const size = (await Deno.stat(join(dir.path, name))).size;
    if (i < files.length - 1) assert.ok(size <= 4096 + 1024, `${name}: ${size} bytes`);
  }
  const report = await verifyAudit(dir.path);
  assert.equal(report.ok, true, report.fault?.message);
  assert.equal(report.entries, 40 + 2 + files.length - 1);
  assert.equal(report.heads.length, 1);
});

Deno.test("audit log: a new UTC day starts a new file", async () => {
  await using dir = await tempDir();
  let now = new Date("2026-11-24T23:59:59.500Z");
  const log = await AuditLog.open({ dir: dir.path, clock: () => now }, WRITER);
  await log.decision(decision(1));
  now = new Date("2026-11-25T00:00:00.250Z");
  await log.decision(decision(2));
  await log.close();
  const files = await auditFiles(dir.path);
  assert.equal(files.length, 2);
  assert.match(files[0] as string, /^audit-20261124T235959\.500Z-/);
  assert.match(files[1] as string, /^audit-20261125T000000\.250Z-/);
  const [rotate] = await readEntries(dir.path, files[1] as string);
  assert.equal(rotate?.kind, "rotate");
  assert.equal(rotate?.reason, "day");
  assert.equal((await verifyAudit(dir.path)).ok, true);
});

Deno.test("audit log: a reload is an entry from the old digest to the new, and later decisions carry the new", async () => {
  await using dir = await tempDir();
  const log = await AuditLog.open({ dir: dir.path }, WRITER);
  await log.decision(decision(1));
  await log.reload("SIGHUP", DIGEST_B);
  await log.decision(decision(2, DIGEST_B));
  await log.close();
  const entries = await readEntries(dir.path, (await auditFiles(dir.path))[0] as string);
  const reload = entries[2] as Record<string, unknown>;
  assert.equal(reload.kind, "reload");
  assert.equal(reload.cause, "SIGHUP");
  assert.equal(reload.previous_digest, DIGEST_A);
  assert.equal(reload.policies_digest, DIGEST_B);
  assert.equal(entries[3]?.policies_digest, DIGEST_B);
  assert.equal(entries[4]?.kind, "stop");
  assert.equal(entries[4]?.policies_digest, DIGEST_B);
  assert.equal((await verifyAudit(dir.path)).ok, true);
});

Deno.test("audit log: a restart continues the chain from the last file's last entry", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 2);
  await writeChain(dir.path, 2);
  const [first, second] = await auditFiles(dir.path);
  const before = await readEntries(dir.path, first as string);
  const [start] = await readEntries(dir.path, second as string);
  assert.equal(start?.kind, "start");
  assert.equal(start?.prev_file, first);
  assert.equal(start?.prev, before[before.length - 1]?.hash);
  assert.equal(start?.seq, before.length + 1);
  const report = await verifyAudit(dir.path);
  assert.equal(report.ok, true);
  assert.equal(report.heads.length, 1);
});

Deno.test("audit log: a torn last line is not an entry; the next process links to the last complete one", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 2);
  const [first] = await auditFiles(dir.path);
  // What kill -9 during a write leaves: no stop entry, and the start of a line without its newline.
  const lines = (await readLines(dir.path, first as string)).slice(0, -1);
  const torn = (lines[2] as string).slice(0, 57);
  await writeLines(dir.path, first as string, lines);
  await Deno.writeTextFile(join(dir.path, first as string), torn, { append: true });
  const last = JSON.parse(lines[2] as string);
  await writeChain(dir.path, 1);
  const files = await auditFiles(dir.path);
  const start = (await readEntries(dir.path, files[1] as string))[0];
  assert.equal(start?.prev_file, first);
  assert.equal(start?.prev, last.hash);
  assert.equal(start?.seq, last.seq + 1);
  const report = await verifyAudit(dir.path);
  assert.equal(report.ok, true, report.fault?.message);
  assert.equal(report.notes.length, 1);
  assert.match(report.notes[0] as string, /ends with 57 bytes after its last complete line/);
});

Deno.test("audit log: a live writer's file is never continued; replicas each get their own file and chain", async () => {
  await using dir = await tempDir();
  const a = await AuditLog.open({ dir: dir.path }, WRITER);
  const b = await AuditLog.open({ dir: dir.path }, WRITER);
  assert.notEqual(a.path, b.path);
  await Promise.all([a.decision(decision(1)), b.decision(decision(2))]);
  await a.close();
  const c = await AuditLog.open({ dir: dir.path }, WRITER);
  await b.close();
  await c.close();
  const [fileA, fileB, fileC] = [a, b, c].map((log) => basename(log.path)) as string[];
  assert.equal((await auditFiles(dir.path)).length, 3);
  const [startB] = await readEntries(dir.path, fileB as string);
  const [startC] = await readEntries(dir.path, fileC as string);
  assert.equal(startB?.prev_file, null, "a's file was held: b starts a chain of its own");
  assert.equal(startC?.prev_file, fileA, "a had stopped: c continues its chain");
  const report = await verifyAudit(dir.path);
  assert.equal(report.ok, true, report.fault?.message);
  assert.equal(report.heads.length, 2);
});

Deno.test("audit log: a directory written with another key, or without one, is refused", async () => {
  await using dir = await tempDir();
  const secret = "first key first key first key";
  await writeChain(dir.path, 1, { key: AuditKey.fromSecret(secret) });
  await assert.rejects(
    () => AuditLog.open({ dir: dir.path }, WRITER),
    (e: Error & { code?: string }) =>
      e.code === "audit_key_mismatch" && /without a key/.test(e.message) &&
      !e.message.includes(secret),
  );
  await assert.rejects(
    () =>
      AuditLog.open({ dir: dir.path, key: AuditKey.fromSecret("second key second key") }, WRITER),
    (e: Error & { code?: string }) => e.code === "audit_key_mismatch",
  );
  assert.equal((await auditFiles(dir.path)).length, 1);
});

Deno.test("audit log: files are readable by owner and group only", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 1);
  const [file] = await auditFiles(dir.path);
  const mode = (await Deno.stat(join(dir.path, file as string))).mode as number;
  assert.equal(mode & 0o777 & ~0o640, 0, `mode ${(mode & 0o777).toString(8)}`);
});
