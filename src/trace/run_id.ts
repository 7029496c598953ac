/**
 * Run ids name trace files, so they are sanitised before they touch a path: only
 * `[A-Za-z0-9._-]`, no leading dot, no `.timing` ending (that names a sidecar), no name Windows
 * reserves, at most 100 characters. Any other id is rewritten and gets a hash of the original,
 * so that two different ids do not share a file; a rewritten id is itself kept as it is, since
 * readers sanitise the ids they list again.
 */

import { createHash } from "node:crypto";

const SAFE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/** Ids that would read as another run's sidecar (`<run>.timing.json`) on any file system. */
const SIDECAR = /\.timing$/i;

/** Device names Windows reserves whatever the extension (`nul.json` is the null device). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/** The file-safe form of a run id. */
export function sanitiseRunId(runId: string): string {
  if (SAFE.test(runId) && !SIDECAR.test(runId) && !WINDOWS_RESERVED.test(runId)) return runId;
  const cleaned = runId.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, 80) || "_";
  const base = WINDOWS_RESERVED.test(cleaned) ? `_${cleaned}` : cleaned;
  const hash = createHash("sha256").update(runId).digest("hex").slice(0, 10);
  return `${base}-${hash}`;
}
