/**
 * A server under test as a child process: started, found listening (its port read from the
 * line it prints), measured for peak memory, stopped.
 */

import { compiledV8Flags } from "../lib/runtime_flags.ts";

/** A running server process. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** Peak resident set size so far, from /proc/<pid>/status VmHWM, in KiB. */
  peakRssKiB(): Promise<number | undefined>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const PORT_LINE = /listening on (?:https?:\/\/)?[^\s]*?:(\d+)/;

/** Reads /proc/<pid>/status VmHWM in KiB (Linux only; `undefined` elsewhere). */
export async function peakRss(pid: number): Promise<number | undefined> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = status.match(/^VmHWM:\s+(\d+)\s+kB$/m)?.[1];
    return kb === undefined ? undefined : Number(kb);
  } catch {
    return undefined;
  }
}

/** Forwards a stream's lines to `onLine` until it ends, so the child never blocks on a full pipe. */
async function drain(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    lines.forEach(onLine);
  }
}

/** Starts `command args`, and resolves once it prints a listening line with a port. */
export async function startServer(
  name: string,
  command: string,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<ServerProcess> {
  const child = new Deno.Command(command, {
    args: [...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  })
    .spawn();
  const seen: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start: ${seen.join(" | ")}`)),
      timeoutMs,
    );
    const onLine = (line: string) => {
      if (seen.length < 20) seen.push(line);
      const m = line.match(PORT_LINE);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    drain(child.stdout, onLine).catch(() => {});
    drain(child.stderr, onLine).catch(() => {});
    child.status.then((s) => reject(new Error(`${name} exited (${s.code}): ${seen.join(" | ")}`)));
  });
  return {
    name,
    pid: child.pid,
    port,
    peakRssKiB: () => peakRss(child.pid),
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
    },
  };
}

/**
 * Starts a Deno script of this repository with all permissions and the V8 flags the `mirage`
 * binary is compiled with (or, with `v8Defaults`, V8's defaults).
 */
export async function startDenoServer(
  name: string,
  script: string,
  args: readonly string[],
  { v8Defaults = false }: { readonly v8Defaults?: boolean } = {},
): Promise<ServerProcess> {
  const flags = v8Defaults ? [] : await compiledV8Flags();
  return startServer(name, Deno.execPath(), ["run", "-A", ...flags, script, ...args]);
}
