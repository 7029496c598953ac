/**
 * `mirage audit export`: every entry of a directory, in chain order, as JSON lines (each line as
 * it is on disk) or CSV with one column per field of any kind, for a compliance team's tools.
 * `since` and `until` select by `time` (from `since`, before `until`). Export reads, it does not
 * verify: run `mirage audit verify` for that. Lines that are not JSON are left out and counted.
 *
 * @module
 */

import { readAuditDir } from "./audit_dir.ts";
import { csvRow } from "./csv.ts";

/**
 * The CSV columns: the fields of every entry kind, in this order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CSV_COLUMNS } from "./export.ts";
 * assert.deepEqual(CSV_COLUMNS.slice(0, 3), ["seq", "time", "kind"]);
 * ```
 */
export const CSV_COLUMNS: readonly string[] = [
  "seq",
  "time",
  "kind",
  "run_id",
  "actor",
  "action",
  "host",
  "outcome",
  "enforced",
  "status",
  "policy",
  "policies_digest",
  "previous_digest",
  "cause",
  "body_digest",
  "lost",
  "surface",
  "mode",
  "writer",
  "file",
  "prev_file",
  "reason",
  "key_id",
  "format",
  "prev",
  "hash",
];

/**
 * Options of {@link exportAudit}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { exportAudit } from "./export.ts";
 * const dir = await Deno.makeTempDir();
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * const lines: string[] = [];
 * await exportAudit(dir, { until: new Date("2000-01-01"), write: (t) => void lines.push(t) });
 * assert.deepEqual(lines, []); // nothing before 2000
 * ```
 */
export interface ExportOptions {
  /** `jsonl` (default) or `csv`. */
  readonly format?: "jsonl" | "csv";
  /** Entries at or after this time. */
  readonly since?: Date;
  /** Entries before this time. */
  readonly until?: Date;
  /** Receives the output piece by piece. */
  readonly write: (text: string) => void | Promise<void>;
}

/**
 * What an export wrote.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { exportAudit } from "./export.ts";
 * const dir = await Deno.makeTempDir();
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * const summary = await exportAudit(dir, { write: () => {} });
 * assert.equal(summary.unreadable, 0);
 * ```
 */
export interface ExportSummary {
  /** Entries written. */
  readonly entries: number;
  /** Lines left out because they are not JSON. */
  readonly unreadable: number;
}

function inRange(entry: Record<string, unknown>, since?: Date, until?: Date): boolean {
  const time = Date.parse(String(entry.time));
  if (since && !(time >= since.getTime())) return false;
  return !until || time < until.getTime();
}

/**
 * Writes the entries of `dir` as JSON lines or CSV.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { exportAudit } from "./export.ts";
 * const dir = await Deno.makeTempDir();
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * let out = "";
 * const summary = await exportAudit(dir, { format: "csv", write: (t) => { out += t; } });
 * assert.deepEqual(summary, { entries: 2, unreadable: 0 }); // its start and its stop
 * assert.match(out, /^seq,time,kind,run_id,actor,action,/);
 * ```
 */
export async function exportAudit(dir: string, options: ExportOptions): Promise<ExportSummary> {
  const csv = options.format === "csv";
  if (csv) await options.write(csvRow(CSV_COLUMNS));
  let entries = 0;
  let unreadable = 0;
  const { chains } = await readAuditDir(dir);
  for (const file of chains.flatMap((c) => c.files)) {
    const out: string[] = [];
    for (const line of file.lines) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        unreadable++;
        continue;
      }
      if (!inRange(entry, options.since, options.until)) continue;
      out.push(csv ? csvRow(CSV_COLUMNS.map((c) => entry[c])) : `${line}\n`);
      entries++;
    }
    if (out.length > 0) await options.write(out.join(""));
  }
  return { entries, unreadable };
}
