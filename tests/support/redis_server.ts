/**
 * A real `redis-server` for the tests: a free loopback port, no persistence, no config file, a
 * fresh working directory. Missing redis-server is an error, never a skip: `.ci/run` installs
 * Debian's package.
 */

import { createClient, type RedisClientType } from "@redis/client";
import { freePort } from "../gateway/free_port.ts";

const CANDIDATES = ["redis-server", "/usr/bin/redis-server"];

async function findRedis(): Promise<string> {
  for (const bin of CANDIDATES) {
    try {
      const out = await new Deno.Command(bin, {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      })
        .output();
      if (out.success) return bin;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  throw new Error(
    "redis-server is not installed: run `apt-get update && apt-get install -y redis-server` " +
      "(.ci/run does)",
  );
}

/** Arguments of a throwaway server: loopback only, nothing written to disk. */
function serverArgs(port: number, dir: string, password: string | undefined): string[] {
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
    "--loglevel",
    "warning",
    "--enable-debug-command",
    "local",
  ];
  return password === undefined ? args : [...args, "--requirepass", password];
}

/** Options of {@link RedisServer.start}. */
export interface RedisServerOptions {
  /** Require this password (`requirepass`). */
  readonly password?: string;
  /** Listen on this port (to restart a server where its clients expect it); default a free one. */
  readonly port?: number;
}

/** A running redis-server owned by the test. */
export class RedisServer {
  readonly #child: Deno.ChildProcess;
  readonly #dir: string;
  readonly #stderr: Promise<string>;
  /** The loopback port it listens on. */
  readonly port: number;
  readonly #password: string | undefined;
  #stopped: Promise<void> | undefined;

  private constructor(
    child: Deno.ChildProcess,
    dir: string,
    port: number,
    password: string | undefined,
  ) {
    this.#child = child;
    this.#dir = dir;
    this.port = port;
    this.#password = password;
    this.#stderr = new Response(child.stderr).text();
    // stdout carries the startup banner only; drain it so the child never blocks.
    child.stdout.pipeTo(new WritableStream()).catch(() => {});
  }

  /** `redis://[:password@]127.0.0.1:<port>`. */
  get url(): string {
    const auth = this.#password === undefined ? "" : `:${encodeURIComponent(this.#password)}@`;
    return `redis://${auth}127.0.0.1:${this.port}`;
  }

  /** Starts a server and waits until it answers PING. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const bin = await findRedis();
    const dir = await Deno.makeTempDir({ prefix: "mirage-redis-" });
    const port = options.port ?? freePort();
    const child = new Deno.Command(bin, {
      args: serverArgs(port, dir, options.password),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const server = new RedisServer(child, dir, port, options.password);
    try {
      await server.#waitReady();
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** A connected client for the test's own commands (DEBUG SLEEP, SCRIPT FLUSH, PTTL, …). */
  async client(): Promise<RedisClientType> {
    const client = createClient({
      socket: { host: "127.0.0.1", port: this.port, reconnectStrategy: false },
      ...(this.#password === undefined ? {} : { password: this.#password }),
    });
    client.on("error", () => {});
    await client.connect();
    return client as RedisClientType;
  }

  async #waitReady(): Promise<void> {
    for (let i = 0; i < 400; i++) {
      try {
        if (await ping(this.port)) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Kills the server at once (SIGKILL by default, as a crash would), and removes its directory. */
  stop(signal: Deno.Signal = "SIGKILL"): Promise<void> {
    return this.#stopped ??= (async () => {
      try {
        this.#child.kill(signal);
      } catch {
        // Already exited.
      }
      await this.#child.status;
      await this.#stderr;
      await Deno.remove(this.#dir, { recursive: true });
    })();
  }
}

/** True when something on the port answers an inline PING with PONG (or asks for a password). */
async function ping(port: number): Promise<boolean> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buf = new Uint8Array(64);
    const n = await conn.read(buf);
    const reply = new TextDecoder().decode(buf.subarray(0, n ?? 0));
    return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
  } finally {
    conn.close();
  }
}
