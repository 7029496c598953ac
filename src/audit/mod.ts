/**
 * `@mirage/core/audit`: a tamper-evident audit log of every decision (docs/audit.md). {@link AuditLog} writes hash-chained JSON lines, one file per process;
 * {@link verifyAudit} checks a directory and names the first entry that fails;
 * {@link exportAudit} writes the entries as JSON lines or CSV. A separate entry point, so that
 * `@mirage/core` does not load it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog, verifyAudit } from "@mirage/core/audit";
 *
 * const dir = await Deno.makeTempDir();
 * const log = await AuditLog.open({ dir, actorHeader: "x-agent-id" }, {
 *   surface: "gateway",
 *   mode: "enforce",
 *   policiesDigest: undefined,
 * });
 * await log.close();
 * const report = await verifyAudit(dir);
 * assert.equal(report.ok, true);
 * assert.match(report.heads[0]?.hash ?? "", /^sha256:[0-9a-f]{64}$/);
 * ```
 *
 * @module
 */

export { AUDIT_KEY_ENV, AuditKey } from "./audit_key.ts";
export { AuditLog, type AuditOptions, type AuditWriter } from "./audit_log.ts";
export type { AuditedDecision, AuditedEvent } from "./decision_entry.ts";
export type { Outcome } from "../engine/outcome.ts";
export type { TraceRequest, TraceResponse } from "../trace/event.ts";
export type {
  AuditEntry,
  AuditKind,
  DecisionEntry,
  EntryBase,
  FileHeader,
  GapEntry,
  ReloadEntry,
  RotateEntry,
  StartEntry,
  StopEntry,
} from "./entry.ts";
export {
  type ChainFault,
  type ChainHead,
  type FaultKind,
  verifyAudit,
  type VerifyOptions,
  type VerifyReport,
} from "./verify.ts";
export { CSV_COLUMNS, exportAudit, type ExportOptions, type ExportSummary } from "./export.ts";
