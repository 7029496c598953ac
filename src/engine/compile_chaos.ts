/**
 * The declared faults of a mocks document compiled once (docs/chaos.md): the mocks' own
 * `faults:` as the `default` profile, each `chaos:` profile beside it, and per profile the
 * faults of each route and tool mock in declared order. A chaos run turns one profile on with a
 * seed; each event that a mock would answer then draws once — from the seed, the run id and the
 * event's sequence number — and the first fault whose share of [0, 1) holds the draw fires.
 *
 * @module
 */

import {
  type ChaosFault,
  DEFAULT_PROFILE,
  type FaultDelay,
  type RouteFault,
  type RouteFaultKind,
  type ToolFault,
  type ToolFaultKind,
} from "../config/fault_types.ts";
import type { MocksDocument } from "../config/types.ts";
import { didYouMean } from "../config/suggest.ts";
import { MirageError } from "../errors.ts";
import type { HttpAction, ToolAction } from "./action.ts";
import { chaosDraw } from "./chaos_draw.ts";
import type { ChaosSwitch } from "./chaos_switch.ts";
import { compileAnswer, type MockAnswer } from "./compile_mocks.ts";
import type { ToolResult } from "./compile_tool_mocks.ts";
import { compileTemplatedString } from "./mock_parts.ts";

/**
 * A route fault that fired: answer its status, drop the connection, hold it (at most
 * `afterMs`, then drop it), or serve the mock `delayMs` later.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileChaos, httpAction, type RouteFaultHit } from "@mirage/core";
 * const run = compileChaos({
 *   mocks: [{
 *     name: "pay",
 *     method: "POST",
 *     path: "/pay",
 *     faults: [{ fault: "status", status: 502 }],
 *   }],
 * }).select({ profile: "default", seed: 0 });
 * const hit: RouteFaultHit | undefined = run.routeFault("pay", "checkout", 1);
 * assert.equal(hit?.kind, "status");
 * if (hit?.kind === "status") {
 *   assert.equal(hit.answer(httpAction({ method: "POST", url: "http://x.test/pay" })).status, 502);
 * }
 * ```
 */
export type RouteFaultHit =
  | { readonly kind: "status"; readonly answer: (action: HttpAction) => MockAnswer }
  | { readonly kind: "reset" }
  | { readonly kind: "timeout"; readonly afterMs: number }
  | { readonly kind: "delay"; readonly delayMs: number };

/**
 * A tool-mock fault that fired: after `waitMs`, the call is answered with `result` (an error)
 * instead of the mock's, or — for a delay, which has no `result` — with the mock's own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileChaos, type ToolFaultHit, toolAction } from "@mirage/core";
 * const run = compileChaos({
 *   mocks: [],
 *   tools: [{
 *     name: "lookup",
 *     result: { json: {} },
 *     faults: [{ fault: "timeout", after_ms: 250 }],
 *   }],
 * }).select({ profile: "default", seed: 0 });
 * const hit: ToolFaultHit | undefined = run.toolFault("lookup", "r1", 1);
 * assert.equal(hit?.kind, "timeout");
 * assert.equal(hit?.waitMs, 250);
 * assert.deepEqual(hit?.result?.(toolAction({ tool: "lookup" })), {
 *   kind: "error",
 *   error: "lookup timed out after 250 ms",
 * });
 * ```
 */
export interface ToolFaultHit {
  /** What fired. */
  readonly kind: ToolFaultKind;
  /** How long the call waits before it is answered. */
  readonly waitMs: number;
  /** The error result that replaces the mock's; absent for a delay. */
  readonly result?: (action: ToolAction) => ToolResult;
}

/**
 * One profile turned on, with its seed: what fires, if anything, for the event `seq` of run
 * `runId` that the named mock would answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileChaos } from "@mirage/core";
 * const run = compileChaos({
 *   mocks: [{ name: "pay", method: "POST", path: "/pay", faults: [{ fault: "reset", rate: 0.5 }] }],
 * }).select({ profile: "default", seed: 7 });
 * const seqs = [1, 2, 3, 4, 5, 6, 7, 8];
 * const kinds = seqs.map((seq) => run.routeFault("pay", "checkout", seq)?.kind);
 * // The same seed, run id and sequence number always draw the same: a chaos run replays exactly.
 * assert.deepEqual(seqs.map((seq) => run.routeFault("pay", "checkout", seq)?.kind), kinds);
 * assert.ok(kinds.includes("reset") && kinds.includes(undefined));
 * assert.equal(run.routeFault("other", "checkout", 1), undefined);
 * ```
 */
export interface ChaosRun {
  /** The profile turned on. */
  readonly profile: string;
  /** Its seed. */
  readonly seed: number;
  /** The fault of a route mock that fires for this event, if any. */
  routeFault(route: string, runId: string, seq: number): RouteFaultHit | undefined;
  /** The fault of a tool mock that fires for this event, if any. */
  toolFault(mock: string, runId: string, seq: number): ToolFaultHit | undefined;
}

/**
 * The compiled fault profiles of a mocks document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileChaos, MirageError } from "@mirage/core";
 * const chaos = compileChaos({
 *   mocks: [{ name: "pay", method: "POST", path: "/pay" }],
 *   chaos: { flaky: [{ route: "pay", fault: "reset" }] },
 * });
 * assert.deepEqual(chaos.profiles, ["flaky"]);
 * const flaky = chaos.select({ profile: "flaky", seed: 0 });
 * assert.equal(flaky.routeFault("pay", "r1", 1)?.kind, "reset");
 * assert.throws(
 *   () => chaos.select({ profile: "flakey", seed: 0 }),
 *   (e) => e instanceof MirageError && e.code === "unknown_chaos_profile",
 * );
 * ```
 */
export interface ChaosProfiles {
  /** The profiles that declare faults (`default` when the mocks have `faults:`). */
  readonly profiles: readonly string[];
  /**
   * Turns a profile on. Throws {@link MirageError} `unknown_chaos_profile` when the file does not
   * declare it (with a "did you mean").
   */
  select(choice: ChaosSwitch): ChaosRun;
}

/** What a fault becomes once the event it fires for is known. */
type Hit<H> = (runId: string, seq: number, seed: number) => H;

interface Compiled<H> {
  readonly rate: number;
  readonly hit: Hit<H>;
}

interface Profile {
  readonly routes: Map<string, Compiled<RouteFaultHit>[]>;
  readonly tools: Map<string, Compiled<ToolFaultHit>[]>;
}

const DEFAULT_AFTER_MS = 30_000;

function delayOf(delay: FaultDelay | undefined): Hit<number> {
  if (delay === undefined) return () => 0;
  if (typeof delay === "number") return () => delay;
  const [lo, hi] = delay;
  return (runId, seq, seed) =>
    lo + Math.floor(chaosDraw(seed, runId, seq, "delay") * (hi - lo + 1));
}

function compileRouteFault(f: RouteFault): Hit<RouteFaultHit> {
  const kind: RouteFaultKind = f.fault;
  if (kind === "status") {
    const answer = compileAnswer({
      status_code: f.status ?? 503,
      ...(f.headers ? { headers: f.headers } : {}),
      ...(f.body !== undefined ? { body: f.body } : {}),
    });
    const hit: RouteFaultHit = { kind, answer };
    return () => hit;
  }
  if (kind === "reset") return () => ({ kind });
  if (kind === "timeout") {
    const afterMs = f.after_ms ?? DEFAULT_AFTER_MS;
    return () => ({ kind, afterMs });
  }
  const delay = delayOf(f.delay_ms);
  return (runId, seq, seed) => ({ kind, delayMs: delay(runId, seq, seed) });
}

function errorResult(message: string): (action: ToolAction) => ToolResult {
  const render = compileTemplatedString(message, false, "tool");
  return (a) => ({ kind: "error", error: String(render(a)) });
}

function compileToolFault(f: ToolFault): Hit<ToolFaultHit> {
  const kind: ToolFaultKind = f.fault;
  if (kind === "error") {
    const hit: ToolFaultHit = {
      kind,
      waitMs: 0,
      result: errorResult(f.error ?? "{{ tool }} failed (a declared fault)"),
    };
    return () => hit;
  }
  if (kind === "timeout") {
    const waitMs = f.after_ms ?? DEFAULT_AFTER_MS;
    const result = errorResult(f.error ?? `{{ tool }} timed out after ${waitMs} ms`);
    const hit: ToolFaultHit = { kind, waitMs, result };
    return () => hit;
  }
  const delay = delayOf(f.delay_ms);
  return (runId, seq, seed) => ({ kind, waitMs: delay(runId, seq, seed) });
}

function add<H>(into: Map<string, Compiled<H>[]>, name: string, rate: number, hit: Hit<H>): void {
  const list = into.get(name) ?? [];
  list.push({ rate, hit });
  into.set(name, list);
}

function namesOf(target: string | string[] | undefined): string[] {
  return target === undefined ? [] : typeof target === "string" ? [target] : target;
}

function compileProfile(faults: readonly ChaosFault[]): Profile {
  const profile: Profile = { routes: new Map(), tools: new Map() };
  for (const f of faults) {
    const rate = f.rate ?? 1;
    for (const route of namesOf(f.route)) {
      add(profile.routes, route, rate, compileRouteFault(f as RouteFault));
    }
    for (const tool of namesOf(f.tool)) {
      add(profile.tools, tool, rate, compileToolFault(f as ToolFault));
    }
  }
  return profile;
}

function defaultProfile(doc: MocksDocument): Profile {
  const profile: Profile = { routes: new Map(), tools: new Map() };
  for (const route of doc.mocks) {
    for (const f of route.faults ?? []) {
      add(profile.routes, route.name, f.rate ?? 1, compileRouteFault(f));
    }
  }
  for (const tool of doc.tools ?? []) {
    for (const f of tool.faults ?? []) {
      add(profile.tools, tool.name, f.rate ?? 1, compileToolFault(f));
    }
  }
  return profile;
}

/** The first fault whose share of [0, 1) holds the event's draw. */
function pick<H>(
  faults: readonly Compiled<H>[] | undefined,
  seed: number,
  runId: string,
  seq: number,
): H | undefined {
  if (!faults) return undefined;
  const u = chaosDraw(seed, runId, seq);
  let bound = 0;
  for (const f of faults) {
    bound += f.rate;
    if (u < bound) return f.hit(runId, seq, seed);
  }
  return undefined;
}

function isEmpty(p: Profile): boolean {
  return p.routes.size === 0 && p.tools.size === 0;
}

class CompiledChaos implements ChaosProfiles {
  readonly profiles: readonly string[];
  readonly #byName = new Map<string, Profile>();

  constructor(doc: MocksDocument) {
    const own = defaultProfile(doc);
    if (!isEmpty(own)) this.#byName.set(DEFAULT_PROFILE, own);
    for (const [name, faults] of Object.entries(doc.chaos ?? {})) {
      this.#byName.set(name, compileProfile(faults));
    }
    this.profiles = [...this.#byName.keys()];
  }

  select(choice: ChaosSwitch): ChaosRun {
    const profile = this.#byName.get(choice.profile);
    if (!profile) throw this.#unknown(choice.profile);
    const seed = choice.seed;
    return {
      profile: choice.profile,
      seed,
      routeFault: (route, runId, seq) => pick(profile.routes.get(route), seed, runId, seq),
      toolFault: (mock, runId, seq) => pick(profile.tools.get(mock), seed, runId, seq),
    };
  }

  #unknown(name: string): MirageError {
    const declared = this.profiles.length
      ? `; the mocks file declares ${this.profiles.map((p) => `'${p}'`).join(", ")}`
      : "; the mocks file declares no faults";
    const what = name === DEFAULT_PROFILE
      ? "no faults are declared on the mocks themselves (`faults:`), so a seed alone turns nothing on"
      : `unknown chaos profile '${name}'${didYouMean(name, this.profiles)}`;
    return new MirageError("unknown_chaos_profile", `${what}${declared}`);
  }
}

/**
 * Compiles the faults of a mocks document once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileChaos } from "@mirage/core";
 * const chaos = compileChaos({
 *   mocks: [],
 *   tools: [{ name: "lookup", result: { json: {} }, faults: [{ fault: "error" }] }],
 * });
 * assert.deepEqual(chaos.profiles, ["default"]);
 * const run = chaos.select({ profile: "default", seed: 0 });
 * assert.equal(run.toolFault("lookup", "r", 1)?.kind, "error");

 * ```
 */
export function compileChaos(doc: MocksDocument): ChaosProfiles {
  return new CompiledChaos(doc);
}
