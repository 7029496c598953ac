/**
 * nginx as the upstream, when installed: one worker answering a fixed JSON body, far faster
 * than anything in front of it, so the upstream is never the bottleneck.
 */

import { peakRss, type ServerProcess } from "./server_process.ts";
import { UPSTREAM_BODY } from "./upstream_server.ts";

/** The nginx binary, if there is one. */
export async function findNginx(): Promise<string | undefined> {
  for (const path of ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]) {
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch { /* next */ }
  }
  return undefined;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function config(dir: string, port: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path ${dir}/body;
  server {
    listen 127.0.0.1:${port};
    location / {
      default_type application/json;
      return 200 '${UPSTREAM_BODY}';
    }
  }
}
`;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nginx did not listen on ${port}`);
}

/** Starts nginx in a temporary prefix and waits until it accepts connections. */
export async function startNginx(binary: string): Promise<ServerProcess> {
  const dir = await Deno.makeTempDir({ prefix: "mirage-bench-nginx-" });
  await Deno.chmod(dir, 0o755);
  const port = freePort();
  await Deno.writeTextFile(`${dir}/nginx.conf`, config(dir, port));
  const child = new Deno.Command(binary, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port, 10_000);
  return {
    name: "nginx",
    pid: child.pid,
    port,
    peakRssKiB: () => peakRss(child.pid),
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
