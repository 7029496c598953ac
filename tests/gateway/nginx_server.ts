/**
 * A real nginx for the tests: generated config on a free loopback port, every path (pid, logs,
 * temp dirs, static root) inside a temp dir, `daemon off;` so that the test owns the process.
 * Missing nginx is an error, never a skip: `.ci/run` installs Debian's package.
 */

import { freePort } from "./free_port.ts";

const CANDIDATES = ["nginx", "/usr/sbin/nginx"];

async function findNginx(): Promise<string> {
  for (const bin of CANDIDATES) {
    try {
      const out = await new Deno.Command(bin, { args: ["-v"], stdout: "null", stderr: "null" })
        .output();
      if (out.success) return bin;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  throw new Error(
    "nginx is not installed: run `apt-get update && apt-get install -y nginx` (.ci/run does)",
  );
}

function config(dir: string, port: number): string {
  // As root, workers would run as `nobody` and could not read the 0700 temp dir; as any other
  // user nginx ignores `user` with a warning.
  return `user root;
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp_body;
  proxy_temp_path ${dir}/tmp_proxy;
  fastcgi_temp_path ${dir}/tmp_fastcgi;
  uwsgi_temp_path ${dir}/tmp_uwsgi;
  scgi_temp_path ${dir}/tmp_scgi;
  types { application/json json; application/octet-stream bin; }
  gzip on;
  gzip_types application/json;
  gzip_min_length 1;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    location = /cookies {
      add_header Set-Cookie "first=1; Path=/";
      add_header Set-Cookie "second=2; HttpOnly";
      return 200 "cookies\\n";
    }
  }
}
`;
}

/** A running nginx serving `files` from its root. */
export class Nginx {
  readonly #child: Deno.ChildProcess;
  readonly #dir: string;
  readonly url: string;

  private constructor(child: Deno.ChildProcess, dir: string, url: string) {
    this.#child = child;
    this.#dir = dir;
    this.url = url;
  }

  /** Writes the config and the static files, starts nginx and waits until it answers. */
  static async start(files: Record<string, Uint8Array>): Promise<Nginx> {
    const bin = await findNginx();
    const dir = await Deno.makeTempDir({ prefix: "mirage-nginx-" });
    await Deno.mkdir(`${dir}/www`);
    for (const [name, bytes] of Object.entries(files)) {
      await Deno.writeFile(`${dir}/www/${name}`, bytes);
    }
    const port = freePort();
    await Deno.writeTextFile(`${dir}/nginx.conf`, config(dir, port));
    const child = new Deno.Command(bin, {
      args: ["-c", `${dir}/nginx.conf`, "-p", dir, "-e", `${dir}/error.log`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const nginx = new Nginx(child, dir, `http://127.0.0.1:${port}`);
    await nginx.#waitReady();
    return nginx;
  }

  async #waitReady(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      try {
        const conn = await Deno.connect({
          hostname: "127.0.0.1",
          port: Number(new URL(this.url).port),
        });
        conn.close();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const log = await Deno.readTextFile(`${this.#dir}/error.log`).catch(() => "");
    await this.stop();
    throw new Error(`nginx did not start:\n${log}`);
  }

  /** Stops nginx and removes its directory. */
  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await this.#child.status;
    await Deno.remove(this.#dir, { recursive: true });
  }
}
