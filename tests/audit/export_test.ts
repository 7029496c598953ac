/**
 * Export: JSON lines exactly as written, in chain order; CSV that a real CSV parser (csv-parse)
 * reads back to the same fields, safe from formula injection; `since` / `until` by time.
 */

import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { AuditLog, CSV_COLUMNS, exportAudit, type ExportOptions } from "@mirage/core/audit";
import { csvCell } from "../../src/audit/csv.ts";
import { auditFiles, decision, readLines, writeChain, WRITER } from "./helpers.ts";
import { tempDir } from "../support/fixtures.ts";

async function exported(dir: string, options: Omit<ExportOptions, "write">): Promise<string> {
  let out = "";
  await exportAudit(dir, { ...options, write: (t) => void (out += t) });
  return out;
}

/** What a spreadsheet shows for a cell that came out of the formula guard. */
function unguarded(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

Deno.test("export: JSON lines are the files' lines, in chain order across rotations", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 30, { rotateBytes: 4096 });
  const files = await auditFiles(dir.path);
  const lines = (await Promise.all(files.map((f) => readLines(dir.path, f)))).flat();
  const out = await exported(dir.path, {});
  assert.equal(out, lines.map((l) => `${l}\n`).join(""));
  const seqs = out.trim().split("\n").map((l) => JSON.parse(l).seq);
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
});

Deno.test("export: CSV parses back to the same fields, with a header row and CRLF records", async () => {
  await using dir = await tempDir();
  await writeChain(dir.path, 5);
  const [file] = await auditFiles(dir.path);
  const entries = (await readLines(dir.path, file as string)).map((l) => JSON.parse(l));
  const csv = await exported(dir.path, { format: "csv" });
  assert.ok(csv.startsWith(`${CSV_COLUMNS.join(",")}\r\n`));
  assert.ok(csv.endsWith("\r\n"));
  const rows: Record<string, string>[] = parse(csv, { columns: true });
  assert.equal(rows.length, entries.length);
  rows.forEach((row, i) => {
    const entry = entries[i] as Record<string, unknown>;
    for (const column of CSV_COLUMNS) {
      const value = entry[column];
      const expected = value === undefined || value === null
        ? ""
        : typeof value === "string"
        ? value
        : JSON.stringify(value);
      assert.equal(unguarded(row[column] as string), expected, `row ${i + 1} ${column}`);
    }
  });
  for (const key of Object.keys(entries[1] as object)) assert.ok(CSV_COLUMNS.includes(key), key);
});

Deno.test("export: cells an agent controls cannot become formulas, and odd characters survive", async () => {
  await using dir = await tempDir();
  const log = await AuditLog.open({ dir: dir.path, actorHeader: "x-agent-id" }, WRITER);
  const actors = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "a,b",
    'say "hi"',
    "two\nlines",
  ];
  for (const actor of actors) {
    const d = decision(1);
    await log.decision({
      ...d,
      event: { ...d.event, request: { ...d.event.request, headers: { "x-agent-id": actor } } },
    });
  }
  await log.close();
  const rows: Record<string, string>[] = parse(await exported(dir.path, { format: "csv" }), {
    columns: true,
  });
  const shown = rows.filter((r) => r.kind === "decision").map((r) => r.actor);
  assert.deepEqual(shown, [
    `'=HYPERLINK("http://x","y")`,
    "'+1",
    "'-2",
    "'@SUM(A1)",
    "a,b",
    'say "hi"',
    "two\nlines",
  ]);
  assert.equal(csvCell("\tx"), "'\tx");
  assert.equal(csvCell("=1,2"), `"'=1,2"`);
  assert.equal(csvCell(null), "");
  assert.equal(csvCell(false), "false");
});

Deno.test("export: since and until select by time", async () => {
  await using dir = await tempDir();
  const log = await AuditLog.open({ dir: dir.path }, WRITER);
  for (let n = 1; n <= 5; n++) await log.decision(decision(n));
  await log.close();
  const times = (await exported(dir.path, {
    since: new Date(decision(2).time),
    until: new Date(decision(4).time),
  })).trim().split("\n").map((l) => JSON.parse(l).time);
  assert.deepEqual(times, [decision(2).time, decision(3).time]);
});
