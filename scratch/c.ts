import { session } from "../src/mod.ts";
const mocks = `mocks:
  - name: pay
    method: POST
    path: /pay
    response: {json: {ok: true}}
    faults:
      - {fault: status, rate: 0.3, status: 503, body: {error: busy}, headers: {retry-after: "1"}}
      - {fault: reset, rate: 0.2}
      - {fault: delay, rate: 0.2, delay_ms: [1, 20]}
  - name: slow
    method: GET
    path: /slow
    faults: [{fault: timeout, after_ms: 300}]
tools:
  - name: lookup
    result: {json: {found: true}}
    faults: [{fault: error, rate: 0.5, error: "lookup of {{ args.q }} failed"}]
`;
await using m = await session({ runId: "r1", policies: { policies: [] }, mocks, traces: false, chaos: "7" });
for (let i = 0; i < 10; i++) {
  try {
    const r = await m.fetch("http://x/pay", { method: "POST", body: "{}" });
    console.log(i, r.status, r.headers.get("x-mirage-fault"), await r.text());
  } catch (e) { console.log(i, "rejected", e.name, e.message); }
}
const t0 = performance.now();
try { await m.fetch("http://x/slow"); } catch (e) { console.log("slow", e.name, e.message, Math.round(performance.now() - t0)); }
try { await m.fetch("http://x/slow", { signal: AbortSignal.timeout(50) }); } catch (e) { console.log("slow2", e.name, e.message); }
for (let i = 0; i < 4; i++) console.log(JSON.stringify((await m.decideTool({ tool: "lookup", args: { q: i } })).mock));
console.log(m.events.map((e) => JSON.stringify(e.response)).join("\n"));
const { chaosSwitch } = await import("../src/mod.ts");
try { await session({ policies: { policies: [] }, mocks, traces: false, chaos: "flakyy" }); } catch (e) { console.log(e.message); }
