/**
 * What the adapter tests share, whatever the framework: the support agent's policies and tool
 * mocks, the bodies of its real tools (async, recording what they did), and the three gates —
 * a session, a guard, and a remoteGate against a real `mirage gateway` — each fresh per test.
 */

import {
  guard,
  type MirageSession,
  readTrace,
  remoteGate,
  session,
  type ToolGate,
  type TraceEvent,
} from "@mirage/core";
import { TOOL_POLICIES } from "../tools/fixtures.ts";
import { startGateway, type ToolServer } from "../tools/servers.ts";

export { TOOL_POLICIES };

/** The rule messages the model should see. */
export const REFUND_LIMIT = "Blocked by Mirage: Refunds above 500 need a supervisor.";
export const REFUND_COUNT = "Blocked by Mirage: At most two refunds per run.";

/** Tool mocks for the lookups, notes and card charges; refunds and emails have none (they run). */
export const ADAPTER_MOCKS = `tools:
  - name: order_found
    tool: lookup_order
    result:
      json: { order_id: "{{ args.order_id }}", status: shipped }
  - name: note_saved
    tool: order_note
    result:
      text: "note saved on {{ args.order_id }}"
  - name: card_declined
    tool: charge_card
    result:
      error: card declined
`;

/** Arguments of one tool call. */
export type Args = Record<string, unknown>;

/** One call the test model makes: tool name, arguments, call id. */
export type Call = readonly [tool: string, args: Args, id: string];

/** The real tools' bodies: async (they await before acting), each recording what it did. */
export interface Ledger {
  /** What the real tools did, in order: `issue_refund 20`, `send_email x@y`, … */
  readonly ran: string[];
  readonly issue_refund: (a: { amount: number }) => Promise<string>;
  readonly send_email: (a: { to: string; body: string }) => Promise<string>;
  readonly lookup_order: (a: { order_id: string }) => Promise<unknown>;
  readonly order_note: (a: { order_id: string; note: string }) => Promise<string>;
  readonly charge_card: (a: { card: { number: string }; amount: number }) => Promise<string>;
}

/** Fresh tool bodies. An await before each effect: a gate that did not await would see none. */
export function ledger(): Ledger {
  const ran: string[] = [];
  const act = async <T>(what: string, result: T): Promise<T> => {
    await new Promise((r) => setTimeout(r, 1));
    ran.push(what);
    return result;
  };
  return {
    ran,
    issue_refund: (a) => act(`issue_refund ${a.amount}`, `refunded ${a.amount}`),
    send_email: (a) => act(`send_email ${a.to}`, `sent to ${a.to}`),
    lookup_order: (a) =>
      act(`lookup_order ${a.order_id}`, { order_id: a.order_id, status: "real" }),
    order_note: (a) => act(`order_note ${a.order_id}`, "note saved for real"),
    charge_card: (a) => act(`charge_card ${a.amount}`, "charged for real"),
  };
}

/** A support session over the test policies and mocks, writing no files. */
export function supportSession(runId = "support"): Promise<MirageSession> {
  return session({ runId, policies: TOOL_POLICIES, mocks: ADAPTER_MOCKS, traces: false });
}

/** One of the three gates, fresh, with the events it recorded for the run. */
export interface GateRig extends AsyncDisposable {
  readonly name: string;
  readonly gate: ToolGate;
  /** The recorded tool events, where the gate records any (a guard records nothing here). */
  events(): Promise<readonly TraceEvent[] | undefined>;
  /** Stops what runs behind the gate (the gateway), so that it can no longer answer. */
  stop(): Promise<void>;
}

/** session(), guard() and remoteGate() → mirage gateway, over the same policy file. */
export const GATES: readonly { name: string; start: () => Promise<GateRig> }[] = [
  {
    name: "session",
    async start() {
      const mirage = await supportSession("gates");
      return {
        name: "session",
        gate: mirage,
        events: () => Promise.resolve(mirage.events),
        stop: () => mirage.close(),
        [Symbol.asyncDispose]: () => mirage.close(),
      };
    },
  },
  {
    name: "guard",
    async start() {
      const gate = await guard({ policies: TOOL_POLICIES, runId: "gates" });
      return {
        name: "guard",
        gate,
        events: () => Promise.resolve(undefined),
        stop: () => gate.close(),
        [Symbol.asyncDispose]: () => gate.close(),
      };
    },
  },
  {
    name: "remoteGate → mirage gateway",
    async start() {
      const gateway: ToolServer = await startGateway(TOOL_POLICIES);
      return {
        name: "remoteGate",
        gate: remoteGate(gateway.url, { timeoutMs: 5000 }),
        events: async () => (await readTrace(gateway.traces, "gates"))?.events,
        stop: () => gateway.stop(),
        [Symbol.asyncDispose]: () => gateway[Symbol.asyncDispose](),
      };
    },
  },
];

/** `[call_id, outcome, response]` of each recorded tool event. */
export function toolEvents(events: readonly TraceEvent[] | undefined): unknown[] {
  return (events ?? []).map((e) => [e.request.call_id, e.outcome, e.response]);
}
