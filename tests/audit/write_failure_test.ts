/**
 * Writes that fail, for real: a writer process whose file size limit is lowered from outside
 * (prlimit; SIGXFSZ ignored, so a write past the limit fails with EFBIG as on a full disk). A
 * write cut mid-line leaves a torn tail and the entries go on in a new file; while writes keep
 * failing, entries wait, those past the bound are counted, and a gap entry says how many once
 * writing works again. The chain verifies throughout.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { verifyAudit } from "@mirage/core/audit";
import { CONFIG, ROOT } from "../support/cli_process.ts";
import { auditFiles, readEntries } from "./helpers.ts";
import { tempDir } from "../support/fixtures.ts";

const WRITER_SCRIPT = new URL("./fixtures/audit_writer.ts", import.meta.url).pathname;

/** The writer process, driven line by line. */
class Writer {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reading: Promise<void>;
  #stdout = "";
  #stderr = "";

  constructor(dir: string, maxPending: number) {
    const deno = `exec '${Deno.execPath()}' run -A --config '${CONFIG}' '${WRITER_SCRIPT}'`;
    this.#child = new Deno.Command("bash", {
      args: ["-c", `trap '' XFSZ; ${deno} '${dir}' ${maxPending}`],
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    const read = async (s: ReadableStream<Uint8Array>, sink: (t: string) => void) => {
      for await (const t of s.pipeThrough(new TextDecoderStream())) sink(t);
    };
    this.#reading = Promise.all([
      read(this.#child.stdout, (t) => this.#stdout += t),
      read(this.#child.stderr, (t) => this.#stderr += t),
    ]).then(() => {});
  }

  get pid(): number {
    return this.#child.pid;
  }

  get stderr(): string {
    return this.#stderr;
  }

  async waitFor(pattern: RegExp, count = 1): Promise<void> {
    const until = Date.now() + 30_000;
    while ((this.#stdout.match(new RegExp(pattern, "g"))?.length ?? 0) < count) {
      if (Date.now() > until) throw new Error(`no ${pattern}: ${this.#stdout} / ${this.#stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async send(command: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(`${command}\n`));
  }

  async close(): Promise<void> {
    await this.send("close").catch(() => {});
    await this.#stdin.close().catch(() => {});
    await this.#child.status;
    await this.#reading;
  }
}

async function prlimit(pid: number, fsize: string): Promise<void> {
  const out = await new Deno.Command("prlimit", {
    args: ["--pid", String(pid), `--fsize=${fsize}`],
  })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

Deno.test("audit log: failed writes resume in a new file, lost entries leave a gap entry, the chain verifies", async () => {
  await using dir = await tempDir();
  const writer = new Writer(dir.path, 4);
  try {
    await writer.waitFor(/ready/);
    let done = 0;
    const write = async (n: number) => {
      await writer.send(`write ${n}`);
      await writer.waitFor(/done/, ++done);
    };
    await write(3);
    const [first] = await auditFiles(dir.path);
    const size = (await Deno.stat(join(dir.path, first as string))).size;

    // A limit 50 bytes on: the next write stops mid-line.
    await prlimit(writer.pid, `${size + 50}:unlimited`);
    await write(1);
    await prlimit(writer.pid, "unlimited");
    // The kept entry goes out on the retry, a second later, into a new file.
    const until = Date.now() + 10_000;
    while ((await auditFiles(dir.path)).length < 2 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }

    // A limit no file can take: nothing is written; 4 entries wait, 2 are counted as lost.
    await prlimit(writer.pid, "100:unlimited");
    await write(6);
    await prlimit(writer.pid, "unlimited");
    await write(1);
  } finally {
    await writer.close();
  }
  assert.match(writer.stderr, /cannot write/);
  const files = await auditFiles(dir.path);
  const entries = (await Promise.all(files.map((f) => readEntries(dir.path, f)))).flat();
  const decisions = entries.filter((e) => e.kind === "decision");
  assert.equal(decisions.length, 3 + 1 + 4 + 1);
  const gap = entries.find((e) => e.kind === "gap");
  assert.equal(gap?.lost, 2);
  const rotations = entries.filter((e) => e.kind === "rotate");
  assert.ok(rotations.length >= 2);
  assert.ok(rotations.every((e) => e.reason === "write_failed"));
  const report = await verifyAudit(dir.path);
  assert.equal(report.ok, true, report.fault?.message);
  assert.ok(report.notes.some((n) => /ends with 50 bytes after its last complete line/.test(n)));
  assert.equal(report.heads.length, 1);
});
