/**
 * The valibot schemas of declared faults (docs/chaos.md): the `faults:` of routes and tool
 * mocks, and the named `chaos:` profiles that aim faults at mocks by name. Every key belongs to
 * some fault kinds only, the rates of one mock add up to at most 1, and a profile names only
 * mocks the file declares.
 *
 * @module
 */

import * as v from "valibot";
import { describeValue } from "./messages.ts";
import {
  type AddIssue,
  checkedString,
  choice,
  indexStep,
  type IssuePath,
  keyStep,
  mustBe,
  type ObjectCheck,
  oneOrMore,
  type Schema,
  strict,
  text,
} from "./schema_parts.ts";
import { isRecord } from "../is_record.ts";
import { didYouMean } from "./suggest.ts";
import { routeTemplate, templatedHeaders, templatedJson, toolTemplate } from "./template_schema.ts";
import {
  DEFAULT_PROFILE,
  type FaultKind,
  type RouteFaultKind,
  type ToolFaultKind,
} from "./fault_types.ts";

const ROUTE_KINDS: readonly [RouteFaultKind, ...RouteFaultKind[]] = [
  "status",
  "reset",
  "timeout",
  "delay",
];
const TOOL_KINDS: readonly [ToolFaultKind, ...ToolFaultKind[]] = ["error", "timeout", "delay"];
const ALL_KINDS: readonly [FaultKind, ...FaultKind[]] = [
  ...new Set([...ROUTE_KINDS, ...TOOL_KINDS]),
] as [
  FaultKind,
  ...FaultKind[],
];

/** The keys each kind takes besides `fault` and `rate`, for routes and for tools. */
const ROUTE_KEYS: Readonly<Record<RouteFaultKind, readonly string[]>> = {
  status: ["status", "headers", "body"],
  reset: [],
  timeout: ["after_ms"],
  delay: ["delay_ms"],
};
const TOOL_KEYS: Readonly<Record<ToolFaultKind, readonly string[]>> = {
  error: ["error"],
  timeout: ["after_ms", "error"],
  delay: ["delay_ms"],
};

/** The longest a timeout fault holds a call, and the longest delay (as a mock's `delay_ms`). */
const MAX_AFTER_MS = 600_000;
const MAX_DELAY_MS = 60_000;

/** A profile name: a word that is not a number, so that `--chaos 7` can only be a seed. */
const PROFILE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function integer(label: string, min: number, max: number): Schema {
  const need = mustBe(label, `an integer from ${min} to ${max}`);
  return v.pipe(v.number(need), v.integer(need), v.minValue(min, need), v.maxValue(max, need));
}

function errorProblem(message: string): string | undefined {
  return message.trim() === "" ? "error must not be empty" : toolTemplate(message);
}

const rate = (() => {
  const need = mustBe("rate", "a number above 0 and at most 1");
  return v.pipe(v.number(need), v.gtValue(0, need), v.maxValue(1, need));
})();

const delayMs: Schema = (() => {
  const one = integer("delay_ms", 0, MAX_DELAY_MS);
  const range = v.pipe(
    v.tuple([one, one], mustBe("delay_ms", "milliseconds or [min, max]")),
    v.check(
      (pair) => (pair[0] as number) <= (pair[1] as number),
      "delay_ms: [min, max] needs min <= max",
    ),
    v.metadata({ minItems: 2, maxItems: 2 }),
  );
  return v.union([one, range], mustBe("delay_ms", "milliseconds or [min, max]"));
})();

/** Every key a fault may have; which apply depends on its kind (checked below). */
const FAULT_ENTRIES = {
  rate: v.optional(rate),
  status: v.optional(integer("status", 100, 599)),
  headers: v.optional(templatedHeaders("fault", "headers")),
  body: v.optional(templatedJson(routeTemplate)),
  error: v.optional(checkedString("error", "a string", errorProblem)),
  after_ms: v.optional(integer("after_ms", 1, MAX_AFTER_MS)),
  delay_ms: v.optional(delayMs),
} as const;

type Target = "route" | "tool";

function kindsOf(target: Target): readonly FaultKind[] {
  return target === "route" ? ROUTE_KINDS : TOOL_KINDS;
}

function keysOf(target: Target, kind: FaultKind): readonly string[] | undefined {
  const table: Readonly<Record<string, readonly string[]>> = target === "route"
    ? ROUTE_KEYS
    : TOOL_KEYS;
  return Object.hasOwn(table, kind) ? table[kind] : undefined;
}

function listed(words: readonly string[]): string {
  return words.map((w) => `'${w}'`).join(", ");
}

/**
 * Reports the keys that do not belong to the fault's kind, and a delay without its delay. A
 * kind that is no fault at all is the kind schema's to report; one of the other target's kinds
 * is reported here (a chaos fault takes every kind until its target is known).
 */
function checkKindKeys(fault: Record<string, unknown>, target: Target, add: AddIssue): void {
  const kind = fault.fault;
  if (typeof kind !== "string" || !ALL_KINDS.includes(kind as FaultKind)) return;
  const keys = keysOf(target, kind as FaultKind);
  if (keys === undefined) {
    const message = `'${kind}' is not a ${target} fault: a ${target} fault is ${
      listed(kindsOf(target))
    }`;
    add(message, [keyStep(fault, "fault")]);
    return;
  }
  for (const key of Object.keys(fault)) {
    if (!(key in FAULT_ENTRIES) || key === "rate" || keys.includes(key)) continue;
    const takes = keys.length ? `it takes ${listed(keys)}` : "it takes only 'rate'";
    add(`'${key}' does not apply to a ${kind} fault (${takes})`, [keyStep(fault, key, "key")]);
  }
  if (kind === "delay" && !("delay_ms" in fault)) add("a delay fault needs 'delay_ms'");
}

function faultSchema(target: Target): Schema {
  return strict(
    {
      fault: choice(`a ${target} fault`, kindsOf(target) as [string, ...string[]]),
      ...FAULT_ENTRIES,
    },
    `a ${target} fault`,
    {
      // A kind of the other target is already reported by the kind schema.
      checks: [(fault, add) => {
        if (kindsOf(target).includes(fault.fault as FaultKind)) checkKindKeys(fault, target, add);
      }],
      json: { allOf: kindRules(target) },
    },
  );
}

/** JSON Schema: `if fault is K then only K's keys` (and `delay_ms` for a delay). */
function kindRules(target: Target): Record<string, unknown>[] {
  return kindsOf(target).map((kind) => ({
    if: { required: ["fault"], properties: { fault: { const: kind } } },
    then: {
      propertyNames: { enum: ["fault", "rate", "route", "tool", ...(keysOf(target, kind) ?? [])] },
      ...(kind === "delay" ? { required: ["delay_ms"] } : {}),
    },
  }));
}

/** Rates add up in floating point: 0.7 + 0.2 + 0.1 is a little over 1. */
const OVER = 1 + 1e-9;

function rateOf(fault: unknown): number {
  const r = isRecord(fault) ? fault.rate : undefined;
  return typeof r === "number" ? r : 1;
}

function tooMuch(total: number, whose: string): string {
  return `the faults of ${whose} add up to rate ${
    Number(total.toFixed(6))
  }; they share one draw per call, so at most 1`;
}

function faultList(target: Target): Schema {
  return v.pipe(
    v.array(
      faultSchema(target),
      (i) => `faults must be a list of faults, got ${describeValue(i.input)}`,
    ),
    v.rawCheck<unknown[]>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const total = dataset.value.reduce((sum: number, f) => sum + rateOf(f), 0);
      if (total > OVER) addIssue({ message: tooMuch(total, `this ${target}`) });
    }),
  );
}

/**
 * `faults:` of a route.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { routeFaults } from "./faults_schema.ts";
 * assert.equal(v.safeParse(routeFaults, [{ fault: "status", status: 503, rate: 0.5 }]).success, true);
 * const over = v.safeParse(routeFaults, [{ fault: "reset", rate: 0.7 }, { fault: "reset", rate: 0.5 }]);
 * assert.deepEqual(over.issues?.map((i) => i.message), [
 *   "the faults of this route add up to rate 1.2; they share one draw per call, so at most 1",
 * ]);
 * ```
 */
export const routeFaults: Schema = v.optional(faultList("route"));

/**
 * `faults:` of a tool mock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { toolFaults } from "./faults_schema.ts";
 * assert.equal(v.safeParse(toolFaults, [{ fault: "error", error: "upstream down" }]).success, true);
 * const route = v.safeParse(toolFaults, [{ fault: "status", status: 500 }]);
 * assert.deepEqual(route.issues?.map((i) => i.message), [
 *   `a tool fault must be 'error' or 'timeout' or 'delay', got string "status"`,
 * ]);
 * ```
 */
export const toolFaults: Schema = v.optional(faultList("tool"));

const checkTarget: ObjectCheck = (fault, add) => {
  const given = (["route", "tool"] as const).filter((k) => k in fault);
  if (given.length === 0) {
    add("a chaos fault needs 'route' or 'tool': the mocks it applies to, by name");
  } else if (given.length > 1) {
    add("a chaos fault has 'route' or 'tool', not both", [keyStep(fault, "tool", "key")]);
  } else checkKindKeys(fault, given[0] as Target, add);
};

const chaosFault = strict(
  {
    route: v.optional(oneOrMore(text("route"), "route", "a route mock's name or a list of them")),
    tool: v.optional(oneOrMore(text("tool"), "tool", "a tool mock's name or a list of them")),
    fault: choice("a chaos fault", ALL_KINDS),
    ...FAULT_ENTRIES,
  },
  "a chaos fault",
  {
    checks: [checkTarget],
    json: {
      oneOf: [{ required: ["route"] }, { required: ["tool"] }],
      allOf: [
        ...kindRules("route").map((r) => ({ if: { required: ["route"] }, then: r })),
        ...kindRules("tool").map((r) => ({ if: { required: ["tool"] }, then: r })),
        {
          if: { required: ["route"] },
          then: { properties: { fault: { enum: [...ROUTE_KINDS] } } },
          else: { properties: { fault: { enum: [...TOOL_KINDS] } } },
        },
      ],
    },
  },
);

const profileName = v.pipe(
  v.string(),
  v.regex(
    PROFILE_NAME,
    (i) =>
      `a chaos profile name must be a word (letters, digits, '_', '-'), got ${
        describeValue(i.input)
      }`,
  ),
  v.check(
    (name) => name !== DEFAULT_PROFILE,
    `'${DEFAULT_PROFILE}' is the profile of the faults declared on the mocks themselves: name this one otherwise`,
  ),
);

/**
 * `chaos:` — named profiles, each a list of faults aimed at mocks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as v from "valibot";
 * import { chaosProfiles } from "./faults_schema.ts";
 * const flaky = { flaky: [{ route: "pay", fault: "reset", rate: 0.1 }] };
 * assert.equal(v.safeParse(chaosProfiles, flaky).success, true);
 * assert.equal(v.safeParse(chaosProfiles, { default: [] }).success, false);
 * ```
 */
export const chaosProfiles: Schema = v.optional(
  v.record(
    profileName,
    v.array(
      chaosFault,
      (i) => `a chaos profile must be a list of faults, got ${describeValue(i.input)}`,
    ),
    mustBe("chaos", "a mapping of profile names to lists of faults"),
  ),
);

function namesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((m) => (isRecord(m) && typeof m.name === "string" ? [m.name] : []));
}

function targetsOf(fault: Record<string, unknown>, key: Target): [string, number | undefined][] {
  const named = fault[key];
  if (typeof named === "string") return [[named, undefined]];
  if (!Array.isArray(named)) return [];
  return named.flatMap((n, i) => (typeof n === "string" ? [[n, i] as [string, number]] : []));
}

/** One profile: its targets are declared, and each target's rates add up to at most 1. */
function checkProfile(
  profile: unknown[],
  declared: Readonly<Record<Target, readonly string[]>>,
  add: AddIssue,
  at: (i: number) => IssuePath,
): void {
  const totals = new Map<string, number>();
  profile.forEach((fault, i) => {
    // A fault aimed at both is reported as such; counting it would repeat that.
    if (!isRecord(fault) || ("route" in fault && "tool" in fault)) return;
    for (const key of ["route", "tool"] as const) {
      for (const [name, index] of targetsOf(fault, key)) {
        const where: IssuePath = [...at(i), keyStep(fault, key)];
        if (index !== undefined) where.push(indexStep(fault[key] as unknown[], index));
        if (!declared[key].includes(name)) {
          const noun = key === "route" ? "route mock" : "tool mock";
          add(`no ${noun} named '${name}'${didYouMean(name, declared[key])}`, where);
          continue;
        }
        const before = totals.get(`${key} ${name}`) ?? 0;
        const total = before + rateOf(fault);
        totals.set(`${key} ${name}`, total);
        if (total > OVER && before <= OVER) {
          add(tooMuch(total, `${key} '${name}' in this profile`), where);
        }
      }
    }
  });
}

/**
 * The check of a whole mocks document: every profile names declared mocks (with a "did you
 * mean"), and no mock's faults in one profile add up to more than rate 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkChaosTargets } from "./faults_schema.ts";
 * const issues: string[] = [];
 * checkChaosTargets({ mocks: [{ name: "pay" }], chaos: { flaky: [{ route: "payy", fault: "reset" }] } }, (m) => issues.push(m));
 * assert.deepEqual(issues, [ "no route mock named 'payy' (did you mean 'pay'?)" ]);
 * ```
 */
export const checkChaosTargets: ObjectCheck = (document, add) => {
  const chaos = document.chaos;
  if (!isRecord(chaos)) return;
  const declared = { route: namesOf(document.mocks), tool: namesOf(document.tools) };
  for (const name of Object.keys(chaos)) {
    const profile = chaos[name];
    if (!Array.isArray(profile)) continue;
    const at = (i: number): IssuePath => [
      keyStep(document, "chaos"),
      keyStep(chaos, name),
      indexStep(profile, i),
    ];
    checkProfile(profile, declared, add, at);
  }
};
