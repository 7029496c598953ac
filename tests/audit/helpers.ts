/**
 * Audit chains written by the real writer into temporary directories, and their lines read back
 * and written over, for the tamper tests.
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { type AuditedDecision, AuditLog, type AuditOptions } from "@mirage/core/audit";

/** Two policy digests, as a policy file's would be. */
export const DIGEST_A = `sha256:${"a".repeat(64)}`;
export const DIGEST_B = `sha256:${"b".repeat(64)}`;

/** The writer of the test chains: a gateway in enforce mode under DIGEST_A. */
export const WRITER = { surface: "gateway", mode: "enforce", policiesDigest: DIGEST_A } as const;

/** The `n`th decision of a run: a bid by agent `bot-<n>`. */
export function decision(n: number, policiesDigest: string = DIGEST_A): AuditedDecision {
  return {
    runId: "bids",
    time: new Date(Date.UTC(2026, 10, 24, 9, 0, n)).toISOString(),
    policiesDigest,
    event: {
      request: {
        method: "POST",
        path: "/v1/submit_bid",
        host: "api.acme.internal",
        headers: { "x-agent-id": `bot-${n}` },
        json: { amount: 1000 * n },
      },
      outcome: n % 3 === 0 ? "policy_violation" : "allowed",
      enforced: true,
      ...(n % 3 === 0 ? { policy: "enforce_bid_limit" } : {}),
      response: { status: n % 3 === 0 ? 403 : 200 },
    },
  };
}

/** Opens a log in `dir`, records `count` decisions and closes it. */
export async function writeChain(
  dir: string,
  count: number,
  options: Omit<AuditOptions, "dir"> = {},
): Promise<void> {
  const log = await AuditLog.open({ dir, actorHeader: "x-agent-id", ...options }, WRITER);
  for (let n = 1; n <= count; n++) await log.decision(decision(n));
  await log.close();
}

/** The audit files of a directory, sorted. */
export async function auditFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.startsWith("audit-")) names.push(e.name);
  return names.sort();
}

/** A file's complete lines. */
export async function readLines(dir: string, name: string): Promise<string[]> {
  const text = await Deno.readTextFile(join(dir, name));
  return text.split("\n").slice(0, -1);
}

/** Writes lines back, each with its newline. */
export async function writeLines(dir: string, name: string, lines: readonly string[]) {
  await Deno.writeTextFile(join(dir, name), lines.map((l) => `${l}\n`).join(""));
}

/** The entries of a file, parsed. */
export async function readEntries(dir: string, name: string): Promise<Record<string, unknown>[]> {
  return (await readLines(dir, name)).map((l) => JSON.parse(l));
}

/**
 * A line as an auditor (or a forger without the key) computes it, independently of the writer:
 * keys sorted, sha256 over the JSON without `hash`, `hash` appended.
 */
export function seal(fields: Record<string, unknown>): { line: string; hash: string } {
  const { hash: _, ...rest } = fields;
  const sorted = Object.fromEntries(Object.keys(rest).sort().map((k) => [k, rest[k]]));
  const canonical = JSON.stringify(sorted);
  const hash = `sha256:${createHash("sha256").update(canonical).digest("hex")}`;
  return { line: `${canonical.slice(0, -1)},"hash":"${hash}"}`, hash };
}
