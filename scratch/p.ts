import { startProxy } from "../src/ci/proxy.ts";
const dir = await Deno.makeTempDir();
await Deno.writeTextFile(`${dir}/m.yaml`, `mocks:
  - name: pay
    method: POST
    path: /pay
    response: {json: {ok: true}}
  - name: slow
    method: GET
    path: /slow
chaos:
  flaky:
    - {route: pay, fault: reset, rate: 0.5}
    - {route: slow, fault: timeout, after_ms: 2000}
`);
await Deno.writeTextFile(`${dir}/p.yaml`, `policies: []\n`);
const proxy = await startProxy({ policies: `${dir}/p.yaml`, mocks: `${dir}/m.yaml`, port: 0, traces: `${dir}/t`, reloadOnSignal: false, watchFiles: false, chaos: "flaky:3", runId: "run" });
for (let i = 0; i < 6; i++) {
  try { const r = await fetch(`${proxy.url}/pay`, { method: "POST", body: "{}" }); console.log(i, r.status, await r.text()); }
  catch (e) { console.log(i, "rejected", e.message); }
}
const t = performance.now();
try { await fetch(`${proxy.url}/slow`, { signal: AbortSignal.timeout(200) }); } catch (e) { console.log("slow", e.name, Math.round(performance.now() - t)); }
const t2 = performance.now();
const held = fetch(`${proxy.url}/slow`).catch((e) => console.log("held ended at close", e.message, Math.round(performance.now() - t2)));
await new Promise((r) => setTimeout(r, 300));
await proxy.close();
await held;
console.log(await Deno.readTextFile(`${dir}/t/run.json`));
await Deno.remove(dir, { recursive: true });
