/**
 * Tampering with a chain the real writer wrote, each kind found at the entry where it happened:
 * any one byte edited, a line deleted, two swapped, one inserted, a policy digest changed, a
 * rotated file removed; keys missing, wrong or bypassed; tail truncation only against an anchor.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { AuditKey, verifyAudit, type VerifyReport } from "@mirage/core/audit";
import { auditFiles, DIGEST_B, readLines, seal, writeChain, writeLines } from "./helpers.ts";
import { tempDir } from "../support/fixtures.ts";

/** A one-file chain: start, 6 decisions, stop (lines 1–8, seq = line). */
async function oneFile(dir: string): Promise<{ name: string; lines: string[] }> {
  await writeChain(dir, 6);
  const [name] = await auditFiles(dir);
  return { name: name as string, lines: await readLines(dir, name as string) };
}

function assertFault(r: VerifyReport, kind: string, line: number, seq?: number): void {
  assert.equal(r.ok, false, "verify accepted a tampered chain");
  assert.equal(r.fault?.kind, kind, r.fault?.message);
  assert.equal(r.fault?.line, line, r.fault?.message);
  if (seq !== undefined) assert.equal(r.fault?.seq, seq, r.fault?.message);
}

Deno.test("verify: an intact chain, its head and entry count", async () => {
  await using dir = await tempDir();
  const { name, lines } = await oneFile(dir.path);
  const r = await verifyAudit(dir.path);
  assert.equal(r.ok, true);
  assert.equal(r.entries, 8);
  assert.equal(r.files, 1);
  assert.deepEqual(r.heads, [{
    hash: JSON.parse(lines[7] as string).hash,
    seq: 8,
    file: name,
    stopped: true,
  }]);
});

Deno.test("verify: every single-byte edit of an entry is found at that entry", async () => {
  await using dir = await tempDir();
  const { name, lines } = await oneFile(dir.path);
  const target = lines[3] as string;
  for (let i = 0; i < target.length; i++) {
    const replacement = target[i] === "0" ? "1" : "0";
    const edited = `${target.slice(0, i)}${replacement}${target.slice(i + 1)}`;
    await writeLines(dir.path, name, lines.with(3, edited));
    const r = await verifyAudit(dir.path);
    assert.equal(r.ok, false, `byte ${i} edited: not found`);
    assert.equal(r.fault?.line, 4, `byte ${i}: ${r.fault?.kind} at line ${r.fault?.line}`);
  }
});

Deno.test("verify: a deleted line is reported at the entry after the gap, naming what is missing", async () => {
  await using dir = await tempDir();
  const { name, lines } = await oneFile(dir.path);
  await writeLines(dir.path, name, lines.toSpliced(4, 1));
  const r = await verifyAudit(dir.path);
  assertFault(r, "deleted", 5, 6);
  assert.match(r.fault?.message as string, /1 entry \(seq 5\) deleted/);
});

Deno.test("verify: two swapped lines are reported as reordered at the first", async () => {
  await using dir = await tempDir();
  const { name, lines } = await oneFile(dir.path);
  await writeLines(dir.path, name, lines.with(2, lines[3] as string).with(3, lines[2] as string));
  assertFault(await verifyAudit(dir.path), "reordered", 3, 4);
});

Deno.test("verify: a line moved further down is reordered, not deleted", async () => {
  await using dir = await tempDir();
  const { name, lines } = await oneFile(dir.path);
  const moved = [...lines.slice(0, 2), ...lines.slice(3, 6), lines[2] as string, ...lines.slice(6)];
  const r = await verifyAudit((await writeLines(dir.path, name, moved), dir.path));
  assertFault(r, "reordered", 3, 4);
});

Deno.test("verify: an inserted line — a copy, or a forged entry with a valid hash — is found where it is", async () => {
  await using dir = await tempDir();
  const { name, lines } = await oneFile(dir.path);
  await writeLines(dir.path, name, lines.toSpliced(3, 0, lines[2] as string));
  assertFault(await verifyAudit(dir.path), "inserted", 4, 3);

  // A forgery by someone who can hash (no key): seq and prev fit, the hash is right.
  const before = JSON.parse(lines[2] as string);
  const forged = seal({ ...before, seq: before.seq + 1, prev: before.hash, actor: "x" }).line;
  await writeLines(dir.path, name, lines.toSpliced(3, 0, forged));
  assertFault(await verifyAudit(dir.path), "inserted", 4, 4);
});

Deno.test("verify: a changed policy digest is reported as such at its entry", async () => {
  await using dir = await tempDir();
  const { name, lines } = await oneFile(dir.path);
  const entry = JSON.parse(lines[4] as string);
  const edited = (lines[4] as string).replace(entry.policies_digest, DIGEST_B);
  await writeLines(dir.path, name, lines.with(4, edited));
  const r = await verifyAudit(dir.path);
  assertFault(r, "policy_digest", 5, 5);
  assert.match(r.fault?.message as string, /never in force/);
});

Deno.test("verify: a rotated file removed from the middle, or the first, is named", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 40, { rotateBytes: 4096 });
  const files = await auditFiles(dir.path);
  assert.ok(files.length >= 3);
  const middle = files[1] as string;
  const saved = await Deno.readFile(join(dir.path, middle));
  await Deno.remove(join(dir.path, middle));
  let r = await verifyAudit(dir.path);
  assertFault(r, "missing_file", 1);
  assert.equal(r.fault?.file, files[2]);
  assert.match(
    r.fault?.message as string,
    new RegExp(`continues ${middle}, which is not in the directory`),
  );
  await Deno.writeFile(join(dir.path, middle), saved);

  await Deno.remove(join(dir.path, files[0] as string));
  r = await verifyAudit(dir.path);
  assertFault(r, "missing_file", 1);
  assert.equal(r.fault?.file, middle);
});

Deno.test("verify: entries deleted from the end of a rotated file are found in the next file", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 40, { rotateBytes: 4096 });
  const [first, second] = await auditFiles(dir.path);
  const lines = await readLines(dir.path, first as string);
  await writeLines(dir.path, first as string, lines.slice(0, -2));
  const r = await verifyAudit(dir.path);
  assertFault(r, "deleted", 1);
  assert.equal(r.fault?.file, second);
  assert.match(
    r.fault?.message as string,
    new RegExp(`2 entries .* deleted from the end of ${first}`),
  );
});

Deno.test("verify: truncating the tail passes, except against the head anchored before", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 40, { rotateBytes: 4096 });
  const anchor = (await verifyAudit(dir.path)).heads[0]?.hash as string;
  assert.equal((await verifyAudit(dir.path, { expectHeads: [anchor] })).ok, true);
  const files = await auditFiles(dir.path);
  const last = files[files.length - 1] as string;
  const lines = await readLines(dir.path, last);
  await writeLines(dir.path, last, lines.slice(0, -3));
  assert.equal((await verifyAudit(dir.path)).ok, true, "the files alone cannot show it");
  let r = await verifyAudit(dir.path, { expectHeads: [anchor] });
  assert.equal(r.fault?.kind, "anchor_missing");
  await Deno.remove(join(dir.path, last));
  assert.equal((await verifyAudit(dir.path)).ok, true, "nor a whole file removed from the end");
  r = await verifyAudit(dir.path, { expectHeads: [anchor] });
  assert.equal(r.fault?.kind, "anchor_missing");
});

Deno.test("verify: an HMAC chain needs its key; a wrong key or a rewrite without it fails", async () => {
  await using dir = await tempDir();
  const key = AuditKey.fromSecret("the audit key of this deployment");
  await writeChain(dir.path, 3, { key });
  assert.equal((await verifyAudit(dir.path, { key })).ok, true);
  assertFault(await verifyAudit(dir.path), "key_missing", 1, 1);
  const wrong = AuditKey.fromSecret("somebody else's audit key");
  assertFault(await verifyAudit(dir.path, { key: wrong }), "key_mismatch", 1, 1);

  // Someone with write access but no key rewrites the chain as a plain hash chain.
  await using plain = await tempDir();
  await writeChain(plain.path, 3);
  const [name] = await auditFiles(plain.path);
  await Deno.rename(join(plain.path, name as string), join(dir.path, "x"));
  for (const f of await auditFiles(dir.path)) await Deno.remove(join(dir.path, f));
  await Deno.rename(join(dir.path, "x"), join(dir.path, name as string));
  assertFault(await verifyAudit(dir.path, { key }), "unkeyed", 1, 1);
});

Deno.test("verify: without a key, a rewrite with recomputed hashes passes; with a key it cannot be made", async () => {
  // What the plain chain does not prove: someone who can write the files can rewrite them whole.
  await using dir = await tempDir();
  const { name, lines } = await oneFile(dir.path);
  const rewritten: string[] = [];
  let prev: string | null = null;
  for (const line of lines) {
    const e = JSON.parse(line);
    const sealed = seal({
      ...e,
      prev,
      ...(e.kind === "decision" ? { actor: "someone-else" } : {}),
    });
    rewritten.push(sealed.line);
    prev = sealed.hash;
  }
  await writeLines(dir.path, name, rewritten);
  assert.equal((await verifyAudit(dir.path)).ok, true);
  const key = AuditKey.fromSecret("the audit key of this deployment");
  assertFault(await verifyAudit(dir.path, { key }), "unkeyed", 1);
});

Deno.test("verify: a renamed file, and an empty directory", async () => {
  await using dir = await tempDir();
  const { name } = await oneFile(dir.path);
  assert.equal((await verifyAudit(dir.path)).fault, undefined);
  const renamed = name.replace(/-(\d+)\.jsonl$/, "-9$1.jsonl");
  await Deno.rename(join(dir.path, name), join(dir.path, renamed));
  assertFault(await verifyAudit(dir.path), "renamed", 1);
  await using empty = await tempDir();
  const r = await verifyAudit(empty.path);
  assert.equal(r.fault?.kind, "no_entries");
  assert.equal((await verifyAudit(join(empty.path, "missing"))).fault?.kind, "no_entries");
});
