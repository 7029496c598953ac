/**
 * The audit entry format ( docs/audit.md): one JSON object per line. Every entry has
 * `seq`, `time`, `kind`, `policies_digest`, `prev` and `hash`; the kind adds its own fields.
 * Absent values are `null`, never missing, so that every entry of a kind has the same keys.
 *
 * @module
 */

/**
 * The format version, in every `start` and `rotate` entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * import { AUDIT_FORMAT } from "./entry.ts";
 * const dir = await Deno.makeTempDir();
 * await (await AuditLog.open({ dir }, { surface: "proxy", mode: "enforce", policiesDigest: undefined })).close();
 * const [name] = [...Deno.readDirSync(dir)].map((e) => e.name);
 * const start = JSON.parse((await Deno.readTextFile(`${dir}/${name}`)).split("\n")[0] ?? "");
 * assert.equal(start.format, AUDIT_FORMAT);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export const AUDIT_FORMAT = 1;

/**
 * What an entry records.
 *
 * @example
 * ```ts
 * import type { AuditKind } from "./entry.ts";
 * const chainEnds: AuditKind[] = ["stop"];
 * ```
 */
export type AuditKind = "start" | "rotate" | "decision" | "reload" | "gap" | "stop";

/**
 * The fields of every entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EntryBase } from "./entry.ts";
 * const first: EntryBase = {
 *   seq: 1, time: "2026-12-01T00:00:00.000Z", kind: "start", policies_digest: null, prev: null,
 *   hash: "sha256:00",
 * };
 * assert.equal(first.prev, null); // the first entry of a chain
 * ```
 */
export interface EntryBase {
  /** Position in the chain, from 1; it goes on across files and restarts. */
  readonly seq: number;
  /** Wall-clock time (ISO 8601, UTC). For a decision: when the request arrived. */
  readonly time: string;
  /** What the entry records. */
  readonly kind: AuditKind;
  /** `sha256:<hex>` of the policy file's bytes in force (for a decision: that decided it). */
  readonly policies_digest: string | null;
  /** The previous entry's `hash`; `null` for the first entry of a chain. */
  readonly prev: string | null;
  /** `sha256:<hex>` or `hmac-sha256:<hex>` over the entry's canonical JSON without `hash`. */
  readonly hash: string;
}

/**
 * The fields that say who writes a file: in `start` and `rotate` entries.
 *
 * @example
 * ```ts
 * import type { FileHeader } from "./entry.ts";
 * const header: FileHeader = {
 *   format: 1, file: "audit-host-42-1.jsonl", prev_file: null, writer: "host/42", key_id: null,
 * };
 * ```
 */
export interface FileHeader {
  /** {@link AUDIT_FORMAT}. */
  readonly format: number;
  /** This file's name, so that a renamed file is seen. */
  readonly file: string;
  /** The file this one continues; `null` for the first file of a chain. */
  readonly prev_file: string | null;
  /** `<host>/<pid>` of the writing process. */
  readonly writer: string;
  /** The id of the HMAC key (`AuditKey.id`); `null` for a plain hash chain. */
  readonly key_id: string | null;
}

/**
 * A process began writing (a new file).
 *
 * @example
 * ```ts
 * import type { AuditEntry, StartEntry } from "./entry.ts";
 * const isStart = (e: AuditEntry): e is StartEntry => e.kind === "start";
 * ```
 */
export interface StartEntry extends EntryBase, FileHeader {
  /** Always `start`. */
  readonly kind: "start";
  /** `gateway` or `proxy`. */
  readonly surface: string;
  /** `enforce` or `passthrough`. */
  readonly mode: string;
}

/**
 * The same process went on in a new file.
 *
 * @example
 * ```ts
 * import type { RotateEntry } from "./entry.ts";
 * const why = (e: RotateEntry) => e.reason === "write_failed" ? "disk trouble" : "routine";
 * ```
 */
export interface RotateEntry extends EntryBase, FileHeader {
  /** Always `rotate`. */
  readonly kind: "rotate";
  /** `size`, `day`, or `write_failed` (the previous file could not be written to). */
  readonly reason: string;
}

/**
 * One decided action.
 *
 * @example
 * ```ts
 * import type { DecisionEntry } from "./entry.ts";
 * const line = (e: DecisionEntry) => `${e.run_id} ${e.action} ${e.outcome} by ${e.actor ?? "?"}`;
 * ```
 */
export interface DecisionEntry extends EntryBase {
  /** Always `decision`. */
  readonly kind: "decision";
  /** The run the action belongs to. */
  readonly run_id: string;
  /** The value of the actor header (`--audit-actor-header`), after redaction; `null` if absent. */
  readonly actor: string | null;
  /** `METHOD /path`, or `tool <name>`. */
  readonly action: string;
  /** The host of an HTTP action; `null` for a tool call. */
  readonly host: string | null;
  /** The outcome (docs/outcomes.md). */
  readonly outcome: string;
  /** Whether Mirage acted on the outcome (false in passthrough for a stopped action). */
  readonly enforced: boolean;
  /** The HTTP status the caller got; `null` for a tool call, which has none. */
  readonly status: number | null;
  /** The deciding rule, or `null`. */
  readonly policy: string | null;
  /** A digest of the redacted request body (never the body); `null` without one. */
  readonly body_digest: string | null;
}

/**
 * The policies were reloaded.
 *
 * @example
 * ```ts
 * import type { ReloadEntry } from "./entry.ts";
 * const changed = (e: ReloadEntry) => e.previous_digest !== e.policies_digest;
 * ```
 */
export interface ReloadEntry extends EntryBase {
  /** Always `reload`. */
  readonly kind: "reload";
  /** What triggered it: `SIGHUP`, `file change`, `reload`. */
  readonly cause: string;
  /** The digest in force before. */
  readonly previous_digest: string | null;
}

/**
 * Entries that could not be written (the disk refused them for too long) and were dropped.
 *
 * @example
 * ```ts
 * import type { GapEntry } from "./entry.ts";
 * const warn = (e: GapEntry) => `${e.lost} decisions were not audited before ${e.time}`;
 * ```
 */
export interface GapEntry extends EntryBase {
  /** Always `gap`. */
  readonly kind: "gap";
  /** How many. */
  readonly lost: number;
}

/**
 * The process stopped cleanly; nothing follows in this file.
 *
 * @example
 * ```ts
 * import type { AuditEntry } from "./entry.ts";
 * const cleanEnd = (entries: AuditEntry[]) => entries.at(-1)?.kind === "stop";
 * ```
 */
export interface StopEntry extends EntryBase {
  /** Always `stop`. */
  readonly kind: "stop";
}

/**
 * One audit entry.
 *
 * @example
 * ```ts
 * import type { AuditEntry } from "./entry.ts";
 * function describe(e: AuditEntry): string {
 *   return e.kind === "decision" ? `${e.seq} ${e.action} ${e.outcome}` : `${e.seq} ${e.kind}`;
 * }
 * ```
 */
export type AuditEntry =
  | StartEntry
  | RotateEntry
  | DecisionEntry
  | ReloadEntry
  | GapEntry
  | StopEntry;

type Draft<E> = E extends AuditEntry ? Omit<E, "seq" | "prev" | "hash"> : never;

/**
 * An entry before the chain gives it `seq`, `prev` and `hash`.
 *
 * @example
 * ```ts
 * import type { EntryDraft } from "./entry.ts";
 * const gap: EntryDraft = { kind: "gap", time: "2026-12-01T00:00:00.000Z", policies_digest: null, lost: 3 };
 * ```
 */
export type EntryDraft = Draft<AuditEntry>;
