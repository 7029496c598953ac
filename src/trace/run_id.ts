/**
 * Run ids name trace files, so they are sanitised before they touch a path: only
 * `[A-Za-z0-9._-]`, no leading dot, no `.timing` ending (that names a sidecar), at most 100
 * characters. A changed id gets a short hash of
 * the original, so that two different ids never share a file.
 */

import { createHash } from "node:crypto";

const SAFE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/** Ids that would read as another run's sidecar (`<run>.timing.json`) on any file system. */
const SIDECAR = /\.timing$/i;

/** The file-safe form of a run id. */
export function sanitiseRunId(runId: string): string {
  if (SAFE.test(runId) && !SIDECAR.test(runId)) return runId;
  const base = runId.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, 80) || "_";
  const hash = createHash("sha256").update(runId).digest("hex").slice(0, 10);
  return `${base}-${hash}`;
}
