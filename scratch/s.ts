import { parseMocks } from "../src/config/load.ts";
const t = `mocks:
  - name: pay
    method: POST
    path: /pay
    response: {body: {order: ok}}
    faults:
      - fault: status
        rate: 0.3
        status: 503
        body: {error: busy}
        headers: {retry-after: "1"}
      - fault: reset
        rate: 0.8
        after_ms: 4
      - fault: delay
      - fault: boom
tools:
  - name: lookup
    result: {json: 1}
    faults:
      - {fault: error, error: "x {{ args.q }}"}
      - {fault: status}
chaos:
  default: []
  "7x": []
  flaky:
    - {route: payy, fault: reset}
    - {tool: lookup, fault: reset}
    - {route: pay, tool: lookup, fault: reset}
    - {fault: reset}
    - {route: [pay, nope], fault: delay, delay_ms: [5, 1]}
    - {route: pay, fault: status, rate: 0.7}
    - {route: pay, fault: status, rate: 0.7}
`;
try { parseMocks(t, "m.yaml"); console.log("ok"); } catch (e) { console.log(e.message); }
